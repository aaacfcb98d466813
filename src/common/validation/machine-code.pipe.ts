import { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';
import { documentPipe } from '../http/openapi-constraints';

export const MACHINE_CODE_PATTERN = /^[a-z0-9][a-z0-9_]{0,59}$/;

/** Path codes (`facebook`, `trusted_partner_form`): anything else is a 400, never a lookup. */
export const MACHINE_CODE_PIPE: PipeTransform<string, string> = {
  transform(value: string, metadata) {
    if (!MACHINE_CODE_PATTERN.test(value)) {
      const field = metadata.data ?? 'code';
      throw new ValidationFailedError([{ field, message: `${field} must be a lowercase code` }]);
    }
    return value;
  },
};

documentPipe(MACHINE_CODE_PIPE, { type: 'string', pattern: MACHINE_CODE_PATTERN.source });
