import { IsOptional } from 'class-validator';
import { IsText } from '../../common/validation/decorators';

export class CreateCalendarTokenDto {
  /** What the feed is for, e.g. "work phone"; up to 100 characters. */
  @IsOptional()
  @IsText(100)
  name?: string;
}

export class CreatedCalendarTokenResponseDto {
  id: string;
  /** The secret, shown only in this answer. Whoever holds it can read the feed. */
  token: string;
  /** The feed's path, `/v1/calendar/<token>.ics`, to append to the service's address. */
  url: string;
  name: string | null;
  createdAt: string;
}

export class CalendarTokenResponseDto {
  id: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export class CalendarTokenPageResponseDto {
  data: CalendarTokenResponseDto[];
  nextCursor: string | null;
}
