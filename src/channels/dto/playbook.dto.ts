import { IsOptional } from 'class-validator';
import { IsText } from '../../common/validation/decorators';

/**
 * A new version of a channel's playbook: the whole text (a field left out is empty in the new
 * version). Needs If-Match with the version read ("0" before the first).
 */
export class PutPlaybookDto {
  /** What evidence the platform asks for. */
  @IsOptional()
  @IsText(4000)
  evidence?: string | null;

  /** In which language(s) to write. */
  @IsOptional()
  @IsText(200)
  language?: string | null;

  /** A subject line that works. */
  @IsOptional()
  @IsText(500)
  subjectLine?: string | null;

  /** Form fields and how to fill them. */
  @IsOptional()
  @IsText(4000)
  formFields?: string | null;

  /** Typical pitfalls. */
  @IsOptional()
  @IsText(4000)
  pitfalls?: string | null;

  /** How to join (trusted-partner channels): who is eligible. */
  @IsOptional()
  @IsText(4000)
  eligibility?: string | null;

  /** How to join: how to apply. */
  @IsOptional()
  @IsText(4000)
  howToApply?: string | null;

  /** What this version changes, in a line. */
  @IsOptional()
  @IsText(300)
  changeNote?: string | null;
}

export class PlaybookResponseDto {
  platformCode: string;
  channelCode: string;
  /** 0 while the channel has no playbook yet. */
  version: number;
  evidence: string | null;
  language: string | null;
  subjectLine: string | null;
  formFields: string | null;
  pitfalls: string | null;
  eligibility: string | null;
  howToApply: string | null;
  changeNote: string | null;
  /** The author (null when the account is gone). */
  authorId: string | null;
  authorName: string | null;
  authorOrganizationSlug: string | null;
  createdAt: string | null;
}

export class PlaybookVersionSummaryDto {
  version: number;
  changeNote: string | null;
  authorId: string | null;
  authorName: string | null;
  authorOrganizationSlug: string | null;
  createdAt: string;
}

export class PlaybookVersionsResponseDto {
  data: PlaybookVersionSummaryDto[];
}
