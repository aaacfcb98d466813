import { PatternNotification } from './notification';
import { contractOf } from './notification-contract';
import { emailMessage, webhookPayload } from './notification-message';

const BASE = 'https://tracker.example.org';
const ORG = '5c0a3f7e-1111-4b2c-8d3e-222233334444';
const OTHER_ORG = '7d1b4e8f-2222-4c3d-9e4f-333344445555';
const CAMPAIGN_ID = '9e2c5f90-3333-4d4e-8f50-444455556666';

const campaign: PatternNotification = {
  type: 'campaign.detected',
  key: `campaign-${CAMPAIGN_ID}-${ORG}`,
  organizationId: ORG,
  occurredAt: '2026-03-05T10:00:04.000Z',
  campaign: {
    id: CAMPAIGN_ID,
    cases: 7,
    otherOrganizations: 2,
    namedOrganizations: [],
    platforms: ['facebook', 'instagram'],
    categories: ['doxxing'],
    countries: ['BO', 'PE'],
    firstSeen: '2026-02-01T08:00:00.000Z',
    lastSeen: '2026-03-04T18:30:00.000Z',
  },
};

const emerging: PatternNotification = {
  type: 'pattern.emerging',
  key: `emerging-2026-W10-doxxing-BO-${ORG}`,
  organizationId: ORG,
  occurredAt: '2026-03-05T10:00:04.000Z',
  emerging: {
    category: 'doxxing',
    country: 'BO',
    recentCount: 12,
    baselineCount: 3,
    rateRatio: 4.123456,
    pValue: 0.0123,
    windowMonths: 3,
    baselineMonths: 12,
  },
};

/**
 * A caller handing over more than the contract: case content and other organisations' ids at the
 * top and inside the aggregates.
 */
function richer<T extends PatternNotification>(n: T): T {
  const extra = {
    title: 'Doxxing of Valentina Mamani',
    summary: 'Home address Calle Sucre 1234',
    caseIds: ['0b7f2d7e-52d4-4d7f-9a51-0a4c1c3f5e6d'],
    organizationIds: [OTHER_ORG],
    reference: 'ESC-2026-000123',
  };
  return {
    ...n,
    ...extra,
    ...(n.campaign && { campaign: { ...n.campaign, ...extra } }),
    ...(n.emerging && { emerging: { ...n.emerging, ...extra } }),
  };
}
const LEAKS = /Valentina|Calle Sucre|0b7f2d7e|ESC-2026|title|summary|caseIds|organizationIds/;

describe('campaign.detected messages', () => {
  const expected = {
    id: campaign.key,
    type: 'campaign.detected',
    occurredAt: '2026-03-05T10:00:04.000Z',
    campaign: {
      ...campaign.campaign,
      links: { api: `${BASE}/v1/patterns/campaigns/${CAMPAIGN_ID}` },
    },
  };

  it('builds the webhook payload from the contract’s fields with a link to the campaign', () => {
    expect(webhookPayload(campaign, BASE)).toEqual(expected);
    // The organisation is the recipient, not something to tell the receiver (beyond the key,
    // whose shape the contract sets).
    const { id: _key, ...rest } = webhookPayload(campaign, BASE);
    expect(JSON.stringify(rest)).not.toContain(ORG);
  });

  it('leaves out whatever else the caller’s object carries, at the top or inside the campaign', () => {
    const payload = webhookPayload(richer(campaign), BASE);
    expect(payload).toEqual(expected);
    expect(JSON.stringify(payload)).not.toMatch(LEAKS);
    expect(JSON.stringify(payload)).not.toContain(OTHER_ORG);
    const mail = emailMessage(richer(campaign), BASE);
    expect(mail).toEqual(emailMessage(campaign, BASE));
    expect(mail.subject + mail.text).not.toMatch(LEAKS);
    expect(mail.subject + mail.text).not.toContain(OTHER_ORG);
  });

  it('copies the arrays, so the payload shares nothing with the caller’s object', () => {
    const payload = webhookPayload(campaign, BASE) as typeof expected;
    expect(payload.campaign.platforms).not.toBe(campaign.campaign!.platforms);
    expect(payload.campaign.namedOrganizations).not.toBe(campaign.campaign!.namedOrganizations);
  });

  it('words the e-mail with the number of other organisations, no names when none opted in', () => {
    const mail = emailMessage(campaign, BASE);
    expect(mail.subject).toBe(
      'campaign detected: your cases are linked with 2 other organisations',
    );
    expect(mail.text).toBe(
      [
        'Cases your organisation logged share an indicator with cases of 2 other organisations: a possible coordinated campaign (7 cases in all).',
        'Platforms: facebook, instagram',
        'Categories: doxxing',
        'Countries: BO, PE',
        'First seen: 2026-02-01T08:00:00.000Z',
        'Last seen: 2026-03-04T18:30:00.000Z',
        '',
        `Open the campaign: ${BASE}/v1/patterns/campaigns/${CAMPAIGN_ID}`,
        '',
        'You receive this because you are an organisation admin or member in the escalation tracker.',
        '',
      ].join('\n'),
    );
    expect(mail.subject + mail.text).not.toContain(ORG);
    expect(mail.text).not.toMatch(/named/i);
  });

  it('names the other organisations only as given in namedOrganizations', () => {
    const named = {
      ...campaign,
      campaign: {
        ...campaign.campaign!,
        otherOrganizations: 1,
        namedOrganizations: ['Red Alfa'],
      },
    } satisfies PatternNotification;
    const mail = emailMessage(named, BASE);
    expect(mail.subject).toBe('campaign detected: your cases are linked with 1 other organisation');
    expect(mail.text).toContain('share an indicator with cases of 1 other organisation:');
    expect(mail.text).toContain('\nNamed with their consent: Red Alfa\n');
    expect(webhookPayload(named, BASE)).toMatchObject({
      campaign: { otherOrganizations: 1, namedOrganizations: ['Red Alfa'] },
    });
  });

  it('shows empty code lists as a dash', () => {
    const bare = { ...campaign, campaign: { ...campaign.campaign!, platforms: [] } };
    expect(emailMessage(bare, BASE).text).toContain('\nPlatforms: -\n');
  });
});

