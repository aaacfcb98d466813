import { parse } from 'csv-parse/sync';
import { CSV_NOTES, label, Lang, LANGUAGES, message } from '../i18n/labels';
import { ScorecardResponseDto, ScorecardRowDto } from './dto/scorecard.dto';
import { TrendsResponseDto } from './dto/trends.dto';
import {
  attachment,
  reportFilename,
  SCORECARD_FIGURES,
  scorecardCsv,
  trendsCsv,
} from './pattern-csv';

const read = (csv: string): string[][] => parse(csv, { bom: true, relax_column_count: false });

/** The rows before the note that ends every file. */
const data = (csv: string): string[][] => read(csv).slice(0, -1);

/** The note row of a file: the note in the first cell, the others empty. */
const noteOf = (csv: string): string[] => read(csv).at(-1)!;

const trends = (overrides: Partial<TrendsResponseDto> = {}): TrendsResponseDto => ({
  from: '2026-01',
  to: '2026-06',
  groupBy: ['month', 'category', 'country'],
  period: 'month',
  k: 5,
  data: [
    { month: '2026-03', category: 'doxxing', country: 'BO', count: 7, organizations: 2, suppressed: false },
    { month: '2026-03', category: 'harassment', country: 'MX', count: null, organizations: null, suppressed: true },
  ],
  total: { count: 12, organizations: 3, suppressed: false },
  ...overrides,
}); // prettier-ignore

