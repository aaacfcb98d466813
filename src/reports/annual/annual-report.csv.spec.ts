import { parse } from 'csv-parse/sync';
import { annualReportCsv, annualReportFilename, REPORT_FIGURES } from './annual-report.csv';
import { FigureRow } from './annual-report.repository';
import { qualitySections, toFigures } from './annual-report.service';
import { AnnualReportResponseDto } from './dto/annual-report.dto';

const raw: FigureRow = {
  escalations: 3,
  responded: 2,
  resolved: 1,
  actioned: 1,
  noResponse: 1,
  overdue: 2,
  firstResponseP50: 5400,
  firstResponseP90: 36000,
  resolutionP50: null,
  resolutionP90: null,
};
const figures = toFigures(raw);

const report: AnnualReportResponseDto = {
  organization: { slug: 'helpline', name: 'Helpline' },
  year: 2025,
  from: '2025-01-01T00:00:00.000Z',
  to: '2026-01-01T00:00:00.000Z',
  generatedAt: '2026-02-01T00:00:00.000Z',
  totals: figures,
  // A platform name is admin-editable text: it must not become a spreadsheet formula.
  byPlatform: [{ platform: 'evil', platformName: '=HYPERLINK("http://x")', ...figures }],
  byContentType: [{ category: 'doxxing', dsaCategory: null, ...figures }],
  byAction: [
    { outcome: 'open', ...figures },
    { outcome: 'closed', ...figures },
  ],
  byMonth: [{ month: '2025-01', ...figures }],
  ...qualitySections({
    answers: {
      reasonGiven: { yes: 2, no: 1, unknown: 0 },
      contextUnderstood: { yes: 0, no: 0, unknown: 3 },
      harmRecognisedAsGendered: { yes: 1, no: 2, unknown: 0 },
      retraumatisingProofRequested: { yes: 0, no: 3, unknown: 0 },
    },
    decisions: 4,
    sorReceived: 1,
    sorNotReceived: 2,
  }),
};

describe('annual report figures and CSV', () => {
  it('rounds shares to 3 decimals and hours to 1, and keeps missing times null', () => {
    expect(figures).toEqual({
      escalations: 3,
      responded: 2,
      resolved: 1,
      actionedShare: 0.333,
      noResponseShare: 0.333,
      overdueShare: 0.667,
      medianFirstResponseHours: 1.5,
      p90FirstResponseHours: 10,
      medianResolutionHours: null,
      p90ResolutionHours: null,
    });
    const none = toFigures({ ...raw, escalations: 0, actioned: 0, noResponse: 0, overdue: 0 });
    expect(none).toMatchObject({ actionedShare: null, noResponseShare: null, overdueShare: null });
  });

  it('writes a row per figure, numbers as numbers, null as empty, formulas defused', () => {
    const text = annualReportCsv(report, 'en');
    const [header, ...rows] = parse(text, { bom: true }) as string[][];
    expect(header).toHaveLength(8);
    // Six sections of figures, then 4 answers per quality question and 5 statement figures.
    expect(rows).toHaveLength(REPORT_FIGURES.length * 6 + 4 * 4 + 5);
    expect(rows.filter((r) => r[1] !== '').every((r) => r[1] === `'=HYPERLINK("http://x")`)).toBe(
      true,
    );
    const totals = rows.slice(0, REPORT_FIGURES.length).map((r) => r[7]);
    expect(totals).toEqual(['3', '2', '1', '0.333', '0.333', '0.667', '1.5', '10', '', '']);
    // No DSA category: an empty cell, not "null".
    expect(rows.filter((r) => r[2] !== '').every((r) => r[3] === '')).toBe(true);
    expect(text).not.toContain('null');
  });

  it('shares quality answers among yes and no, and counts statements of reasons per decision', () => {
    expect(report.responseQuality.map((q) => [q.question, q.yesShare])).toEqual([
      ['reasonGiven', 0.667],
      ['contextUnderstood', null],
      ['harmRecognisedAsGendered', 0.333],
      ['retraumatisingProofRequested', 0],
    ]);
    expect(report.statementsOfReasons).toEqual({
      decisions: 4,
      received: 1,
      notReceived: 2,
      notRecorded: 1,
      receivedShare: 0.25,
    });
    const rows = (parse(annualReportCsv(report, 'en'), { bom: true }) as string[][]).slice(
      1 + REPORT_FIGURES.length * 6,
    );
    expect(rows.slice(0, 4)).toEqual([
      ['Response quality', '', '', '', '', '', 'Reason given: yes', '2'],
      ['Response quality', '', '', '', '', '', 'Reason given: no', '1'],
      ['Response quality', '', '', '', '', '', 'Reason given: unknown', '0'],
      ['Response quality', '', '', '', '', '', 'Share with a reason given', '0.667'],
    ]);
    expect(rows.slice(-5)).toEqual([
      ['Statements of reasons', '', '', '', '', '', 'Decisions', '4'],
      ['Statements of reasons', '', '', '', '', '', 'With a statement of reasons', '1'],
      ['Statements of reasons', '', '', '', '', '', 'Without a statement of reasons', '2'],
      ['Statements of reasons', '', '', '', '', '', 'Statement of reasons not recorded', '1'],
      [
        'Statements of reasons',
        '',
        '',
        '',
        '',
        '',
        'Share of decisions with a statement of reasons',
        '0.25',
      ],
    ]);
  });

  it('names the file with the slug and year only', () => {
    expect(annualReportFilename('red-de-apoyo', 2025, 'csv')).toBe(
      'annual-report-red-de-apoyo-2025.csv',
    );
    expect(annualReportFilename('a"b/../c', 2025, 'csv')).toBe('annual-report-abc-2025.csv');
  });
});
