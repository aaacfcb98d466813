/**
 * The closed list of what an organisation offers, for referrals: the directory filters on it
 * and the pages label it (`ui.community.service.<code>`).
 */
export const ORGANIZATION_SERVICES = [
  'helpline',
  'legal',
  'psychosocial',
  'digital_security',
  'content_takedown',
  'forensic',
  'advocacy',
  'research',
  'training',
] as const;
export type OrganizationService = (typeof ORGANIZATION_SERVICES)[number];
