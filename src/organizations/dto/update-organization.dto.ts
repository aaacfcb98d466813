import { OmitType } from '@nestjs/swagger';
import { PatchType } from '../../common/validation/patch-type';
import { CreateOrganizationDto } from './create-organization.dto';

/** Any field but the slug, which others may have stored. */
export class UpdateOrganizationDto extends PatchType(
  OmitType(CreateOrganizationDto, ['slug'] as const),
) {}
