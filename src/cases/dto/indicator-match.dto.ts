import { IsIn } from 'class-validator';
import { IsText } from '../../common/validation/decorators';
import { INDICATOR_KINDS, IndicatorKind } from '../indicator';

export class IndicatorMatchQueryDto {
  @IsIn(INDICATOR_KINDS)
  kind: IndicatorKind;

  @IsText(2048)
  value: string;
}

export class MatchedCaseDto {
  id: string;
  reference: string;
}

/** Other organisations and their cases that logged the same indicator. */
export class IndicatorMatchResponseDto {
  /** How many organisations other than yours logged it. */
  organizations: number;
  /** How many of their cases carry it. */
  cases: number;
  /** Those of their cases you may see. */
  visible: MatchedCaseDto[];
}
