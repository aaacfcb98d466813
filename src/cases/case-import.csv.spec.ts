import {
  IMPORT_COLUMNS,
  ImportError,
  mapImportRow,
  parseImportCsv,
  toImportError,
} from './case-import.csv';

const HEADER = 'platform,channel,title,summary,category,country';
const csv = (text: string) => Buffer.from(text, 'utf8');

describe('parseImportCsv', () => {
  it('reads a header and rows into trimmed cells, leaving empty cells out, with their lines', () => {
    const parsed = parseImportCsv(
      csv(
        `${HEADER},urgency\nfacebook , trusted_partner,T1,S1,doxxing,BO,\nx,in_app_report,T2,S2,threats,EC,high\n`,
      ),
    );
    expect(parsed).toEqual({
      errors: [],
      rows: [
        {
          line: 2,
          cells: {
            platform: 'facebook',
            channel: 'trusted_partner',
            title: 'T1',
            summary: 'S1',
            category: 'doxxing',
            country: 'BO',
          },
        },
        {
          line: 3,
          cells: {
            platform: 'x',
            channel: 'in_app_report',
            title: 'T2',
            summary: 'S2',
            category: 'threats',
            country: 'EC',
            urgency: 'high',
          },
        },
      ],
    });
  });

  it('keeps quoted commas, doubled quotes and line breaks; a row is numbered by its first line', () => {
    const parsed = parseImportCsv(
      csv(
        `${HEADER}\nfacebook,tp,"A, b","line one\nline ""two""\nline three",doxxing,BO\nx,y,T,S,threats,EC\n`,
      ),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 5]);
    expect(parsed.rows[0].cells).toMatchObject({
      title: 'A, b',
      summary: 'line one\nline "two"\nline three',
    });
  });

  it('tolerates a BOM, CRLF line ends (also inside quotes) and blank lines, counting them', () => {
    const parsed = parseImportCsv(
      csv(
        `\ufeff${HEADER}\r\n\r\nfacebook,tp,T,"a\r\nb",doxxing,BO\r\n,,,,,\r\nx,y,T,S,threats,EC`,
      ),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.cells.platform])).toEqual([
      [3, 'facebook'],
      [6, 'x'],
    ]);
    expect(parsed.rows[0].cells.summary).toBe('a\r\nb');
  });

  it('matches header names without regard to case or spaces', () => {
    const parsed = parseImportCsv(
      csv(' Platform ,CHANNEL,title,summary,category,country\nfacebook,tp,T,S,doxxing,BO\n'),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0].cells.platform).toBe('facebook');
  });

  it('reads a semicolon-separated file (as spreadsheets in many locales export it)', () => {
    const parsed = parseImportCsv(
      csv(
        'platform;channel;title;summary;category;country;target_groups\nfacebook;tp;T, t;S;doxxing;BO;"women;girls"\n',
      ),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0].cells).toMatchObject({ title: 'T, t', target_groups: 'women;girls' });
  });

  it.each([
    ['an empty file', ''],
    ['a BOM and blank lines only', '\ufeff\n\n'],
  ])('refuses %s on line 1', (_label, text) => {
    expect(parseImportCsv(csv(text))).toEqual({
      rows: [],
      errors: [
        {
          line: 1,
          column: null,
          message: 'the file is empty: it needs a header row and at least one data row',
        },
      ],
    });
  });

  it('refuses a header without data rows', () => {
    expect(parseImportCsv(csv(`${HEADER}\n\n`)).errors).toEqual([
      { line: 1, column: null, message: 'the file has a header row but no data rows' },
    ]);
  });

  it('names unknown, repeated, unnamed and missing columns, all on line 1', () => {
    const parsed = parseImportCsv(csv('platform,channel,title,Colour,title,,category\nx\n'));
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors.map((e) => [e.line, e.column, e.message.split(';')[0]])).toEqual([
      [1, 'colour', 'unknown column "colour"'],
      [1, 'title', 'column "title" appears more than once'],
      [1, null, 'header column 6 has no name'],
      [1, 'summary', 'required column "summary" is missing'],
      [1, 'country', 'required column "country" is missing'],
    ]);
    expect(parsed.errors[0].message).toContain('the accepted columns are platform, channel');
  });

  it('refuses rows with more or fewer fields than the header, by line', () => {
    const parsed = parseImportCsv(csv(`${HEADER}\na,b,c,d,e,f,g\na,b,c,d,e,f\na,b\n`));
    expect(parsed.rows.map((r) => r.line)).toEqual([3]);
    expect(parsed.errors).toEqual([
      { line: 2, column: null, message: 'this row has 7 fields but the header has 6' },
      { line: 4, column: null, message: 'this row has 2 fields but the header has 6' },
    ]);
  });

  it('reports an unclosed quote on the line where its row starts, without quoting the data', () => {
    const parsed = parseImportCsv(
      csv(`${HEADER}\na,b,c,d,e,f\n\na,b,"secret text,d,e,f\na,b,c,d,e,f\n`),
    );
    expect(parsed).toEqual({
      rows: [],
      errors: [
        {
          line: 4,
          column: null,
          message: 'a quoted field starting in this row is never closed (a " is missing)',
        },
      ],
    });
  });

  it('reports text after a closing quote on its line', () => {
    const parsed = parseImportCsv(csv(`${HEADER}\na,b,c,d,e,f\na,"b"x,c,d,e,f\n`));
    expect(parsed.errors).toEqual([
      {
        line: 3,
        column: null,
        message:
          'a quoted field must end at its closing quote; to put a " inside a field, double it ("")',
      },
    ]);
  });

  it('refuses a quote inside an unquoted field, on its line', () => {
    const parsed = parseImportCsv(csv(`${HEADER}\na,b,c,d,e,f\na,b,5" screen,d,e,f\n`));
    expect(parsed.errors).toEqual([
      {
        line: 3,
        column: null,
        message:
          'a " inside a field that does not start with one: quote the whole field and double the " inside it',
      },
    ]);
  });

  it('refuses a file that is not UTF-8, naming the line', () => {
    const latin1 = Buffer.concat([
      csv(`${HEADER}\na,b,`),
      Buffer.from([0x4d, 0xe9, 0x78]),
      csv(',d,e,f\n'),
    ]);
    expect(parseImportCsv(latin1).errors).toEqual([
      {
        line: 2,
        column: null,
        message: 'this line is not valid UTF-8: save the file as "CSV UTF-8"',
      },
    ]);
  });

  it('stops at the row past the limit, saying the limit', () => {
    const rows = Array.from({ length: 4 }, () => 'a,b,c,d,e,f').join('\n');
    expect(parseImportCsv(csv(`${HEADER}\n${rows}\n`), 3)).toEqual({
      rows: [],
      errors: [
        {
          line: 5,
          column: null,
          message:
            'the file has more than 3 data rows; import at most 3 per request (split the file)',
        },
      ],
    });
    expect(parseImportCsv(csv(`${HEADER}\n${rows}\n`), 4).rows).toHaveLength(4);
  });
});

