/** vCard 4.0 (RFC 6350) for one contact's current details. */

export interface VcardInput {
  id: string;
  fullName: string;
  organization: string;
  title?: string | null;
  emails: string[];
  phones: string[];
  signals: string[];
  languages: string[];
  revision: Date;
}

/** Escapes a text value (section 3.4): backslash, comma, semicolon, newline. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line at 75 octets (section 3.2), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function buildVcard(input: VcardInput): string {
  const lines = [
    'BEGIN:VCARD',
    'VERSION:4.0',
    `UID:urn:uuid:${input.id}`,
    `FN:${escapeText(input.fullName)}`,
    `ORG:${escapeText(input.organization)}`,
    ...(input.title ? [`TITLE:${escapeText(input.title)}`] : []),
    ...input.emails.map((e) => `EMAIL;TYPE=work:${escapeText(e)}`),
    ...input.phones.map((p) => `TEL;VALUE=uri;TYPE=work,voice:tel:${p}`),
    // Signal numbers are phone URIs; usernames have no URI scheme, so they go in a note.
    ...input.signals
      .filter((s) => s.startsWith('+'))
      .map((s) => `IMPP;TYPE=signal:sgnl://signal.me/#p/${s}`),
    ...input.signals
      .filter((s) => !s.startsWith('+'))
      .map((s) => `NOTE:${escapeText(`Signal: ${s}`)}`),
    ...input.languages.map((l, i) => `LANG;PREF=${i + 1}:${l}`),
    `REV:${input.revision
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')}`,
    'END:VCARD',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
