import { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';
import { documentPipe, UUID_PATTERN } from '../http/openapi-constraints';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids must be UUIDs; anything else is a 400 problem naming the parameter. */
export const UUID_PIPE: PipeTransform<string, string> = {
  transform(value: string, metadata) {
    if (typeof value !== 'string' || !UUID.test(value)) {
      const field = metadata.data ?? 'id';
      throw new ValidationFailedError([{ field, message: `${field} must be a UUID` }]);
    }
    return value;
  },
};

// The document says the RFC 9562 form (versions 1 to 8), which every id we issue has.
documentPipe(UUID_PIPE, { type: 'string', format: 'uuid', pattern: UUID_PATTERN });
