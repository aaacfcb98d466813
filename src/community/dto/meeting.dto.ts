import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUrl, IsUUID, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { PatchType } from '../../common/validation/patch-type';
import {
  IsLanguageTags,
  IsOmittable,
  IsText,
  IsTimestamp,
} from '../../common/validation/decorators';
import { RSVP_ANSWERS, RsvpAnswer } from '../meeting.entity';

export class CreateMeetingDto {
  @IsText(200)
  title: string;

  /** ISO 8601 with `Z` or an offset; stored and answered in UTC. */
  @IsTimestamp()
  startsAt: string;

  /** After `startsAt`, at most 24 hours later. */
  @IsTimestamp()
  endsAt: string;

  /** BCP 47 tags of the languages spoken. */
  @IsOmittable()
  @IsLanguageTags()
  languages?: string[];

  /** BCP 47 tags of the languages interpretation is offered into. */
  @IsOmittable()
  @IsLanguageTags()
  interpretation?: string[];

  /** Where to join (video call). */
  @IsOptional()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true },
    { message: 'link must be an http(s) URL' },
  )
  @MaxLength(500)
  link?: string | null;

  @IsOptional()
  @IsText(8000)
  agenda?: string | null;

  /** The working group invited; left out (or null): the whole community. */
  @IsOptional()
  @IsUUID('all', { message: 'workingGroupId must be a UUID' })
  workingGroupId?: string | null;
}

/** Any field; a change the calendars must follow raises the meeting's sequence. */
export class UpdateMeetingDto extends PatchType(CreateMeetingDto) {}

export class MeetingQueryDto extends ListQueryDto {
  /** Meetings ending at or after this instant (default: 24 hours ago). */
  @IsOptional()
  @IsTimestamp()
  from?: string;
}

export class AnswerMeetingDto {
  @ApiProperty({ enum: RSVP_ANSWERS })
  @IsIn(RSVP_ANSWERS)
  answer: RsvpAnswer;
}

export class MeetingAnswersDto {
  yes: number;
  no: number;
  maybe: number;
}

export class MeetingResponseDto {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  languages: string[];
  interpretation: string[];
  link: string | null;
  agenda: string | null;
  /** Null: the whole community. */
  workingGroupId: string | null;
  workingGroupName: string | null;
  /** Grows with every change calendars must follow. */
  sequence: number;
  cancelledAt: string | null;
  @ApiProperty({ enum: RSVP_ANSWERS, nullable: true })
  myAnswer: RsvpAnswer | null;
  /** Whether the caller is invited (and so may answer); admins read the others too. */
  invited: boolean;
  @Type(() => MeetingAnswersDto)
  answers: MeetingAnswersDto;
  createdAt: string;
  updatedAt: string;
}

export class MeetingPageResponseDto {
  data: MeetingResponseDto[];
  nextCursor: string | null;
}
