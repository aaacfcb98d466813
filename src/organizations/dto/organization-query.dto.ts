import { IsOptional } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { IsCountryCode, IsLanguageTag } from '../../common/validation/decorators';

export class OrganizationQueryDto extends ListQueryDto {
  /** Only organisations serving this country (ISO 3166-1 alpha-2). */
  @IsOptional()
  @IsCountryCode()
  country?: string;

  /** Only organisations working in this language (BCP 47). */
  @IsOptional()
  @IsLanguageTag()
  language?: string;
}
