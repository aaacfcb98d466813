import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (problem+json with `errors[]`)',
  401: 'Missing, malformed, expired or revoked credentials',
  403: 'Your role does not allow this',
  404: 'No such resource, or not visible to you',
  409: 'Conflicts with an existing record',
  410: 'Erased on request (told only to those who could see it)',
  412: 'The If-Match version is stale',
  413: 'Body too large',
  415: 'Body is not application/json',
  429: 'Too many requests; see Retry-After',
  503: 'A dependency is unavailable',
};

/** Declares the problem+json answers a route can give, for the OpenAPI document. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      }),
    ),
  );
