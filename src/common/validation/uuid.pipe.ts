import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';

/** Path ids must be UUIDs; anything else is a 400 problem naming the parameter. */
export const UUID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ValidationFailedError([{ field: 'id', message: 'id must be a UUID' }]),
});
