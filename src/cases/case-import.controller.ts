import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor } from '../common/auth/actor';
import { DomainError } from '../common/errors/domain-error';
import { PROBLEM_CONTENT_TYPE } from '../common/errors/problem-details.filter';
import { ApiProblems } from '../common/http/api-problems';
import { currentRequest } from '../common/logging/request-context';
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, LIST_SEPARATOR } from './case-import.csv';
import { CaseImportService } from './case-import.service';

/** The route whose body is CSV (the app factory gives it its own parser and size limit). */
export const CASE_IMPORT_ROUTE = '/v1/cases/import';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class CaseImportQueryDto {
  /** Check the file and write nothing. */
  @ApiPropertyOptional({ type: Boolean, description: 'Check the file and write nothing.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  dryRun?: boolean;
}

export class CaseImportErrorDto {
  @ApiProperty({ description: 'Physical line of the file (the header is line 1).' })
  line: number;
  @ApiProperty({ type: String, nullable: true, description: 'CSV column, when one is at fault.' })
  column: string | null;
  @ApiProperty()
  message: string;
}

export class CaseImportResponseDto {
  @ApiProperty({ description: 'Cases written (0 on a dry run).' })
  imported: number;
  @ApiPropertyOptional({ description: 'Dry run: rows that would be imported.' })
  valid?: number;
  @ApiProperty({ type: [CaseImportErrorDto] })
  errors: CaseImportErrorDto[];
  @ApiPropertyOptional()
  dryRun?: boolean;
}

const COLUMNS_DOC = Object.entries(IMPORT_COLUMNS)
  .map(
    ([name, spec]) =>
      `- \`${name}\`${'required' in spec && spec.required ? ' (required)' : ''}: ${spec.description}`,
  )
  .join('\n');

const CSV_DOC = `UTF-8 CSV (a BOM is tolerated; LF or CRLF), a header row of snake_case column names, then
at most ${IMPORT_MAX_ROWS} rows. Quote fields that hold commas, quotes or line breaks. List cells
are separated by \`${LIST_SEPARATOR}\`. Empty cells take the defaults of \`POST /v1/cases\`.
Columns:\n${COLUMNS_DOC}`;

class UnsupportedImportTypeError extends DomainError {
  constructor() {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send the import as text/csv in UTF-8.',
    );
  }
}

@ApiTags('cases')
@Controller('v1/cases')
export class CaseImportController {
  constructor(private readonly imports: CaseImportService) {}

  /**
   * Imports past escalations from a spreadsheet, all or nothing: any invalid row and nothing is
   * written; the answer (422, problem+json) lists every problem with its line and column.
   * `?dryRun=true` only checks (200). Imported cases belong to your organisation; the platform's
   * past answers (`first_response_at`, `resolved_at` + `outcome`, `closed_at`) become timeline
   * events.
   */
  @Post('import')
  @HttpCode(201)
  @ApiConsumes('text/csv')
  @ApiBody({ description: CSV_DOC, schema: { type: 'string' } })
  @ApiResponse({ status: 201, description: 'Imported', type: CaseImportResponseDto })
  @ApiResponse({
    status: 200,
    description: 'Dry run: the file is valid',
    type: CaseImportResponseDto,
  })
  @ApiResponse({
    status: 422,
    description:
      'Nothing written: problem+json with `imported: 0` and `errors: [{line, column, message}]`',
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            { $ref: getSchemaPath(CaseImportResponseDto) },
          ],
        },
      },
    },
  })
  @ApiResponse({
    status: 415,
    description: 'Body is not text/csv in UTF-8',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  })
  @ApiProblems(400, 401, 403, 413)
  async importCases(
    @CurrentActor() actor: Actor,
    @Body() body: Buffer,
    @Query() query: CaseImportQueryDto,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseImportResponseDto | Record<string, unknown>> {
    if (!Buffer.isBuffer(body) || !isUtf8Csv(contentType)) throw new UnsupportedImportTypeError();
    const dryRun = query.dryRun ?? false;
    const result = await this.imports.import(actor, body, dryRun);
    if (result.errors.length > 0) {
      void reply.status(422).header('content-type', PROBLEM_CONTENT_TYPE);
      return {
        type: 'urn:problem:escalation-tracker:import-rejected',
        title: 'Import rejected',
        status: 422,
        detail: `Nothing was imported: ${result.errors.length} problem(s) in the file.`,
        requestId: currentRequest()?.requestId,
        ...result,
      };
    }
    if (dryRun) void reply.status(200);
    return result;
  }
}

/** `text/csv`, with no charset or with UTF-8. */
function isUtf8Csv(contentType: string | undefined): boolean {
  const [type, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'text/csv') return false;
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  return charset === undefined || ['utf-8', 'utf8', '"utf-8"'].includes(charset);
}