describe('trendsCsv', () => {
  it('writes the dimensions, count, organisations and suppressed, then the total, in English', () => {
    const csv = trendsCsv(trends(), 'en');
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(csv).toContain('\r\n');
    expect(data(csv)).toEqual([
      ['Month', 'Category', 'Country', 'Count', 'Organisations', 'Suppressed (small numbers)'],
      ['2026-03', 'Doxxing and exposure of private information', 'Bolivia', '7', '2', 'false'],
      ['2026-03', 'Harassment and abuse', 'Mexico', '', '', 'true'],
      ['Total', '', '', '12', '3', 'false'],
    ]);
    expect(noteOf(csv)).toEqual([
      expect.stringMatching(/^How these figures are protected/),
      '',
      '',
      '',
      '',
      '',
    ]);
  });

  it('labels headers and values in Spanish for lang=es', () => {
    const rows = data(trendsCsv(trends(), 'es'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual([
      'Mes',
      'Categoría',
      'País',
      'Cantidad',
      'Organizaciones',
      'Oculto (cifras pequeñas)',
    ]);
    expect(rows[1]).toEqual([
      '2026-03',
      'Doxxing y exposición de información privada',
      'Bolivia',
      '7',
      '2',
      'false',
    ]);
    expect(rows[2].slice(0, 3)).toEqual(['2026-03', 'Acoso y abuso', 'México']);
    expect(rows[3][0]).toBe('Total');
  });

  it('leaves suppressed cells empty (never "<5"), even if an answer carried a figure', () => {
    const answer = trends({
      groupBy: ['country'],
      data: [{ country: 'BO', count: 3, organizations: 1, suppressed: true }],
      total: { count: 3, organizations: 1, suppressed: true },
    });
    const csv = trendsCsv(answer, 'en');
    expect(data(csv)).toEqual([
      ['Country', 'Count', 'Organisations', 'Suppressed (small numbers)'],
      ['Bolivia', '', '', 'true'],
      ['Total', '', '', 'true'],
    ]);
    expect(csv).not.toMatch(/<\s*\d/);
  });

  it('labels every dimension kind and leaves a missing optional value empty', () => {
    const answer = trends({
      groupBy: ['platform', 'channelKind', 'subcategory', 'dsaCategory', 'targetGroup', 'outcome'],
      data: [
        {
          platform: 'facebook',
          channelKind: 'trusted_partner',
          subcategory: 'abusive_messages',
          dsaCategory: 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
          targetGroup: 'journalists_media',
          outcome: null,
          count: 9,
          organizations: 3,
          suppressed: false,
        },
      ],
      total: { count: 9, organizations: 3, suppressed: false },
    });
    expect(data(trendsCsv(answer, 'es'))).toEqual([
      ['Plataforma', 'Tipo de canal', 'Subcategoría', 'Categoría DSA', 'Grupo afectado', 'Resultado', 'Cantidad', 'Organizaciones', 'Oculto (cifras pequeñas)'],
      ['facebook', 'Canal de socio de confianza', 'Mensajes abusivos o insultantes', 'Ciberviolencia contra las mujeres', 'Periodistas y trabajadoras de medios', '', '9', '3', 'false'],
      ['Total', '', '', '', '', '', '9', '3', 'false'],
    ]); // prettier-ignore
  });

  it('writes the total alone when nothing is grouped', () => {
    const answer = trends({
      groupBy: [],
      data: [{ count: 40, organizations: 4, suppressed: false }],
      total: { count: 40, organizations: 4, suppressed: false },
    });
    expect(read(trendsCsv(answer, 'fr'))).toEqual([
      [expect.any(String), expect.any(String), expect.any(String)],
      ['40', '4', 'false'],
      [expect.stringMatching(/^Comment ces chiffres sont protégés/), '', ''],
    ]);
  });

  it('defuses values a spreadsheet would run as a formula', () => {
    const answer = trends({
      groupBy: ['platform', 'category'],
      data: [
        { platform: '=HYPERLINK("http://x")', category: '+1-2', count: 5, organizations: 2, suppressed: false },
        { platform: '@SUM(A1)', category: '-3', count: 6, organizations: 2, suppressed: false },
      ],
      total: { count: 11, organizations: 2, suppressed: false },
    }); // prettier-ignore
    const rows = read(trendsCsv(answer, 'en'));
    expect(rows[1].slice(0, 2)).toEqual(['\'=HYPERLINK("http://x")', "'+1-2"]);
    expect(rows[2].slice(0, 2)).toEqual(["'@SUM(A1)", "'-3"]);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

const scorecardRow = (overrides: Partial<ScorecardRowDto>): ScorecardRowDto => ({
  platform: 'facebook',
  channel: 'trusted_partner',
  channelKind: 'trusted_partner',
  cases: 6,
  organizations: 2,
  suppressed: false,
  acknowledgedShare: 0.5,
  medianFirstResponseHours: 12.5,
  p90FirstResponseHours: 40,
  medianResolutionHours: null,
  p90ResolutionHours: null,
  actionedShare: 0.167,
  noResponseShare: 0,
  overdueShare: 0.333,
  pausedHours: 0,
  reasonGivenShare: null,
  contextUnderstoodShare: null,
  harmRecognisedAsGenderedShare: null,
  retraumatisingProofRequestedShare: null,
  incidents: { open: 0, overlapping: 0 },
  ...overrides,
});

describe('scorecardCsv', () => {
  const answer: ScorecardResponseDto = {
    from: '2026-01',
    to: '2026-06',
    k: 5,
    data: [
      scorecardRow({}),
      {
        ...scorecardRow({ channel: 'public_report_tool', channelKind: 'public_report' }),
        ...Object.fromEntries(SCORECARD_FIGURES.map((f) => [f, null])),
        suppressed: true,
      } as ScorecardRowDto,
    ],
    platforms: [
      { platform: 'facebook', contactDepartures: 2 },
      { platform: 'tiktok', contactDepartures: 0 },
    ],
  };

  it('writes a row per platform and channel, suppressed ones empty, then departures per platform', () => {
    const names = new Map([['facebook', '=Facebook']]);
    const rows = read(scorecardCsv(answer, 'en', names));
    expect(rows[0]).toEqual([
      'Platform',
      'Platform name',
      'Channel',
      'Channel type',
      'Cases',
      'Organisations',
      'Suppressed (small numbers)',
      'Share acknowledged',
      'Median time to first response (hours)',
      '90th percentile time to first response (hours)',
      'Median time to resolution (hours)',
      '90th percentile time to resolution (hours)',
      'Share actioned',
      'Share with no response',
      'Share overdue',
      'Hours paused (waiting for information)',
      'Share with a reason given',
      'Share where the context was understood',
      'Share where the harm was recognised as gender-based',
      'Share where retraumatising proof was requested',
      'Contact departures',
    ]);
    expect(rows[1]).toEqual(
      ['facebook', "'=Facebook", 'trusted_partner', 'Trusted partner channel', '6', '2', 'false', '0.5', '12.5', '40', '', '', '0.167', '0', '0.333', '0', '', '', '', '', ''],
    ); // prettier-ignore
    expect(rows[2]).toEqual([
      'facebook',
      "'=Facebook",
      'public_report_tool',
      'Public reporting tool',
      '',
      '',
      'true',
      ...Array(14).fill(''),
    ]);
    // A name is admin-editable text: defused like any cell. A platform without a name shows its code.
    expect(rows[3]).toEqual(['facebook', "'=Facebook", ...Array(18).fill(''), '2']);
    expect(rows[4]).toEqual(['tiktok', 'tiktok', ...Array(18).fill(''), '0']);
    expect(rows[5]).toEqual([
      expect.stringMatching(/^How these figures are protected/),
      ...Array(20).fill(''),
    ]);
    expect(rows).toHaveLength(6);
  });

  it('labels the header and channel kinds in Spanish', () => {
    const rows = read(scorecardCsv(answer, 'es'));
    expect(rows[0].slice(0, 8)).toEqual([
      'Plataforma',
      'Nombre de la plataforma',
      'Canal',
      'Tipo de canal',
      'Casos',
      'Organizaciones',
      'Oculto (cifras pequeñas)',
      'Proporción con acuse de recibo',
    ]);
    expect(rows[0][20]).toBe('Salidas de contactos');
    expect(rows[1][3]).toBe('Canal de socio de confianza');
    expect(rows[2][3]).toBe('Herramienta de denuncia pública');
  });
});

describe('the note that ends every file', () => {
  const scorecard: ScorecardResponseDto = {
    from: '2026-01',
    to: '2026-06',
    k: 7,
    data: [],
    platforms: [],
  };
  const files = [
    ['trends', (lang: Lang) => trendsCsv(trends({ k: 7 }), lang)],
    ['scorecard', (lang: Lang) => scorecardCsv(scorecard, lang)],
  ] as const; // prettier-ignore

  it('is the last row in every language: the note of the file in its first cell, the others empty', () => {
    expect(files.map(([note]) => note)).toEqual([...CSV_NOTES]);
    for (const [note, csv] of files) {
      for (const lang of LANGUAGES) {
        const rows = read(csv(lang));
        const [text, ...rest] = rows[rows.length - 1];
        expect({ note, lang, width: rest.length + 1 }).toEqual({ note, lang, width: rows[0].length });
        expect(rest.every((c) => c === '')).toBe(true);
        // Its placeholders filled: k of the answer, the header of the suppressed column.
        const template = message(lang, `note.${note}`)!;
        expect(template).toContain('{k}');
        expect(template).toContain('{column}');
        expect(text).toBe(
          template.replaceAll('{k}', '7').replaceAll('{column}', label(lang, 'column', 'suppressed')),
        );
      }
    }
  }); // prettier-ignore

  it('says in English that figures are perturbed, totals may not add up, and why a row is hidden', () => {
    const [text] = noteOf(trendsCsv(trends(), 'en'));
    expect(text).toContain('at most 2');
    expect(text).toContain('may not add up to the total');
    expect(text).toContain('“Suppressed (small numbers)”');
    expect(text).toContain('fewer than 5 cases');
    expect(text).toContain('one organisation');
    const [scorecardText] = noteOf(scorecardCsv(scorecard, 'en'));
    expect(scorecardText).toContain('at most 2');
    expect(scorecardText).toContain('fewer than 7 cases');
    expect(scorecardText).toMatch(/share, median, 90th percentile or hours paused is left empty/);
  });

  it('is in Spanish for lang=es', () => {
    const [text] = noteOf(trendsCsv(trends(), 'es'));
    expect(text).toMatch(/^Cómo se protegen estas cifras/);
    expect(text).toContain('«Oculto (cifras pequeñas)»');
    expect(text).toContain('menos de 5 casos');
  });
});

describe('file names', () => {
  it('are ASCII and quoted in the attachment header', () => {
    const name = reportFilename('trends', { from: '2026-01', to: '2026-06' }, 'csv');
    expect(name).toBe('trends-2026-01-2026-06.csv');
    expect(attachment(name)).toBe('attachment; filename="trends-2026-01-2026-06.csv"');
    expect(attachment('a"b\r\nc.csv')).toBe('attachment; filename="a_b__c.csv"');
    expect(reportFilename('platform-scorecard', { from: '2026-0"1', to: '2026-06' }, 'json')).toBe(
      'platform-scorecard-2026-01-2026-06.json',
    );
  });
});
