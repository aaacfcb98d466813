import { loadConfig } from './app-config';
import { ConfigError } from './env.schema';

const BASE = { JWT_SECRET: 'a'.repeat(40), INDICATOR_HASH_KEY: 'k'.repeat(40) };

/** The problems loadConfig names for these variables, or [] when it accepts them. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('security configuration', () => {
  describe('CORS_ORIGINS', () => {
    it('is empty by default: no origin may call from a browser', () => {
      expect(loadConfig(BASE).config.http.corsOrigins).toEqual([]);
    });

    it('reads comma-separated exact origins, ignoring spaces and empty entries', () => {
      const { config } = loadConfig({
        ...BASE,
        CORS_ORIGINS: ' https://app.example.org, http://localhost:5173,,https://x.example:8443 ',
      });
      expect(config.http.corsOrigins).toEqual([
        'https://app.example.org',
        'http://localhost:5173',
        'https://x.example:8443',
      ]);
    });

    it.each([
      '*',
      'https://*.example.org',
      'app.example.org',
      'https://app.example.org/',
      'https://app.example.org/path',
      'https://APP.example.org',
      'https://app.example.org:443',
      'ftp://app.example.org',
      'https://app.example.org,javascript:alert(1)',
      'null',
    ])('refuses %s, naming the variable', (value) => {
      const found = problems({ CORS_ORIGINS: value });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^CORS_ORIGINS must be comma-separated origins/);
    });
  });

  describe('JWT_PREVIOUS_SECRET', () => {
    it('is optional, and read when set', () => {
      expect(loadConfig(BASE).config.jwt.previousSecret).toBeUndefined();
      const previous = 'p'.repeat(40);
      expect(loadConfig({ ...BASE, JWT_PREVIOUS_SECRET: previous }).config.jwt.previousSecret).toBe(
        previous,
      );
    });

    it('must be 32 characters or more and differ from JWT_SECRET, named without its value', () => {
      expect(problems({ JWT_PREVIOUS_SECRET: 'short-previous-secret' })).toEqual([
        'JWT_PREVIOUS_SECRET must be at least 32 characters',
      ]);
      expect(problems({ JWT_PREVIOUS_SECRET: BASE.JWT_SECRET })).toEqual([
        'JWT_PREVIOUS_SECRET must differ from JWT_SECRET',
      ]);
    });
  });

  describe('login lockout and write limit', () => {
    it('default to 10 failures, 15 minutes and 600 writes a minute', () => {
      const { config } = loadConfig(BASE);
      expect(config.loginLockout).toEqual({ failures: 10, durationMs: 900_000 });
      expect(config.writeRateLimitPerMinute).toBe(600);
    });

    it('accept 0 to switch lockout or the write limit off, and refuse nonsense by name', () => {
      const { config } = loadConfig({
        ...BASE,
        LOGIN_LOCKOUT_FAILURES: '0',
        WRITE_RATE_LIMIT_PER_MINUTE: '0',
      });
      expect(config.loginLockout.failures).toBe(0);
      expect(config.writeRateLimitPerMinute).toBe(0);
      expect(
        problems({
          LOGIN_LOCKOUT_FAILURES: '-1',
          LOGIN_LOCKOUT_MINUTES: '0',
          WRITE_RATE_LIMIT_PER_MINUTE: 'lots',
        })
          .map((p) => p.split(' ')[0])
          .sort(),
      ).toEqual(['LOGIN_LOCKOUT_FAILURES', 'LOGIN_LOCKOUT_MINUTES', 'WRITE_RATE_LIMIT_PER_MINUTE']);
    });
  });
});
