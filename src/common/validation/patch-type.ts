import { Type } from '@nestjs/common';
import { PartialType } from '@nestjs/swagger';

/**
 * The body of a PATCH: every field may be left out, but a field that is required on creation
 * may not be set to null. Fields optional on creation keep their own rule (null clears them
 * where the column allows it, `IsOmittable` where it does not).
 */
export function PatchType<T>(classRef: Type<T>) {
  return PartialType(classRef, { skipNullProperties: false });
}
