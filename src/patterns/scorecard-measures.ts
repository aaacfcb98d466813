/**
 * What the scorecard counts per platform and channel. Each measure is a count of pattern records
 * kept per month and organisation with its cell key (`pattern_scorecard_counts`, one column pair
 * per measure: the migration DisclosureControl lists them), so a share's numerator, its
 * denominator and its complement are each a protected cell.
 */

/** The response-quality questions: field of the answer, column of the pattern record. */
export const QUALITY_FIELDS = [
  ['reasonGiven', 'reason_given'],
  ['contextUnderstood', 'context_understood'],
  ['harmRecognisedAsGendered', 'harm_recognised_as_gendered'],
  ['retraumatisingProofRequested', 'retraumatising_proof_requested'],
] as const;
export type QualityField = (typeof QUALITY_FIELDS)[number][0];

/**
 * Measure name -> the records it counts, as an SQL condition on a record alias (`$2` is the
 * list of actioned outcomes in the fold).
 */
export const SCORECARD_MEASURES: Record<string, (r: string) => string> = {
  cases: () => 'true',
  acknowledged: (r) => `${r}.acknowledged`,
  resolved: (r) => `${r}.resolved`,
  actioned: (r) => `${r}.outcome = ANY($2)`,
  no_response: (r) => `${r}.outcome = 'no_response'`,
  overdue: (r) => `${r}.overdue`,
  paused: (r) => `${r}.paused_seconds > 0`,
  ...Object.fromEntries(
    QUALITY_FIELDS.flatMap(([, column]) => [
      [`${column}_yes`, (r: string) => `${r}.${column} = 'yes'`],
      [`${column}_answered`, (r: string) => `${r}.${column} IN ('yes', 'no')`],
    ]),
  ),
};
export type ScorecardMeasure = keyof typeof SCORECARD_MEASURES;

/**
 * The durations kept as histograms, and the measure counting the cases that have one (its
 * organisations decide whether a percentile of them may be shown).
 */
export const DURATION_MEASURES = [
  {
    measure: 'first_response',
    seconds: (r: string) => `${r}.first_response_seconds`,
    countedBy: 'acknowledged',
  },
  {
    measure: 'resolution',
    seconds: (r: string) => `${r}.resolution_seconds`,
    countedBy: 'resolved',
  },
  {
    measure: 'paused',
    seconds: (r: string) => `NULLIF(${r}.paused_seconds, 0)`,
    countedBy: 'paused',
  },
] as const;
export type DurationMeasure = (typeof DURATION_MEASURES)[number]['measure'];
