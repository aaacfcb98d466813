import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { AppConfig } from '../config/app-config';

/**
 * argon2id with the library's defaults (64 MiB, t=3, p=4): about 0.25 s of CPU per hash here.
 * Under NODE_ENV=test only (never production or development), 8 MiB and t=1: the test suites
 * create and sign in thousands of users, and at full cost that was a minute and a half of the
 * suite on two cores. Verification reads the parameters from the stored hash either way.
 */
const TEST_ONLY = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw?: false };
  /** Verified against when an e-mail is unknown, so both refusals take the same time. */
  private readonly decoy: Promise<string>;

  constructor(config: AppConfig) {
    this.options = {
      type: argon2.argon2id,
      ...(config.nodeEnv === 'test' && !config.isProduction ? TEST_ONLY : {}),
    };
    this.decoy = argon2.hash('decoy-password-never-used', this.options);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    try {
      return await argon2
        .verify(hash ?? (await this.decoy), password)
        .then((ok) => ok && hash !== null);
    } catch {
      return false;
    }
  }
}
