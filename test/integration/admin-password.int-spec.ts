import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_INDICATOR_HASH_KEY, TEST_JWT_SECRET } from '../support/test-app';

/** Starts src/main.ts with this environment and answers its exit code and what it printed. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../src/main.ts')],
      {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          JWT_SECRET: TEST_JWT_SECRET,
          INDICATOR_HASH_KEY: TEST_INDICATOR_HASH_KEY,
          // Nothing listens there: a process that got past the check would fail differently.
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never',
          REDIS_URL: 'redis://127.0.0.1:1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('start-up with a weak ADMIN_PASSWORD', () => {
  it('refuses to start, naming ADMIN_PASSWORD and never printing it', async () => {
    for (const [password, rule] of [
      ['Password1234', 'ADMIN_PASSWORD is too easy to guess'],
      [
        'coordinator.general',
        'ADMIN_PASSWORD must not be the e-mail address or its part before the @',
      ],
    ]) {
      const { code, output } = await start({
        ADMIN_EMAIL: 'coordinator.general@example.org',
        ADMIN_PASSWORD: password,
      });
      expect({ code, firstLine: output.split('\n')[0] }).toEqual({
        code: 1,
        firstLine: 'Invalid configuration:',
      });
      expect(output).toContain(`  - ${rule}`);
      expect(output).not.toContain(password);
      expect(output).not.toMatch(/ECONNREFUSED|fatal/);
    }
  }, 90_000);
});
