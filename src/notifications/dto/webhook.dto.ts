import { applyDecorators } from '@nestjs/common';
import { IsOptional, ValidateBy } from 'class-validator';
import { IsHttpUrl, IsText } from '../../common/validation/decorators';

export const WEBHOOK_URL_MAX = 2048;

/** An absolute http(s) URL with no user name or password in it (secrets belong in the signature). */
export const IsWebhookUrl = () =>
  applyDecorators(
    IsHttpUrl(WEBHOOK_URL_MAX),
    ValidateBy({
      name: 'hasNoCredentials',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return url.username === '' && url.password === '';
          } catch {
            return false;
          }
        },
        defaultMessage: () => '$property must not contain a user name or password',
      },
    }),
  );

export class CreateWebhookDto {
  /**
   * Where notifications are POSTed: an absolute http(s) URL (https only in production), at
   * most 2048 characters, without credentials.
   */
  @IsWebhookUrl()
  url: string;

  /** What the webhook is for, e.g. "Case desk Matrix room". */
  @IsOptional()
  @IsText(500)
  description?: string;
}

export class WebhookResponseDto {
  id: string;
  url: string;
  description: string | null;
  active: boolean;
  createdAt: string;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  /** The signing secret (`whsec_…`), shown only in this answer. */
  secret: string;
}

export class WebhookPageResponseDto {
  data: WebhookResponseDto[];
  nextCursor: string | null;
}

export class WebhookDeliveryResponseDto {
  id: string;
  /** The notification's key, sent as `x-escalation-delivery`. */
  notificationKey: string;
  eventType: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** What the receiver answered; null when no answer came. */
  httpStatus: number | null;
  /** Why no answer came (timeout, refused, ...); never the response body. */
  error: string | null;
  durationMs: number;
  attemptedAt: string;
}

export class WebhookDeliveryPageResponseDto {
  data: WebhookDeliveryResponseDto[];
  nextCursor: string | null;
}
