import { AppConfig } from '../config/app-config';
import { PasswordHasher } from './password-hasher';

const hasherFor = (nodeEnv: string) =>
  new PasswordHasher({ nodeEnv, isProduction: nodeEnv === 'production' } as AppConfig);

describe('PasswordHasher', () => {
  it('hashes with argon2id at full cost outside the tests', async () => {
    for (const env of ['production', 'development']) {
      const hash = await hasherFor(env).hash('a long enough passphrase');
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    }
  });

  it('is cheaper under NODE_ENV=test only, and verifies either', async () => {
    const test = hasherFor('test');
    const cheap = await test.hash('a long enough passphrase');
    expect(cheap).toMatch(/^\$argon2id\$v=19\$m=8192,p=1,t=1\$/);
    const full = await hasherFor('production').hash('a long enough passphrase');
    await expect(test.verify(full, 'a long enough passphrase')).resolves.toBe(true);
    await expect(hasherFor('production').verify(cheap, 'a long enough passphrase')).resolves.toBe(
      true,
    );
    await expect(test.verify(cheap, 'another passphrase')).resolves.toBe(false);
    await expect(test.verify(null, 'a long enough passphrase')).resolves.toBe(false);
  });
});
