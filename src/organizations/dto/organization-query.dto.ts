import { IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import {
  IsCountryCode,
  IsLanguageTag,
  IsMachineCode,
  IsText,
} from '../../common/validation/decorators';
import { ORGANIZATION_SERVICES, OrganizationService } from '../organization-services';

export class OrganizationQueryDto extends ListQueryDto {
  /** Only organisations serving this country (ISO 3166-1 alpha-2). */
  @IsOptional()
  @IsCountryCode()
  country?: string;

  /** Only organisations working in this language (BCP 47). */
  @IsOptional()
  @IsLanguageTag()
  language?: string;

  /** Only organisations offering this service. */
  @IsOptional()
  @IsIn(ORGANIZATION_SERVICES)
  service?: OrganizationService;

  /** Only organisations serving this population (a constituency code such as `journalists_media`). */
  @IsOptional()
  @IsMachineCode(50)
  population?: string;

  /** Words to find in the name, slug or introduction (case-insensitive). */
  @IsOptional()
  @IsText(100)
  q?: string;
}
