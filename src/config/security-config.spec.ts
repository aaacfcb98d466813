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
});
