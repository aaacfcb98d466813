import { OmitType } from '@nestjs/swagger';
import { PatchType } from '../../common/validation/patch-type';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { Tlp, TLP_LEVELS } from '../../common/sharing/tlp';
import {
  IsCodeList,
  IsCountryCode,
  IsCountryCodes,
  IsLanguageTag,
  IsLanguageTags,
  IsMachineCode,
  IsOmittable,
  IsText,
} from '../../common/validation/decorators';
import { CONTACT_CHANNEL_KINDS, ContactChannelKind } from '../contact-channel.entity';
import { IsContactAddress } from '../contact-address';
import { ContactStatus } from '../contact.entity';

const PLATFORM_CODE = /^[a-z0-9][a-z0-9_]{0,39}$/;
/** A parent company runs a handful of platforms; Meta, the largest, five. */
const MAX_OTHER_PLATFORMS = 20;

export class CreateContactDto {
  /** The platform this person works for, e.g. `facebook`. */
  @IsMachineCode(40)
  platformCode: string;

  /**
   * Further platforms this person also works for, all of the same parent company as
   * `platformCode` (a Meta partner manager stored under `facebook` may cover `instagram`,
   * `whatsapp`, ...). Not `platformCode` itself. On update, the whole list is replaced.
   */
  @IsOmittable()
  @IsCodeList(
    PLATFORM_CODE,
    'each value in $property must be a platform code (lowercase letters, digits or underscores)',
    MAX_OTHER_PLATFORMS,
  )
  otherPlatformCodes?: string[];

  @IsText(200)
  fullName: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  @IsContactAddress('email')
  email?: string | null;

  /** A phone number (E.164) or a Signal username. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsContactAddress('signal')
  signal?: string | null;

  /** E.164, e.g. +59170012345. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  @IsContactAddress('phone')
  phone?: string | null;

  @IsOmittable()
  @IsLanguageTags()
  languages?: string[];

  @IsOmittable()
  @IsCountryCodes()
  countries?: string[];

  @IsOptional()
  @IsText(4000)
  notes?: string | null;

  /** Who may see this contact (default GREEN: the whole working group). */
  @IsOmittable()
  @IsIn(TLP_LEVELS)
  tlp?: Tlp;

  /** Organisations that may see it under TLP AMBER. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  shareWithOrganizationIds?: string[];
}

/** `null` removes an address (the old one stays on record as historical) or the notes. */
export class UpdateContactDto extends PatchType(
  OmitType(CreateContactDto, ['platformCode'] as const),
) {
  /** `unresponsive` or back to `active`; departures and staleness have their own paths. */
  @IsOmittable()
  @IsIn(['active', 'unresponsive'])
  status?: Extract<ContactStatus, 'active' | 'unresponsive'>;
}

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ContactQueryDto extends ListQueryDto {
  /** Platform code: contacts of this platform and those who also cover it (`otherPlatformCodes`). */
  @IsOptional()
  @IsMachineCode(40)
  platform?: string;

  @IsOptional()
  @IsCountryCode()
  country?: string;

  @IsOptional()
  @IsLanguageTag()
  language?: string;

  /** Only contacts currently reachable this way. */
  @IsOptional()
  @IsIn(CONTACT_CHANNEL_KINDS)
  channel?: ContactChannelKind;

  @IsOptional()
  @IsIn(['active', 'left', 'unresponsive', 'unverified'])
  status?: ContactStatus;

  /** Any address the contact has or had (recognises mail from an old address). */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  address?: string;

  /**
   * Suggestions: active, recently verified contacts covering `country` and `language` first;
   * contacts who left are never suggested, their successors are (a successor inherits the
   * platforms and countries of the contacts they replaced, as far as you may see them).
   */
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'best must be true or false' })
  best?: boolean;
}

export class ContactChannelResponseDto {
  kind: ContactChannelKind;
  value: string;
  current: boolean;
  since: string;
  until: string | null;
}

export class TenureResponseDto {
  id: string;
  title: string;
  team: string | null;
  countries: string[];
  startedOn: string;
  endedOn: string | null;
  endReason: string | null;
  handoverNotes: string | null;
}

export class ContactSummaryResponseDto {
  id: string;
  platformCode: string;
  /** Further platforms of the same parent company this contact also covers. */
  otherPlatformCodes: string[];
  fullName: string;
  email: string | null;
  signal: string | null;
  phone: string | null;
  languages: string[];
  countries: string[];
  tlp: Tlp;
  organizationId: string;
  status: ContactStatus;
  lastVerifiedAt: string | null;
  successorId: string | null;
}

export class ContactResponseDto extends ContactSummaryResponseDto {
  notes: string | null;
  shareWithOrganizationIds: string[];
  lastVerifiedBy: string | null;
  leftOn: string | null;
  /** Every address, current and historical. */
  channels: ContactChannelResponseDto[];
  /** Oldest first. */
  tenures: TenureResponseDto[];
  /** Contacts this one replaced (that you may see). */
  predecessorIds: string[];
  /** Who replaced this contact, then who replaced them, and so on (as far as you may see). */
  successorChain: { id: string; fullName: string; status: ContactStatus }[];
  createdAt: string;
  updatedAt: string;
}

export class ContactPageResponseDto {
  data: ContactSummaryResponseDto[];
  nextCursor: string | null;
}
