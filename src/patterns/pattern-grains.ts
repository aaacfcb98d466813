/**
 * The dimensions trends are counted by, and the grains the rollups keep them at. A grain is a set
 * of dimensions; the rollup holds one row per cell of each grain (and organisation), so a
 * question is answered from the smallest grain that has every dimension it groups or filters by,
 * however many records there are.
 *
 * Target groups are several per case: a grain with `targetGroup` counts a case once per group,
 * so questions that do not ask about target groups must use a grain without it.
 */
export const DIMENSIONS = [
  'month',
  'platform',
  'channelKind',
  'category',
  'subcategory',
  'dsaCategory',
  'country',
  'targetGroup',
  'outcome',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Column of each dimension in `pattern_cells` (and in `pattern_records`, but target_groups). */
export const DIMENSION_COLUMN: Record<Dimension, string> = {
  month: 'month',
  platform: 'platform',
  channelKind: 'channel_kind',
  category: 'category',
  subcategory: 'subcategory',
  dsaCategory: 'dsa_category',
  country: 'country',
  targetGroup: 'target_group',
  outcome: 'outcome',
};

export interface Grain {
  id: number;
  dimensions: readonly Dimension[];
}

const ALL_BUT_TARGET_GROUP = DIMENSIONS.filter((d) => d !== 'targetGroup');

/**
 * Never renumber a grain: ids are stored in `pattern_cells`. A new grain needs its rows built
 * (a migration that refolds the records). The first two answer anything; the others are the
 * common questions, kept small.
 */
export const GRAINS: readonly Grain[] = [
  { id: 0, dimensions: ALL_BUT_TARGET_GROUP },
  { id: 1, dimensions: DIMENSIONS },
  { id: 2, dimensions: ['month', 'category', 'country'] },
  { id: 3, dimensions: ['month', 'platform', 'category'] },
  { id: 4, dimensions: ['month', 'category', 'subcategory', 'dsaCategory'] },
  { id: 5, dimensions: ['month', 'country', 'targetGroup'] },
  { id: 6, dimensions: ['month', 'platform', 'channelKind', 'outcome'] },
];

/** The smallest grain holding every dimension asked for (month is always needed: the period). */
export function grainFor(needed: Iterable<Dimension>): Grain {
  const want = new Set<Dimension>(needed);
  want.add('month');
  const byTargetGroup = want.has('targetGroup');
  const candidates = GRAINS.filter(
    (g) =>
      g.dimensions.includes('targetGroup') === byTargetGroup &&
      [...want].every((d) => g.dimensions.includes(d)),
  );
  // GRAINS 0 and 1 cover everything, so there is always a candidate.
  return candidates.reduce((best, g) => (g.dimensions.length < best.dimensions.length ? g : best));
}
