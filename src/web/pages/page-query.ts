import type { FastifyReply, FastifyRequest } from 'fastify';
import { FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { assertValid } from '../../common/validation/validation.pipe';
import { attachment, ReportFile } from '../../patterns/pattern-csv';

/**
 * Helpers of the directory, insights, reports and settings pages (GET filter forms and
 * downloads); the page framework itself is web-context.ts.
 */

/** The non-empty string parameters of the query (a filter form sends empty fields as ''). */
export function queryParams(
  request: FastifyRequest,
  names: readonly string[],
): Record<string, string> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = query[name];
    if (typeof value === 'string' && value.trim() !== '') out[name] = value.trim();
  }
  return out;
}

/** A DTO validated like the API does, or the field errors (a filter form shows them). */
export function validOrErrors<T extends object>(
  dtoClass: new () => T,
  plain: object,
): { value: T; errors: null } | { value: null; errors: FieldError[] } {
  try {
    return { value: assertValid(dtoClass, plain), errors: null };
  } catch (error) {
    if (error instanceof ValidationFailedError) return { value: null, errors: error.errors ?? [] };
    throw error;
  }
}

/** A file as a download: attachment, its own content type, never cached, never sniffed. */
export function sendDownload(reply: FastifyReply, file: ReportFile): FastifyReply {
  return reply
    .code(200)
    .header('content-type', file.contentType)
    .header('content-disposition', attachment(file.filename))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.content);
}

/** A 400 from a service (a period too long, from after to) as field errors; others rethrown. */
export function errorsOf(error: unknown): FieldError[] {
  const e = error as { status?: number; errors?: FieldError[] };
  if (e && e.status === 400 && Array.isArray(e.errors)) return e.errors;
  throw error;
}

/** A share 0..1 as a whole percentage in the page's language. */
export const percent = (lang: string, share: number) =>
  new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(share);

/** Hours with at most one decimal, in the page's language. */
export const hours = (lang: string, n: number) =>
  new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n);
