import type { OpenAPIObject } from '@nestjs/swagger';
import { preciseOpenApi } from './openapi-document';

const documentWith = (parameters: unknown[], tags: string[] = ['cases']): OpenAPIObject =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: { '/x': { get: { tags, parameters, responses: {} } } },
  }) as unknown as OpenAPIObject;

describe('preciseOpenApi', () => {
  it('makes a query parameter with a default optional, and leaves one without as it was', () => {
    const document = documentWith([
      { name: 'limit', in: 'query', required: true, schema: { type: 'number', default: 50 } },
      { name: 'from', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'id', in: 'path', required: true, schema: { type: 'string', default: 'x' } },
    ]);
    preciseOpenApi(document);
    const [limit, from, id] = document.paths['/x'].get!.parameters as { required: boolean }[];
    expect([limit.required, from.required, id.required]).toEqual([false, true, true]);
  });

  it('turns a comma-separated list into a string with the pattern of its members', () => {
    const document = documentWith([
      {
        name: 'groupBy',
        in: 'query',
        required: true,
        schema: {
          type: 'string',
          uniqueItems: true,
          default: ['month'],
          items: { type: 'string', enum: ['month', 'country'] },
        },
      },
    ]);
    preciseOpenApi(document);
    const [groupBy] = document.paths['/x'].get!.parameters as unknown as {
      required: boolean;
      schema: Record<string, unknown>;
    }[];
    expect(groupBy).toMatchObject({ required: false });
    expect(groupBy.schema).toEqual({
      type: 'string',
      default: 'month',
      pattern:
        '^(?!.*\\b(month|country)\\b.*\\b\\1\\b)(?:(?:month|country)(?:,(?:month|country))*)?$',
    });
    const pattern = new RegExp(groupBy.schema.pattern as string, 'u');
    expect(['', 'month', 'country,month'].every((v) => pattern.test(v))).toBe(true);
    const refused = [
      'city',
      'month,',
      ',month',
      'month country',
      'month,month',
      'country,month,country',
    ];
    expect(refused.filter((v) => pattern.test(v))).toEqual([]);
  });

  it('declares every tag used, once', () => {
    const document = documentWith([], ['cases', 'patterns']);
    document.tags = [{ name: 'cases', description: 'Cases' }];
    preciseOpenApi(document);
    expect(document.tags).toEqual([{ name: 'cases', description: 'Cases' }, { name: 'patterns' }]);
  });
});