describe('pattern.emerging messages', () => {
  const expected = {
    id: emerging.key,
    type: 'pattern.emerging',
    occurredAt: '2026-03-05T10:00:04.000Z',
    emerging: {
      category: 'doxxing',
      country: 'BO',
      recentCount: 12,
      baselineCount: 3,
      rateRatio: 4.123456,
      pValue: 0.0123,
      windowMonths: 3,
      baselineMonths: 12,
    },
  };

  it('builds the webhook payload from the contract’s fields only', () => {
    expect(webhookPayload(emerging, BASE)).toEqual(expected);
    const { id: _key, ...rest } = webhookPayload(emerging, BASE);
    expect(JSON.stringify(rest)).not.toContain(ORG);
  });

  it('leaves out whatever else the caller’s object carries', () => {
    const payload = webhookPayload(richer(emerging), BASE);
    expect(payload).toEqual(expected);
    expect(JSON.stringify(payload)).not.toMatch(LEAKS);
    const mail = emailMessage(richer(emerging), BASE);
    expect(mail).toEqual(emailMessage(emerging, BASE));
    expect(mail.subject + mail.text).not.toMatch(LEAKS);
  });

  it('words the e-mail with the codes, counts, rate ratio and p-value', () => {
    const mail = emailMessage(emerging, BASE);
    expect(mail.subject).toBe('emerging pattern: doxxing in BO');
    expect(mail.text).toBe(
      [
        'Cases of category doxxing in BO are rising in the shared repository.',
        'Recent: 12 cases in the last 3 months.',
        'Baseline: 3 cases in 12 months.',
        'Rate ratio: 4.12 (p = 0.012)',
        '',
        `See the emerging patterns: ${BASE}/v1/patterns/emerging`,
        '',
        'You receive this because you are an organisation admin or member in the escalation tracker.',
        '',
      ].join('\n'),
    );
    expect(mail.subject + mail.text).not.toContain(ORG);
  });

  it('says so when the baseline was too small to show, and keeps it null in the payload', () => {
    const small = {
      ...emerging,
      emerging: { ...emerging.emerging!, baselineCount: null, rateRatio: null, pValue: 0.0002 },
    } satisfies PatternNotification;
    const mail = emailMessage(small, BASE);
    expect(mail.text).toContain('\nBaseline: too few cases to show (12 months).\n');
    expect(mail.text).toContain('\nRate ratio: not shown (p < 0.001)\n');
    expect(webhookPayload(small, BASE)).toMatchObject({
      emerging: { baselineCount: null, rateRatio: null, pValue: 0.0002 },
    });
  });
});

describe('contractOf (what notify enqueues)', () => {
  it('keeps a campaign alert’s contract fields only, arrays copied', () => {
    const copy = contractOf(richer(campaign));
    expect(copy).toEqual(campaign);
    expect(JSON.stringify(copy)).not.toMatch(LEAKS);
    expect(copy.type === 'campaign.detected' && copy.campaign!.countries).not.toBe(
      campaign.campaign!.countries,
    );
  });

  it('keeps an emerging alert’s contract fields only', () => {
    expect(contractOf(richer(emerging))).toEqual(emerging);
  });

  it('keeps only the aggregate of its own type', () => {
    const both = { ...campaign, emerging: emerging.emerging };
    expect(contractOf(both)).toEqual(campaign);
  });

  it('refuses restrictedTo: pattern alerts go to the organisation as a whole', () => {
    const restricted = { ...campaign, restrictedTo: [ORG] } as unknown as PatternNotification;
    expect(() => contractOf(restricted)).toThrow(/restrictedTo is not allowed/);
  });

  it.each<[string, PatternNotification]>([
    ['a missing campaign', { ...campaign, campaign: undefined }],
    ['a missing emerging', { ...emerging, emerging: undefined }],
    [
      'an object inside a code list',
      {
        ...campaign,
        campaign: {
          ...campaign.campaign!,
          countries: [{ title: 'Valentina' }] as unknown as string[],
        },
      },
    ],
    [
      'an object for a count',
      {
        ...emerging,
        emerging: { ...emerging.emerging!, recentCount: { caseIds: [] } as unknown as number },
      },
    ],
    [
      'a non-finite number',
      { ...emerging, emerging: { ...emerging.emerging!, pValue: Number.NaN } },
    ],
  ])('refuses %s, naming the field and never the value', (_what, n) => {
    expect(() => contractOf(n)).toThrow(/^(campaign|pattern|emerging)\S* /);
    try {
      contractOf(n);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/Valentina|caseIds/);
    }
  });

  it('refuses an unknown type', () => {
    const odd = { ...campaign, type: 'case.deleted' } as unknown as PatternNotification;
    expect(() => contractOf(odd)).toThrow('unknown notification type');
  });
});
