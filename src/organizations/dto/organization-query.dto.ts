import { IsOptional, Matches } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { IsCountryCode } from '../../common/validation/decorators';

export class OrganizationQueryDto extends ListQueryDto {
  /** Only organisations serving this country (ISO 3166-1 alpha-2). */
  @IsOptional()
  @IsCountryCode()
  country?: string;

  /** Only organisations working in this language (BCP 47). */
  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, { message: 'language must be a BCP 47 tag' })
  language?: string;
}
