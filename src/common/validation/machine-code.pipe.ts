import { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';

/** Path codes (`facebook`, `trusted_partner_form`): anything else is a 400, never a lookup. */
export const MACHINE_CODE_PIPE: PipeTransform<string, string> = {
  transform(value: string, metadata) {
    if (!/^[a-z0-9][a-z0-9_]{0,59}$/.test(value)) {
      const field = metadata.data ?? 'code';
      throw new ValidationFailedError([{ field, message: `${field} must be a lowercase code` }]);
    }
    return value;
  },
};
