import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCommonPassword, isEmailAsPassword, newPasswordProblem } from './password-policy';

describe('password policy', () => {
  it('ships 10,000 distinct lower-case common passwords', () => {
    const lines = readFileSync(join(__dirname, 'data', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(lines).toHaveLength(10_000);
    expect(new Set(lines).size).toBe(10_000);
    expect(lines.every((line) => line === line.toLowerCase() && line.trim() === line)).toBe(true);
    expect(lines.slice(0, 2)).toEqual(['123456', 'password']);
  });

  it.each([
    'qwerty123456',
    'QWERTY123456',
    '1qaz2wsx3edc',
    'Password1234',
    '2024iloveyou!!',
    '!!!sunshine!!!',
    'qwertyqwerty',
    'Dragon123Dragon123',
    'aaaaaaaaaaaa',
    'abcabcabcabc',
  ])('finds %s common (the list, padded with digits or symbols, or repeated)', (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it.each([
    'a-long-enough-test-password',
    'correct horse battery staple',
    'demo-password-change-me',
    'ass123456789', // three letters among digits: no more common than the digits
    'sunshine in the morning',
    'Qm7#vLp2!xR9-zT4-kW8',
    'abcdabcdabcd',
  ])('accepts %s', (password) => {
    expect(isCommonPassword(password)).toBe(false);
  });

  it('refuses the e-mail address and its local part, in any case', () => {
    const email = 'Ana.Maria.Perez@Example.org';
    expect(isEmailAsPassword('ana.maria.perez@example.org', email)).toBe(true);
    expect(isEmailAsPassword('ANA.MARIA.PEREZ', email)).toBe(true);
    expect(isEmailAsPassword('ana.maria.perez!', email)).toBe(false);
    expect(isEmailAsPassword('ana.maria.perez', undefined)).toBe(false);
    expect(isEmailAsPassword('ana.maria.perez', 'not an address')).toBe(false);
  });

  it('names the first rule broken and the field, never the password', () => {
    const cases: [string, string | undefined, string | null][] = [
      ['short-one', undefined, 'ADMIN_PASSWORD must be at least 12 characters'],
      ['x'.repeat(257), undefined, 'ADMIN_PASSWORD must be at most 256 characters'],
      ['Password1234', undefined, expect.stringMatching(/^ADMIN_PASSWORD is too easy to guess/)],
      [
        'coordinator.longname',
        'coordinator.longname@example.org',
        'ADMIN_PASSWORD must not be the e-mail address or its part before the @',
      ],
      ['a-long-enough-test-password', 'ana@example.org', null],
    ];
    for (const [password, email, expected] of cases) {
      const problem = newPasswordProblem(password, email, 'ADMIN_PASSWORD');
      expect(problem).toEqual(expected);
      if (problem) expect(problem).not.toContain(password);
    }
  });
});
