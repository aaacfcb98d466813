import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { buildCampaignMispEvent, MispEvent } from '../interop/misp';
import { buildCampaignBundle, STIX_MEDIA_TYPE } from '../interop/stix';
import { CampaignsService } from './campaigns.service';

/**
 * A campaign for CERT tools, for an organisation that may see it: a STIX grouping (or a MISP
 * event) holding the cases the reader may see, with the campaign's figures; nothing from the
 * others. 404 for a campaign the reader may not see.
 */
@ApiTags('patterns')
@Controller('v1/reports/campaigns')
export class CampaignExportsController {
  constructor(private readonly campaigns: CampaignsService) {}

  /** The campaign as a STIX 2.1 bundle of the cases you may see. */
  @Get(':id/stix')
  @Header('content-type', STIX_MEDIA_TYPE)
  @Header('cache-control', 'no-store')
  @ApiBearerAuth()
  @ApiProduces(STIX_MEDIA_TYPE)
  @ApiOkResponse({ description: 'A STIX 2.1 bundle', schema: { type: 'object' } })
  @ApiProblems(400, 401, 404)
  async stix(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<Buffer> {
    // Bytes: Fastify would rewrite the media type of a string body (see CaseExportsController).
    const input = await this.campaigns.exportInput(actor, id, 'stix');
    return Buffer.from(JSON.stringify(buildCampaignBundle(input)));
  }

  /** The campaign as a MISP event of the cases you may see. */
  @Get(':id/misp')
  @Header('cache-control', 'no-store')
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'A MISP event (MISP core format)', schema: { type: 'object' } })
  @ApiProblems(400, 401, 404)
  async misp(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<MispEvent> {
    return buildCampaignMispEvent(await this.campaigns.exportInput(actor, id, 'misp'));
  }
}
