import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  WebhookDeliveryPageResponseDto,
  WebhookPageResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Registers a webhook for the caller's organisation; the signing secret is in this answer only.
   * Every delivery is signed with it (`x-escalation-signature`).
   */
  @Post()
  @Roles('org_admin', 'admin')
  @ApiProblems(400, 401, 403, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateWebhookDto,
  ): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(actor, dto);
  }

  /** The caller's organisation's webhooks, newest first (never their secrets). */
  @Get()
  @Roles('org_admin', 'admin')
  @ApiProblems(400, 401, 403)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ListQueryDto,
  ): Promise<WebhookPageResponseDto> {
    return this.webhooks.list(actor, query);
  }

  /** Stops deliveries to the webhook at once. */
  @Delete(':id')
  @HttpCode(204)
  @Roles('org_admin', 'admin')
  @ApiProblems(400, 401, 403, 404)
  async remove(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<void> {
    await this.webhooks.remove(actor, id);
  }

  /** Every delivery attempt to the webhook, newest first: HTTP status or a short error. */
  @Get(':id/deliveries')
  @Roles('org_admin', 'admin')
  @ApiProblems(400, 401, 403, 404)
  deliveries(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Query() query: ListQueryDto,
  ): Promise<WebhookDeliveryPageResponseDto> {
    return this.webhooks.deliveries(actor, id, query);
  }
}
