import taxonomy from '../cases/data/taxonomy.json';

export interface DsaMapping {
  code: string;
  /** When the targets include women or girls. */
  gendered: string;
  /** Otherwise. */
  generic: string;
}

interface RawDsa {
  category: string;
  generic?: { category: string };
}

/**
 * The EU DSA statement-of-reasons category of every taxonomy code (taxonomy.json's crosswalk):
 * a subcategory's `dsa.category` when women or girls were targeted, its `dsa.generic` (or the
 * same) otherwise. A case with no subcategory takes its category's `dsa_category`, and as the
 * generic one the commonest generic category of its subcategories.
 */
export const DSA_MAPPINGS: readonly DsaMapping[] = taxonomy.categories.flatMap((category) => {
  const subs = category.subcategories.map((s) => {
    const dsa = (s as { dsa: RawDsa }).dsa;
    return { code: s.code, gendered: dsa.category, generic: dsa.generic?.category ?? dsa.category };
  });
  const votes = new Map<string, number>();
  for (const s of subs) votes.set(s.generic, (votes.get(s.generic) ?? 0) + 1);
  const generic =
    [...votes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ??
    category.dsa_category;
  return [{ code: category.code, gendered: category.dsa_category, generic }, ...subs];
});
