import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsUrl,
  MaxLength,
} from 'class-validator';
import {
  IsCodeList,
  IsCountryCodes,
  IsDateOnly,
  IsLanguageTags,
  IsOmittable,
  IsSlug,
  IsText,
  IsTimeZone,
} from '../../common/validation/decorators';
import { ORGANIZATION_SERVICES, OrganizationService } from '../organization-services';

export class CreateOrganizationDto {
  /** Stable short name, e.g. `acoso-online` (lowercase letters, digits, hyphens). */
  @IsSlug()
  slug: string;

  @IsText(200)
  name: string;

  /** ISO 3166-1 alpha-2 codes of the countries served. */
  @IsCountryCodes()
  countries: string[];

  /** BCP 47 tags of the languages worked in. */
  @IsLanguageTags()
  languages: string[];

  /** Who the organisation serves, e.g. `journalists`, `lgbtiq`, `women_politicians`. */
  @IsCodeList(
    /^[a-z0-9_]{2,50}$/,
    'each value in $property must be a short code of a-z, 0-9 and _',
    30,
  )
  constituencies: string[];

  @IsOptional()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true },
    { message: 'website must be an http(s) URL' },
  )
  @MaxLength(500)
  website?: string | null;

  /** IANA time zone, e.g. `America/La_Paz`. */
  @IsTimeZone()
  timezone: string;

  /** What others may refer a survivor for, from a closed list. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(ORGANIZATION_SERVICES.length)
  @ArrayUnique()
  @IsIn(ORGANIZATION_SERVICES, { each: true })
  services?: OrganizationService[];

  /** How the organisation introduces itself to the community (plain text). */
  @IsOptional()
  @IsText(4000)
  introduction?: string | null;

  /** Public contact address for referrals and collaboration. */
  @IsOptional()
  @IsEmail({}, { message: 'contactEmail must be an e-mail address' })
  @MaxLength(254)
  contactEmail?: string | null;

  /** Public Signal username or number, e.g. `acoso.01` or `+59170000000`. */
  @IsOptional()
  @IsText(100)
  signal?: string | null;

  /** Links to its public social media accounts. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true },
    { each: true, message: 'each value in socialAccounts must be an http(s) URL' },
  )
  @MaxLength(500, { each: true })
  socialAccounts?: string[];

  /** When it joined the community (default: the day it was added). */
  @IsOmittable()
  @IsDateOnly()
  joinedOn?: string;

  /** Campaign alerts and listings may name this organisation to the others involved. */
  @IsOmittable()
  @IsBoolean()
  namedInCampaigns?: boolean;

  /**
   * Its anonymised patterns may count in the unauthenticated public trends (when the service
   * offers them). Off by default: a separate consent from sharing with the community.
   */
  @IsOmittable()
  @IsBoolean()
  publicStatistics?: boolean;
}
