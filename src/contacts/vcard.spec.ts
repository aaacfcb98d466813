import { buildVcard, escapeText, foldLine } from './vcard';

describe('vCard', () => {
  it('escapes text values', () => {
    expect(escapeText('Trust, Safety; Team\\LatAm\nline')).toBe(
      'Trust\\, Safety\\; Team\\\\LatAm\\nline',
    );
  });

  it('folds lines at 75 octets without splitting characters', () => {
    const folded = foldLine(`NOTE:${'ñ'.repeat(60)}`);
    const parts = folded.split('\r\n');
    expect(parts.length).toBe(2);
    expect(Buffer.byteLength(parts[0], 'utf8')).toBeLessThanOrEqual(75);
    expect(parts[1].startsWith(' ')).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(`NOTE:${'ñ'.repeat(60)}`);
  });

  it('builds a vCard 4.0 with the current details only', () => {
    const card = buildVcard({
      id: '6f1c1a52-0000-4000-8000-000000000001',
      fullName: 'Ana Pérez',
      organization: 'Meta Platforms',
      title: 'Policy Manager, LatAm',
      emails: ['ana@meta.example'],
      phones: ['+59170012345'],
      signals: ['+34600000000', 'ana.01'],
      languages: ['es', 'en'],
      revision: new Date('2026-11-28T10:20:30.456Z'),
    });
    expect(card.split('\r\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:6f1c1a52-0000-4000-8000-000000000001',
      'FN:Ana Pérez',
      'ORG:Meta Platforms',
      'TITLE:Policy Manager\\, LatAm',
      'EMAIL;TYPE=work:ana@meta.example',
      'TEL;VALUE=uri;TYPE=work,voice:tel:+59170012345',
      'IMPP;TYPE=signal:sgnl://signal.me/#p/+34600000000',
      'NOTE:Signal: ana.01',
      'LANG;PREF=1:es',
      'LANG;PREF=2:en',
      'REV:20261128T102030Z',
      'END:VCARD',
      '',
    ]);
  });
});
