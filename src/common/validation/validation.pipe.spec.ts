import { Type } from 'class-transformer';
import { IsInt, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';
import { isTimestamp } from './decorators';
import { AppValidationPipe, assertValid } from './validation.pipe';

class ItemDto {
  @IsString()
  @MaxLength(5)
  url: string;
}

class SampleDto {
  @IsInt()
  n: number;

  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items: ItemDto[];
}

describe('validation', () => {
  const pipe = new AppValidationPipe();
  const meta = { type: 'body' as const, metatype: SampleDto };

  it('names nested fields by their full path, one message per field', async () => {
    const error = await pipe
      .transform({ n: 'x', items: [{ url: 'ok' }, { url: 'too-long' }], extra: 1 }, meta)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).errors).toEqual([
      { field: 'extra', message: 'is not an accepted field' },
      { field: 'n', message: 'n must be an integer number' },
      { field: 'items.1.url', message: 'url must be shorter than or equal to 5 characters' },
    ]);
  });

  it.each([[null], [[]], ['text'], [7]])(
    'refuses a body that is not an object (%p)',
    async (body) => {
      await expect(pipe.transform(body, meta)).rejects.toMatchObject({
        status: 400,
        errors: [{ field: '(body)', message: 'must be a JSON object' }],
      });
    },
  );

  it('passes and converts a valid body', async () => {
    await expect(pipe.transform({ n: 3, items: [{ url: 'a' }] }, meta)).resolves.toEqual({
      n: 3,
      items: [{ url: 'a' }],
    });
  });

  it('validates input that does not come through HTTP the same way', () => {
    expect(() => assertValid(SampleDto, { n: 1.5, items: [] })).toThrow(ValidationFailedError);
    expect(assertValid(SampleDto, { n: 1, items: [] })).toBeInstanceOf(SampleDto);
  });
});

describe('isTimestamp', () => {
  it.each([
    '2026-03-02T10:00:00Z',
    '2026-03-02T10:00:00.123Z',
    '2026-03-02T10:00Z',
    '2026-03-02T10:00:00+05:30',
    '2024-02-29T00:00:00Z',
  ])('accepts %s', (value) => {
    expect(isTimestamp(value)).toBe(true);
  });

  it.each([
    '2026-03-02',
    '2026-03-02T10:00:00',
    '2026-02-30T10:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-02T24:00:00Z',
    '2026-03-02 10:00:00Z',
    'yesterday',
    12345,
  ])('refuses %s', (value) => {
    expect(isTimestamp(value)).toBe(false);
  });
});
