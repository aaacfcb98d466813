import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { buildCaseMispEvent, MispEvent } from './misp';
import { buildCaseBundle, STIX_MEDIA_TYPE } from './stix';
import { CaseExportService } from './case-export.service';
import { CasesService } from '../cases/cases.service';

/**
 * A case for CERT and threat-intelligence tools, for whoever may see it (the same TLP rule as
 * `GET /v1/cases/:id`, so a case you may not see is a 404). Exports carry the case's TLP, its
 * reference, category, platform, reported URLs and indicators; never its title, summary,
 * contact or anything else about the survivor. Each export is audited as `case.exported`.
 */
@ApiTags('cases')
@Controller('v1/cases')
export class CaseExportsController {
  constructor(
    private readonly cases: CasesService,
    private readonly exports: CaseExportService,
  ) {}

  /**
   * A STIX 2.1 bundle (identity, incident, observed-data, indicator, relationship) marked with
   * the case's TLP 2.0 marking. Served as `application/stix+json;version=2.1`, the media type IANA
   * registered for STIX (TAXII 2.1 uses it too), so tools can tell it from other JSON; it is
   * still JSON for any client that only looks for `+json`.
   */
  @Get(':id/stix')
  @Header('content-type', STIX_MEDIA_TYPE)
  @Header('cache-control', 'no-store')
  @ApiProduces(STIX_MEDIA_TYPE)
  @ApiOkResponse({ description: 'A STIX 2.1 bundle', schema: { type: 'object' } })
  @ApiProblems(400, 401, 403, 404)
  async stix(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<Buffer> {
    // Bytes, not a string: Fastify rewrites the content type of a string body (it quotes the
    // version and appends a charset, which JSON media types do not define).
    const body = Buffer.from(
      JSON.stringify(buildCaseBundle(await this.exports.exportInput(actor, id))),
    );
    await this.cases.record(actor, 'case.exported', id, undefined, { format: 'stix' });
    return body;
  }

  /** The case as one MISP event (MISP core format), with its TLP as distribution and `tlp:*` tag. */
  @Get(':id/misp')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ description: 'A MISP event (MISP core format)', schema: { type: 'object' } })
  @ApiProblems(400, 401, 403, 404)
  async misp(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<MispEvent> {
    const event = buildCaseMispEvent(await this.exports.exportInput(actor, id));
    await this.cases.record(actor, 'case.exported', id, undefined, { format: 'misp' });
    return event;
  }
}
