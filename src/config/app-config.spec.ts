import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { ConfigError } from './env.schema';

const SECRET = 'a'.repeat(40);
const KEY = 'k'.repeat(40);

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'et-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('works with no configuration at all outside production, generating secrets once into a local file', () => {
    const file = join(dir, 'secrets.json');
    const first = loadConfig({ LOCAL_SECRETS_FILE: file });
    expect(first.localSecrets).toEqual(['JWT_SECRET', 'INDICATOR_HASH_KEY']);
    expect(first.config.indicatorHashKey.length).toBeGreaterThanOrEqual(32);
    expect(first.config.indicatorHashKey).not.toBe(first.config.jwt.secret);
    expect(first.config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/escalation_tracker');
    expect(first.config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(first.config.http.port).toBe(3000);
    expect(first.config.role).toBe('all');
    expect(existsSync(file)).toBe(true);
    const second = loadConfig({ LOCAL_SECRETS_FILE: file });
    expect(second.config.jwt.secret).toBe(first.config.jwt.secret);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      JWT_SECRET: first.config.jwt.secret,
      INDICATOR_HASH_KEY: first.config.indicatorHashKey,
    });
  });

  it('requires every secret in production and names the missing one', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', LOCAL_SECRETS_FILE: join(dir, 's.json') }),
    ).toThrow(
      new ConfigError([
        'JWT_SECRET is required in production',
        'INDICATOR_HASH_KEY is required in production',
      ]),
    );
    expect(existsSync(join(dir, 's.json'))).toBe(false);
  });

  it('names every malformed variable without echoing its value', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        JWT_SECRET: 'short-secret-value',
        INDICATOR_HASH_KEY: KEY,
        PORT: 'eighty',
        APP_ROLE: 'scheduler',
        DATABASE_URL: 'mysql://db/x',
        TRUST_PROXY: 'true',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'APP_ROLE',
      'DATABASE_URL',
      'JWT_SECRET',
      'PORT',
    ]);
    expect(error!.message).not.toContain('short-secret-value');
    expect(error!.message).not.toContain('eighty');
  });

  it('converts types and reads roles', () => {
    const { config } = loadConfig({
      JWT_SECRET: SECRET,
      INDICATOR_HASH_KEY: KEY,
      PORT: '8080',
      APP_ROLE: 'worker',
      TRUST_PROXY: 'true',
      K: 'ignored',
    });
    expect(config.http).toMatchObject({ port: 8080, trustProxy: true });
    expect([config.runsApi, config.runsWorkers]).toEqual([false, true]);
    expect(
      loadConfig({ JWT_SECRET: SECRET, INDICATOR_HASH_KEY: KEY, APP_ROLE: 'api' }).config
        .runsWorkers,
    ).toBe(false);
  });
});
