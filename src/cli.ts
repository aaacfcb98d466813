import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { loadConfig } from './config/app-config';
import { CoreModule } from './core.module';
import { createDatabaseIfMissing, runMigrations } from './database/migrate';
import { DEMO_PASSWORD, seedDemoCommunity } from './users/demo-seed';
import { AdminBootstrapService } from './users/admin-bootstrap.service';
import { UsersModule } from './users/users.module';
import { OrganizationsModule } from './organizations/organizations.module';

const USAGE = `usage:
  npm run cli -- create-admin --email <e-mail> [--password <pw> | env ADMIN_PASSWORD] [--name <display name>] [--org <slug>]
  npm run cli -- seed-demo        (not in production)`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (command !== 'create-admin' && command !== 'seed-demo') {
    console.error(USAGE);
    return 2;
  }
  const { config } = loadConfig();
  if (command === 'seed-demo' && config.isProduction) {
    console.error('seed-demo refuses to run with NODE_ENV=production');
    return 2;
  }
  await createDatabaseIfMissing(config.databaseUrl);
  await runMigrations(config.databaseUrl);

  @Module({ imports: [CoreModule.forRoot(config), OrganizationsModule, UsersModule] })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    if (command === 'create-admin') {
      const password = values.password ?? process.env.ADMIN_PASSWORD;
      if (!values.email || !password) {
        console.error(USAGE);
        return 2;
      }
      await app.get(AdminBootstrapService).createAdmin(
        {
          email: values.email,
          password,
          displayName: values.name,
          organizationSlug: values.org ?? config.bootstrapAdmin.organizationSlug,
        },
        false,
      );
      console.log(`created admin ${values.email.toLowerCase()}`);
    } else {
      const created = await seedDemoCommunity(app);
      console.log(
        created.length
          ? `demo users (password "${DEMO_PASSWORD}"):`
          : 'demo community already present',
      );
      for (const line of created) console.log(`  ${line}`);
    }
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { errors?: { field: string; message: string }[] }) => {
    const details = error.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
    console.error(`failed: ${error.message}${details ? ` (${details})` : ''}`);
    process.exitCode = 1;
  },
);
