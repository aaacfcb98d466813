import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, MaxLength } from 'class-validator';

export const ARCHIVE_FORMATS = ['json', 'csv'] as const;

/** `POST /v1/organizations/:id/archive`: everything the organisation owns, as one file. */
export class CreateArchiveDto {
  /**
   * `json`: the documented archive (organisation, retention rule, users, cases with their
   * timelines, contacts it owns); `csv`: its cases, one row each, for a spreadsheet.
   */
  @ApiProperty({ enum: ARCHIVE_FORMATS })
  @IsIn(ARCHIVE_FORMATS, { message: `format must be one of ${ARCHIVE_FORMATS.join(', ')}` })
  format: (typeof ARCHIVE_FORMATS)[number];
}

/** `POST /v1/organizations/:id/erasure`: the organisation leaves; everything it owns goes. */
export class CreateErasureDto {
  /** The organisation's slug, typed again: an erasure cannot be undone. */
  @IsString()
  @MaxLength(60)
  confirmSlug: string;

  /**
   * Its contacts shared as GREEN or CLEAR go to the community's coordination instead of being
   * erased (the community keeps reaching those platform staff); the others are erased.
   */
  @IsBoolean()
  handOverSharedContacts: boolean;
}
