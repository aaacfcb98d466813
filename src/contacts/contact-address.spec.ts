import { normalizeAddress } from './contact-address';

describe('normalizeAddress', () => {
  it.each([
    ['email', '  Ana.Perez@Meta.COM ', 'ana.perez@meta.com'],
    ['email', 'not-an-email', null],
    ['email', 'two@@example.org', null],
    ['phone', '+591 (700) 12-345', '+59170012345'],
    ['phone', '0059170012345', '+59170012345'],
    ['phone', '70012345', null],
    ['phone', '+0123456789', null],
    ['signal', '+34 600 000 000', '+34600000000'],
    ['signal', 'Trust_Team.42', 'trust_team.42'],
    ['signal', 'no-dots', null],
  ] as const)('%s %p -> %p', (kind, raw, expected) => {
    expect(normalizeAddress(kind, raw)).toBe(expected);
  });
});
