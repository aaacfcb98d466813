import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  ArgumentMetadata,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../errors/domain-error';

/** Flattens class-validator's tree into `[{field: 'items.0.url', message}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field: field || '(body)',
      // Nested messages name only the leaf property; give the full path instead.
      message: message.replace(/^property (\S+) should not exist$/, 'is not an accepted field'),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Global validation: unknown fields are refused (400), values are converted to the DTO types,
 * and a body that is not a JSON object is refused before class-validator sees it.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    // One message per field is enough to fix it.
    stopAtFirstError: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype && !PRIMITIVES.has(metadata.metatype);
    if (dto && (metadata.type === 'body' || metadata.type === 'query')) {
      if (value === undefined && metadata.type === 'body') value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationFailedError(
          [{ field: '(body)', message: 'must be a JSON object' }],
          'The request body must be a JSON object.',
        );
      }
    }
    return this.inner.transform(value, metadata);
  }
}

/** The same validation for input that does not come through HTTP (CLI, start-up bootstrap). */
export function assertValid<T extends object>(dtoClass: new () => T, plain: object): T {
  const instance = plainToInstance(dtoClass, plain);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) throw new ValidationFailedError(flattenValidationErrors(errors));
  return instance;
}
