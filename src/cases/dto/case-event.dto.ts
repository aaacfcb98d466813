import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { IsMachineCode, IsText, IsTimestamp } from '../../common/validation/decorators';
import { Answer, ANSWERS } from '../case-event.entity';
import {
  CASE_EVENT_TYPES,
  CASE_OUTCOMES,
  CASE_STATUSES,
  CaseEventType,
  CaseOutcome,
  CaseStatus,
  CLIENT_EVENT_TYPES,
} from '../case-status.machine';

/** Each answer `yes`, `no` or `unknown`. */
export class ResponseQualityDto {
  /** Did the platform say why it decided as it did? */
  @IsIn(ANSWERS)
  reasonGiven: Answer;

  /** Did it understand the language and the local context? */
  @IsIn(ANSWERS)
  contextUnderstood: Answer;

  /** Did it recognise the harm as gendered? */
  @IsIn(ANSWERS)
  harmRecognisedAsGendered: Answer;

  /** Did it ask the survivor for proof in a way that retraumatises? */
  @IsIn(ANSWERS)
  retraumatisingProofRequested: Answer;

  /** After a wrong removal of the survivor's own content: was it restored? */
  @IsOptional()
  @IsIn(ANSWERS)
  contentRestoredAfterWrongRemoval?: Answer;
}

/** The EU DSA statement of reasons the survivor received. */
export class StatementOfReasonsDto {
  @IsBoolean()
  received: boolean;

  @IsOptional()
  @IsTimestamp()
  receivedAt?: string;

  /** e.g. DECISION_GROUND_INCOMPATIBLE_CONTENT or DECISION_GROUND_ILLEGAL_CONTENT. */
  @IsOptional()
  @IsText(100)
  decisionGround?: string;

  /** The platform's own category for the decision. */
  @IsOptional()
  @IsText(200)
  platformCategory?: string;

  /** The platform's unique identifier of the statement in the DSA Transparency Database. */
  @IsOptional()
  @IsText(500)
  puid?: string;
}

export class CreateCaseEventDto {
  @IsIn(CLIENT_EVENT_TYPES, {
    message: `type must be one of ${CLIENT_EVENT_TYPES.join(', ')}`,
  })
  @ApiProperty({ enum: CLIENT_EVENT_TYPES })
  type: CaseEventType;

  /** When it happened (default: now); never in the future. */
  @IsOptional()
  @IsTimestamp()
  occurredAt?: string;

  @IsOptional()
  @IsText(4000)
  note?: string;

  /** Required with `platform_responded`; optional with `closed`. */
  @IsOptional()
  @IsIn(CASE_OUTCOMES)
  outcome?: CaseOutcome;

  /**
   * Only with `follow_up_sent`: the channel of the case's platform the follow-up went through,
   * when not the case's own (a ticket form, then an e-mail to a partner manager).
   */
  @IsOptional()
  @IsMachineCode(60)
  channelCode?: string;

  /** The platform's ticket number, if this step gave one (it becomes the case's). */
  @IsOptional()
  @IsText(200)
  platformReference?: string;

  /** Only with `platform_responded`. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponseQualityDto)
  quality?: ResponseQualityDto;

  /** Only with `platform_responded`. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatementOfReasonsDto)
  statementOfReasons?: StatementOfReasonsDto;
}

export class CaseEventResponseDto {
  id: string;
  @ApiProperty({ enum: CASE_EVENT_TYPES })
  type: CaseEventType;
  occurredAt: string;
  recordedAt: string;
  actorUserId: string | null;
  @ApiProperty({ enum: CASE_STATUSES })
  statusAfter: CaseStatus;
  note: string | null;
  outcome: CaseOutcome | null;
  platformReference: string | null;
  quality: ResponseQualityDto | null;
  statementOfReasons: StatementOfReasonsDto | null;
  details: Record<string, unknown>;
}

export class CaseEventPageResponseDto {
  data: CaseEventResponseDto[];
  nextCursor: string | null;
}
