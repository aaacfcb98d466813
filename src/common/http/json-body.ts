import type { FastifyInstance } from 'fastify';
import { FieldError, ValidationFailedError } from '../errors/domain-error';

/**
 * No request body of this API nests deeper than a few levels; validation (class-transformer,
 * Nest's proto-key stripping) recurses, so a body a few kB long but thousands of levels deep
 * would otherwise overflow the stack (500).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * What PostgreSQL cannot store, refused for every string (and key) of a JSON body, wherever it
 * is: NUL (text columns refuse it, 22021) and unpaired UTF-16 surrogates, which JSON allows as
 * `\ud800` escapes but which are not Unicode (jsonb refuses them, 22P02; encodeURI throws).
 * Answers the refusals, at most a few; empty when the body is fine. Iterative: no recursion.
 */
export function jsonBodyRefusals(body: unknown): FieldError[] {
  const refusals: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  while (stack.length > 0 && refusals.length < 5) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) refusals.push({ field: path || '(body)', message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      refusals.push({
        field: path || '(body)',
        message: `must not nest more than ${MAX_JSON_DEPTH} levels deep`,
      });
      break;
    }
    for (const [key, member] of Object.entries(value)) {
      const memberPath = path ? `${path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) {
        // The key itself may be the unprintable part: name the parent.
        refusals.push({ field: path || '(body)', message: `a member name ${keyProblem}` });
        continue;
      }
      stack.push({ value: member, path: memberPath, depth: depth + 1 });
    }
  }
  return refusals;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    return 'must be valid Unicode (no unpaired surrogate)';
  }
  return undefined;
}

/**
 * Fastify's JSON parser (prototype-poisoning keys refused as before), then the checks above:
 * such a body is a 400 problem naming the member, before any route sees it.
 */
export function guardJsonBodies(server: FastifyInstance): void {
  const parse = server.getDefaultJsonParser('error', 'error');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    parse(request, String(raw), (error: Error | null, body?: unknown) => {
      if (error) return done(error, undefined);
      const refusals = jsonBodyRefusals(body);
      if (refusals.length === 0) return done(null, body);
      done(new ValidationFailedError(refusals, 'The request body holds what cannot be stored.'));
    });
  });
}
