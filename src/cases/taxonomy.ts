import taxonomy from './data/taxonomy.json';

/**
 * The two-level TFGBV taxonomy (copied from shared/data/taxonomy.json). Codes are stable and
 * unique across both levels; labels are for reports, the service stores codes only.
 */
const SUBCATEGORIES_OF = new Map<string, Set<string>>(
  taxonomy.categories.map((c) => [c.code, new Set(c.subcategories.map((s) => s.code))]),
);

export const CATEGORY_CODES: readonly string[] = [...SUBCATEGORIES_OF.keys()];

export function isCategory(code: string): boolean {
  return SUBCATEGORIES_OF.has(code);
}

/** Whether the subcategory belongs to that category (a subcategory of another one is refused). */
export function isSubcategoryOf(category: string, subcategory: string): boolean {
  return SUBCATEGORIES_OF.get(category)?.has(subcategory) ?? false;
}

/**
 * Who the attack targeted, as the helplines describe their constituencies. A closed list, so the
 * anonymised patterns can be counted by it; `other` covers what it misses.
 */
export const TARGET_GROUPS = [
  'women',
  'girls',
  'lgbtiq',
  'trans_nonbinary',
  'journalists_media',
  'human_rights_defenders',
  'activists',
  'politicians_candidates',
  'public_figures',
  'sex_workers',
  'indigenous_people',
  'racialised_minorities',
  'religious_minorities',
  'disabled_people',
  'migrants_refugees',
  'young_people',
  'survivors_of_ipv',
  'other',
] as const;
export type TargetGroup = (typeof TARGET_GROUPS)[number];
