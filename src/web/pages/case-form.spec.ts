import {
  caseBody,
  caseFieldOf,
  channelChoices,
  emptyForm,
  formValues,
  MAX_FORM_ROWS,
  readCaseForm,
  rows,
  serviceChecks,
} from './case-form';

const NOW = new Date('2026-03-04T12:00:00.000Z');
const ORG = '00000000-0000-4000-8000-00000000000b';
const USER = '00000000-0000-4000-8000-000000000001';

const posted = {
  _csrf: 'token',
  channel: ' meta/trusted-partner ',
  categoryCode: 'threats',
  subcategoryCode: 'death_physical_threat',
  country: 'MX',
  contentLanguage: '',
  urgency: 'high',
  tlp: 'AMBER',
  title: '  Threats after a stream ',
  summary: 'A pile-on',
  escalatedNow: 'on',
  consentToSharePattern: 'on',
  submission: 'k-1',
  targetGroups: ['women', ' women', 'lgbtiq', ''],
  shareWithOrganizationIds: ORG,
  shareWithUserIds: [USER],
  itemUrl0: 'https://example.org/p/1',
  itemUrl1: '  ',
  itemKind1: 'other',
  itemUrl2: 'https://example.org/p/3',
  itemKind2: 'image',
  itemSha2: 'AB'.repeat(32),
  itemCaptured2: '2026-03-04T09:30',
  indicatorKind0: 'hashtag',
  indicatorValue0: ' #Fuera ',
  indicatorKind1: '',
  indicatorValue1: '',
  indicatorKind2: 'phone',
  indicatorValue2: '',
  unknownField: 'dropped',
};