describe('mapImportRow', () => {
  const row = (cells: Record<string, string>, line = 7) => mapImportRow({ line, cells });
  const required = {
    platform: 'Facebook',
    channel: 'Trusted_Partner',
    title: 'T',
    summary: 'S',
    category: 'Doxxing',
    country: 'bo',
  };

  it('builds the body of POST /v1/cases: codes in their case, only the cells given', () => {
    expect(row(required)).toEqual({
      line: 7,
      body: {
        platformCode: 'facebook',
        channelCode: 'trusted_partner',
        title: 'T',
        summary: 'S',
        categoryCode: 'doxxing',
        country: 'BO',
      },
      history: {},
      errors: [],
    });
  });

  it('splits ; lists, dropping empty entries; URLs become items of kind other; kind:value indicators', () => {
    const mapped = row({
      ...required,
      target_groups: 'Women; journalists_media;',
      share_with_organization_ids: 'A0000000-0000-4000-8000-000000000001',
      item_urls: 'https://a.example/1; https://a.example/2',
      indicators: 'account_handle:@x; url:https://b.example/p?q=1;HASHTAG: #y',
      tlp: 'amber',
      urgency: 'HIGH',
      content_language: 'pt-BR',
      platform_reference: 'FB-1',
      escalated_at: '2025-01-02T03:04:05Z',
    });
    expect(mapped.errors).toEqual([]);
    expect(mapped.body).toMatchObject({
      targetGroups: ['women', 'journalists_media'],
      shareWithOrganizationIds: ['a0000000-0000-4000-8000-000000000001'],
      items: [
        { url: 'https://a.example/1', kind: 'other' },
        { url: 'https://a.example/2', kind: 'other' },
      ],
      indicators: [
        { kind: 'account_handle', value: '@x' },
        { kind: 'url', value: 'https://b.example/p?q=1' },
        { kind: 'hashtag', value: '#y' },
      ],
      tlp: 'AMBER',
      urgency: 'high',
      contentLanguage: 'pt-BR',
      platformReference: 'FB-1',
      escalatedAt: '2025-01-02T03:04:05Z',
    });
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
  ])('reads consent %s as %s', (cell, value) => {
    expect(row({ ...required, consent_to_share_pattern: cell }).body.consentToSharePattern).toBe(
      value,
    );
  });

  it('refuses other booleans, bad indicators, dates and outcomes, naming the column', () => {
    const mapped = row({
      ...required,
      consent_to_share_pattern: 'maybe',
      indicators: 'hashtag:#ok;no-colon',
      first_response_at: '2025-03-02',
      resolved_at: 'yesterday',
      outcome: 'deleted',
    });
    expect(mapped.errors).toEqual<ImportError[]>([
      {
        line: 7,
        column: 'consent_to_share_pattern',
        message: 'consent_to_share_pattern must be true, false, yes, no, 1 or 0',
      },
      {
        line: 7,
        column: 'indicators',
        message: 'indicators entry 2 must be kind:value, such as hashtag:#example',
      },
      {
        line: 7,
        column: 'first_response_at',
        message:
          'first_response_at must be an ISO 8601 date and time with a zone, such as 2026-03-02T10:00:00Z',
      },
      {
        line: 7,
        column: 'resolved_at',
        message:
          'resolved_at must be an ISO 8601 date and time with a zone, such as 2026-03-02T10:00:00Z',
      },
      {
        line: 7,
        column: 'outcome',
        message: expect.stringMatching(/^outcome must be one of content_removed, /),
      },
    ]);
    expect(mapped.body).not.toHaveProperty('consentToSharePattern');
  });

  it('keeps the past answers apart from the body', () => {
    const mapped = row({
      ...required,
      first_response_at: '2025-03-02T10:00:00Z',
      resolved_at: '2025-03-03T10:00:00+02:00',
      outcome: 'Content_Removed',
      closed_at: '2025-03-04T10:00:00Z',
    });
    expect(mapped.errors).toEqual([]);
    expect(mapped.history).toEqual({
      firstResponseAt: '2025-03-02T10:00:00Z',
      resolvedAt: '2025-03-03T10:00:00+02:00',
      outcome: 'content_removed',
      closedAt: '2025-03-04T10:00:00Z',
    });
  });

  it('names every empty required column', () => {
    const { title: _t, country: _c, ...rest } = required;
    expect(row(rest).errors).toEqual([
      { line: 7, column: 'title', message: 'title is required' },
      { line: 7, column: 'country', message: 'country is required' },
    ]);
  });
});

describe('toImportError', () => {
  it('words a body field error with its column', () => {
    expect(
      toImportError(3, { field: 'escalatedAt', message: 'escalatedAt must not be in the future' }),
    ).toEqual({
      line: 3,
      column: 'escalated_at',
      message: 'escalated_at must not be in the future',
    });
    expect(
      toImportError(3, {
        field: 'shareWithOrganizationIds',
        message: 'TLP AMBER needs at least one organisation in shareWithOrganizationIds',
      }),
    ).toEqual({
      line: 3,
      column: 'share_with_organization_ids',
      message: 'TLP AMBER needs at least one organisation in share_with_organization_ids',
    });
  });

  it('numbers list entries from 1', () => {
    expect(
      toImportError(4, { field: 'items.1.url', message: 'url must be an absolute http(s) URL' }),
    ).toEqual({
      line: 4,
      column: 'item_urls',
      message: 'item_urls entry 2: url must be an absolute http(s) URL',
    });
  });

  it('documents a column for every body field it maps', () => {
    expect(Object.keys(IMPORT_COLUMNS)).toHaveLength(21);
  });
});
