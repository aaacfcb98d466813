import { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';
import { documentPipe, UUID_PATTERN } from '../http/openapi-constraints';

/**
 * Path ids must be UUIDs, as bodies' `@IsUUID('all')` checks them (RFC 9562 versions 1 to 8, nil,
 * max); anything else is a 400 problem naming the parameter.
 */
export const UUID_PIPE: PipeTransform<string, string> = {
  transform(value: string, metadata) {
    if (!isUUID(value, 'all')) {
      const field = metadata.data ?? 'id';
      throw new ValidationFailedError([{ field, message: `${field} must be a UUID` }]);
    }
    return value;
  },
};

// The document says the versioned form, which every id we issue has.
documentPipe(UUID_PIPE, { type: 'string', format: 'uuid', pattern: UUID_PATTERN });