describe('case form', () => {
  it('reads a POST: trimmed, empty values and rows dropped, lists deduplicated', () => {
    expect(readCaseForm(posted)).toEqual({
      fields: {
        channel: 'meta/trusted-partner',
        categoryCode: 'threats',
        subcategoryCode: 'death_physical_threat',
        country: 'MX',
        urgency: 'high',
        tlp: 'AMBER',
        title: 'Threats after a stream',
        summary: 'A pile-on',
        escalatedNow: 'on',
        consentToSharePattern: 'on',
        submission: 'k-1',
      },
      lists: {
        targetGroups: ['women', 'lgbtiq'],
        shareWithOrganizationIds: [ORG],
        shareWithUserIds: [USER],
      },
      items: [
        { url: 'https://example.org/p/1', kind: '', contentSha256: '', capturedAt: '' },
        {
          url: 'https://example.org/p/3',
          kind: 'image',
          contentSha256: 'AB'.repeat(32),
          capturedAt: '2026-03-04T09:30',
        },
      ],
      indicators: [
        { kind: 'hashtag', value: '#Fuera' },
        { kind: 'phone', value: '' },
      ],
    });
  });

  it('reads at most MAX_FORM_ROWS rows and ignores what is not a string', () => {
    const body: Record<string, unknown> = { title: ['a', 'b'], country: 7 };
    for (let i = 0; i <= MAX_FORM_ROWS; i++) body[`itemUrl${i}`] = `https://example.org/${i}`;
    const form = readCaseForm(body);
    expect(form.items).toHaveLength(MAX_FORM_ROWS);
    expect(form.items.at(-1)?.url).toBe(`https://example.org/${MAX_FORM_ROWS - 1}`);
    expect(form.fields).toEqual({});
    expect(readCaseForm(undefined)).toEqual(emptyForm());
  });

  it('builds the body POST /v1/cases would get; sharing lists only for their level', () => {
    const form = readCaseForm(posted);
    expect(caseBody(form, NOW, 'America/La_Paz')).toStrictEqual({
      platformCode: 'meta',
      channelCode: 'trusted-partner',
      title: 'Threats after a stream',
      summary: 'A pile-on',
      categoryCode: 'threats',
      country: 'MX',
      subcategoryCode: 'death_physical_threat',
      urgency: 'high',
      tlp: 'AMBER',
      targetGroups: ['women', 'lgbtiq'],
      shareWithOrganizationIds: [ORG],
      consentToSharePattern: true,
      escalatedAt: '2026-03-04T12:00:00.000Z',
      items: [
        { url: 'https://example.org/p/1', kind: 'other' },
        {
          url: 'https://example.org/p/3',
          kind: 'image',
          contentSha256: 'AB'.repeat(32),
          // 09:30 in La Paz (UTC-4).
          capturedAt: '2026-03-04T13:30:00.000Z',
        },
      ],
      indicators: [
        { kind: 'hashtag', value: '#Fuera' },
        { kind: 'phone', value: '' },
      ],
    });
    const red = caseBody({ ...form, fields: { ...form.fields, tlp: 'RED' } }, NOW);
    expect(red.shareWithUserIds).toEqual([USER]);
    expect(red).not.toHaveProperty('shareWithOrganizationIds');
  });

  it('an empty form: required fields as empty strings, nothing optional', () => {
    expect(caseBody(emptyForm(), NOW)).toStrictEqual({
      platformCode: '',
      channelCode: '',
      title: '',
      summary: '',
      categoryCode: '',
      country: '',
      targetGroups: [],
      consentToSharePattern: false,
      items: [],
      indicators: [],
    });
  });

  it('puts every API error field on the form field that shows it', () => {
    expect(caseFieldOf('platformCode')).toBe('channel');
    expect(caseFieldOf('channelCode')).toBe('channel');
    expect(caseFieldOf('title')).toBe('title');
    expect(caseFieldOf('shareWithUserIds')).toBe('shareWithUserIds');
    expect(caseFieldOf('shareWithOrganizationIds.0')).toBe('shareWithOrganizationIds');
    expect(caseFieldOf('targetGroups.2')).toBe('targetGroups');
    expect(caseFieldOf('items.2.url')).toBe('itemUrl2');
    expect(caseFieldOf('items.1.contentSha256')).toBe('itemSha1');
    expect(caseFieldOf('items.0.capturedAt')).toBe('itemCaptured0');
    expect(caseFieldOf('items')).toBe('itemUrl0');
    expect(caseFieldOf('indicators.1.kind')).toBe('indicatorKind1');
    expect(caseFieldOf('indicators.1.value')).toBe('indicatorValue1');
    expect(caseFieldOf('indicators.4')).toBe('indicatorValue4');
  });

  it('lists the values by form field, rows numbered', () => {
    expect(formValues(readCaseForm(posted))).toEqual({
      channel: 'meta/trusted-partner',
      categoryCode: 'threats',
      subcategoryCode: 'death_physical_threat',
      country: 'MX',
      urgency: 'high',
      tlp: 'AMBER',
      title: 'Threats after a stream',
      summary: 'A pile-on',
      escalatedNow: 'on',
      consentToSharePattern: 'on',
      submission: 'k-1',
      targetGroups: 'women lgbtiq',
      shareWithOrganizationIds: ORG,
      shareWithUserIds: USER,
      itemUrl0: 'https://example.org/p/1',
      itemKind0: undefined,
      itemSha0: undefined,
      itemCaptured0: undefined,
      itemUrl1: 'https://example.org/p/3',
      itemKind1: 'image',
      itemSha1: 'AB'.repeat(32),
      itemCaptured1: '2026-03-04T09:30',
      indicatorKind0: 'hashtag',
      indicatorValue0: '#Fuera',
      indicatorKind1: 'phone',
      indicatorValue1: undefined,
    });
  });

  it("runs the service's checks it can: taxonomy, sharing, indicator values", () => {
    const body = caseBody(
      readCaseForm({
        ...posted,
        subcategoryCode: 'ncii_shared',
        tlp: 'AMBER',
        shareWithOrganizationIds: [],
        indicatorKind1: 'phone',
        indicatorValue1: 'not a phone',
        indicatorKind2: 'nonsense',
        indicatorValue2: 'x',
      }),
      NOW,
    );
    const errors = serviceChecks(body);
    expect(errors.map((e) => e.field)).toEqual([
      'subcategoryCode',
      'shareWithOrganizationIds',
      'indicators.1.value',
    ]);
    expect(errors[0].message).toBe(
      'subcategoryCode must be a subcategory of threats in the taxonomy',
    );
    expect(errors[1].message).toBe(
      'TLP AMBER needs at least one organisation in shareWithOrganizationIds',
    );
    expect(serviceChecks(caseBody(readCaseForm(posted), NOW))).toEqual([]);
    // A level outside the list is the DTO's to refuse, not this check's.
    expect(serviceChecks({ tlp: 'PURPLE', indicators: [] })).toEqual([]);
  });

  it('offers the filled rows and enough empty ones, up to the limit', () => {
    expect(rows([], '', false)).toEqual(['', '', '']);
    expect(rows(['a', 'b', 'c'], '', false)).toEqual(['a', 'b', 'c', '']);
    expect(rows(['a'], '', true)).toEqual(['a', '', '', '']);
    expect(rows(Array(19).fill('a'), '', true)).toHaveLength(MAX_FORM_ROWS);
    expect(rows(Array(MAX_FORM_ROWS).fill('a'), '', false)).toHaveLength(MAX_FORM_ROWS);
  });
});

describe('channelChoices', () => {
  const platform = (code: string, channels: string[]) => ({
    code,
    channels: channels.map((id) => ({ id })),
  });

  it('puts the channels the organisation may use first, and the platforms offering them first', () => {
    const choices = channelChoices(
      [platform('facebook', ['f1', 'f2']), platform('instagram', ['i1', 'i2', 'i3'])],
      ['i3', 'i2'],
    );
    expect(
      choices.map((p) => [
        p.code,
        p.usable,
        p.channels.map((c) => `${c.id}${c.usable ? '+' : ''}`),
      ]),
    ).toEqual([
      ['instagram', true, ['i2+', 'i3+', 'i1']],
      ['facebook', false, ['f1', 'f2']],
    ]);
  });

  it('keeps the order given when the organisation has no channel access', () => {
    const choices = channelChoices([platform('a', ['a1']), platform('b', ['b1'])], []);
    expect(choices.map((p) => [p.code, p.usable, p.channels[0].usable])).toEqual([
      ['a', false, false],
      ['b', false, false],
    ]);
  });
});
