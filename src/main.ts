import 'reflect-metadata';
import { setTimeout } from 'node:timers/promises';
import { createHttpApp, createWorkerContext } from './app.factory';
import { newPasswordProblem } from './users/password-policy';
import { loadConfig } from './config/app-config';
import { ConfigError } from './config/env.schema';
import { Lifecycle } from './common/lifecycle';
import { createRootLogger } from './common/logging/logger';
import { createDatabaseIfMissing, runMigrations } from './database/migrate';
import { AdminBootstrapService } from './users/admin-bootstrap.service';

async function main() {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, localSecrets } = loaded;
  // The first admin's password meets the policy of every password; refuse to start otherwise.
  const { email: adminEmail, password: adminPassword } = config.bootstrapAdmin;
  const adminPasswordProblem =
    adminPassword && newPasswordProblem(adminPassword, adminEmail, 'ADMIN_PASSWORD');
  if (adminPasswordProblem) {
    console.error(`Invalid configuration:\n  - ${adminPasswordProblem}`);
    process.exit(1);
  }
  const logger = createRootLogger(config.logLevel);
  for (const name of localSecrets) {
    logger.warn(
      `${name} is not set: using a development secret kept in a local git-ignored file. Set it for any real deployment.`,
    );
  }

  // Every replica may run this: an advisory lock makes them take turns.
  if (await createDatabaseIfMissing(config.databaseUrl)) logger.info('created the database');
  const applied = await runMigrations(config.databaseUrl);
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations');

  const http = config.runsApi ? await createHttpApp({ config, logger }) : null;
  const app = http ?? (await createWorkerContext({ config, logger }));

  const admin = config.bootstrapAdmin;
  if (admin.email && admin.password) {
    const outcome = await app
      .get(AdminBootstrapService)
      .createAdmin(
        { email: admin.email, password: admin.password, organizationSlug: admin.organizationSlug },
        true,
      );
    if (outcome === 'created') logger.info('created the first admin from ADMIN_EMAIL');
  }

  // Graceful stop: finish in-flight requests and jobs, close pools, exit 0. (Nest's own shutdown
  // hooks re-raise the signal after closing, which makes a clean stop exit 143.)
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      // The API drains first: readiness 503 and `Connection: close` on every answer, for
      // SHUTDOWN_DRAIN_SECONDS, so the load balancer stops sending before the listener closes.
      const drainMs = http ? config.http.shutdownDrainMs : 0;
      logger.info({ signal, drainMs }, 'shutting down');
      app.get(Lifecycle).drain();
      setTimeout(drainMs)
        .then(() => app.close())
        .then(
          () => process.exit(0),
          (error: Error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }

  if (http) {
    await http.listen({ port: config.http.port, host: config.http.host });
    logger.info({ port: config.http.port, role: config.role }, 'listening');
  } else {
    logger.info({ role: config.role }, 'worker started');
  }
}

main().catch((error: Error) => {
  console.error(`fatal: ${error.name}: ${error.message}`);
  process.exit(1);
});
