import type { OpenAPIObject } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Max,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCountryCode, IsMachineCode, IsOmittable, IsText } from '../validation/decorators';
import { constrainFromValidation, UUID_PATTERN } from './openapi-constraints';

class ItemDto {
  @IsText(20)
  label: string;
}

class BodyDto {
  @IsMachineCode(10)
  code: string;

  @IsOptional()
  @IsUUID('all')
  ownerId?: string | null;

  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(9)
  hours?: number;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(['a', 'b'], { each: true })
  kinds?: string[];

  @IsCountryCode()
  country: string;

  /** Two patterns: both must hold. */
  @IsText(30)
  @Matches(/^[a-z ]+$/)
  note: string;

  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items: ItemDto[];
}

class QueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;

  @Type(() => Number)
  @IsInt()
  year: number;
}

/** A document as @nestjs/swagger writes it before our pass: loose types, no bounds. */
function looseDocument(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/x/{id}': {
        post: {
          operationId: 'X_create',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: true, schema: { type: 'number', default: 50 } },
            { name: 'year', in: 'query', required: false, schema: { type: 'number' } },
          ],
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/BodyDto' } } },
          },
          responses: {},
        },
      },
    },
    components: {
      schemas: {
        BodyDto: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            ownerId: { type: 'string', nullable: true },
            hours: { type: 'number', nullable: true },
            kinds: { type: 'array', items: { type: 'string' } },
            country: { type: 'string' },
            note: { type: 'string' },
            items: { type: 'array', items: { $ref: '#/components/schemas/ItemDto' } },
            ghost: { type: 'string' },
          },
          required: ['code'],
        },
        ItemDto: { type: 'object', properties: { label: { type: 'string' } } },
      },
    },
  } as OpenAPIObject;
}

describe('constrainFromValidation', () => {
  const document = looseDocument();
  constrainFromValidation(document, (operationId) =>
    operationId === 'X_create'
      ? { body: BodyDto, query: QueryDto, path: { id: { format: 'uuid', pattern: UUID_PATTERN } } }
      : undefined,
  );
  const schemas = document.components!.schemas as Record<string, Record<string, unknown>>;
  const body = schemas.BodyDto as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    additionalProperties: boolean;
  };

  it('says each rule of the body as JSON Schema', () => {
    expect(body.properties.code).toEqual({ type: 'string', pattern: '^[a-z0-9][a-z0-9_]{0,9}$' });
    expect(body.properties.ownerId).toEqual({
      type: 'string',
      format: 'uuid',
      pattern: UUID_PATTERN,
      nullable: true,
    });
    // IsOmittable: may be left out, never null.
    expect(body.properties.hours).toEqual({ type: 'integer', minimum: 1, maximum: 9 });
    expect(body.properties.kinds).toEqual({
      type: 'array',
      maxItems: 3,
      uniqueItems: true,
      items: { type: 'string', enum: ['a', 'b'] },
    });
    expect(body.properties.country.enum).toContain('EC');
    expect(body.properties.country.enum).not.toContain('XX');
    const note = new RegExp(body.properties.note.pattern as string, 'u');
    expect(['a note', 'with\u0000nul', 'Capital'].map((v) => note.test(v))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('requires what has no optional rule, refuses unknown fields, and drops what the pipe would refuse', () => {
    expect(body.required.sort()).toEqual(['code', 'country', 'items', 'note']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.ghost).toBeUndefined();
  });

  it('reaches nested objects through @Type', () => {
    expect(schemas.ItemDto).toMatchObject({
      required: ['label'],
      additionalProperties: false,
      properties: { label: { type: 'string', minLength: 1, maxLength: 20 } },
    });
  });

  it('types query parameters and says which are required, and gives path ids their format', () => {
    const [id, limit, year] = document.paths['/x/{id}'].post!.parameters as unknown as {
      required: boolean;
      schema: Record<string, unknown>;
    }[];
    expect(id.schema).toEqual({ type: 'string', format: 'uuid', pattern: UUID_PATTERN });
    expect(limit).toMatchObject({
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    });
    expect(year).toMatchObject({ required: true, schema: { type: 'integer' } });
  });
});
