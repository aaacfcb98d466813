import { longestGapDays, medianTenureDays, yearBefore } from './turnover.calculator';

describe('turnover calculator', () => {
  it('takes the median length of the tenures that ended in the period', () => {
    const tenures = [
      { startedOn: '2025-01-01', endedOn: '2025-01-11' }, // 10 days, ended before the period
      { startedOn: '2026-01-01', endedOn: '2026-01-31' }, // 30
      { startedOn: '2026-01-01', endedOn: '2026-03-02' }, // 60
      { startedOn: '2026-02-01', endedOn: '2026-05-12' }, // 100
      { startedOn: '2026-02-01', endedOn: null },
    ];
    expect(medianTenureDays(tenures, '2026-01-01', '2026-12-31')).toBe(60);
    expect(medianTenureDays(tenures.slice(0, 3), '2026-01-01', '2026-12-31')).toBe(45);
    expect(medianTenureDays(tenures, '2027-01-01', '2027-12-31')).toBeNull();
  });

  it('finds the longest uncovered run per country, within the period only', () => {
    const gaps = longestGapDays(
      [
        { countries: ['EC', 'BO'], startedOn: '2026-01-01', endedOn: '2026-01-10' },
        { countries: ['EC'], startedOn: '2026-01-21', endedOn: null },
        { countries: ['BO'], startedOn: '2026-01-05', endedOn: '2026-01-25' },
        { countries: ['MX'], startedOn: '2025-01-01', endedOn: '2025-06-30' },
      ],
      '2026-01-01',
      '2026-01-31',
    );
    // EC: uncovered 11..20 (10 days). BO: covered 1..25, uncovered 26..31 (6 days). MX: never in the period.
    expect(gaps).toEqual({ BO: 6, EC: 10, MX: 31 });
  });

  it('starts the default period on the same day a year earlier, 29 February on 1 March', () => {
    expect(yearBefore('2026-12-06')).toBe('2025-12-06');
    expect(yearBefore('2026-01-01')).toBe('2025-01-01');
    expect(yearBefore('2024-02-29')).toBe('2023-03-01');
    expect(yearBefore('2025-02-28')).toBe('2024-02-28');
  });

  it('counts a gap before the first coverage and merges overlapping coverage', () => {
    expect(
      longestGapDays(
        [
          { countries: ['ID'], startedOn: '2026-03-10', endedOn: '2026-03-20' },
          { countries: ['ID'], startedOn: '2026-03-15', endedOn: '2026-03-31' },
        ],
        '2026-03-01',
        '2026-03-31',
      ),
    ).toEqual({ ID: 9 });
  });
});
