import { statusAfterCorrection } from './channel-access.rules';

describe('statusAfterCorrection', () => {
  const current = { countries: ['BO', 'EC'], since: '2025-01-01', until: '2025-12-31' };

  it('keeps whatever status a community admin corrects', () => {
    expect(statusAfterCorrection('admin', 'approved', current, { countries: ['MX'] })).toBe(
      'approved',
    );
    expect(statusAfterCorrection('admin', 'claimed', current, { since: '2020-01-01' })).toBe(
      'claimed',
    );
  });

  it('keeps a claim a claim', () => {
    expect(statusAfterCorrection('org_admin', 'claimed', current, { until: null })).toBe('claimed');
  });

  it('keeps an approval that the organisation narrows or documents', () => {
    for (const change of [
      { until: '2025-06-30' },
      { until: '2025-12-31' },
      { countries: ['BO'] },
      { since: '2025-03-01' },
      { evidenceNote: 'New letter', confirmedOn: '2025-01-02', confirmedBy: 'Policy team' },
      {},
    ]) {
      expect({
        change,
        status: statusAfterCorrection('org_admin', 'approved', current, change),
      }).toEqual({ change, status: 'approved' });
    }
    // Ending an open-ended access narrows it.
    expect(
      statusAfterCorrection(
        'org_admin',
        'approved',
        { ...current, until: null },
        {
          until: '2025-06-30',
        },
      ),
    ).toBe('approved');
  });

  it('turns an approval the organisation widens back into a claim', () => {
    for (const change of [
      { countries: ['BO', 'EC', 'MX'] },
      { countries: ['PE'] },
      { since: '2024-12-31' },
      { until: '2026-01-01' },
      { until: null },
    ]) {
      expect({
        change,
        status: statusAfterCorrection('org_admin', 'approved', current, change),
      }).toEqual({ change, status: 'claimed' });
    }
  });
});
