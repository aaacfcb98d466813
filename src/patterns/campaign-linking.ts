/**
 * Campaign detection, pure: cases are linked when they share an indicator hash and were
 * escalated within `windowDays` of each other (a chain: A-B and B-C link A to C). A connected
 * group of cases from two or more organisations is a campaign.
 */
export interface IndicatorSighting {
  hash: string;
  caseId: string;
  organizationId: string;
  escalatedAt: Date;
}

export interface LinkedCases {
  caseIds: string[];
  organizationIds: string[];
  firstSeen: Date;
  lastSeen: Date;
}

export function linkCampaigns(
  sightings: readonly IndicatorSighting[],
  windowDays: number,
): LinkedCases[] {
  const windowMs = windowDays * 86_400_000;
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps later finds short.
    for (let x = id; x !== root;) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byHash = new Map<string, IndicatorSighting[]>();
  const cases = new Map<string, IndicatorSighting>();
  for (const s of sightings) {
    if (!parent.has(s.caseId)) parent.set(s.caseId, s.caseId);
    cases.set(s.caseId, s);
    const list = byHash.get(s.hash);
    if (list) list.push(s);
    else byHash.set(s.hash, [s]);
  }
  for (const list of byHash.values()) {
    list.sort((a, b) => a.escalatedAt.getTime() - b.escalatedAt.getTime());
    for (let i = 1; i < list.length; i++) {
      if (list[i].escalatedAt.getTime() - list[i - 1].escalatedAt.getTime() <= windowMs) {
        union(list[i - 1].caseId, list[i].caseId);
      }
    }
  }
  const groups = new Map<string, string[]>();
  for (const id of cases.keys()) {
    const root = find(id);
    const group = groups.get(root);
    if (group) group.push(id);
    else groups.set(root, [id]);
  }
  const campaigns: LinkedCases[] = [];
  for (const ids of groups.values()) {
    const members = ids.map((id) => cases.get(id)!);
    const organizations = [...new Set(members.map((m) => m.organizationId))].sort();
    if (organizations.length < 2) continue;
    const times = members.map((m) => m.escalatedAt.getTime());
    campaigns.push({
      caseIds: ids.sort(),
      organizationIds: organizations,
      firstSeen: new Date(Math.min(...times)),
      lastSeen: new Date(Math.max(...times)),
    });
  }
  return campaigns;
}
