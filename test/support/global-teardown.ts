import { TEMPLATE_ENV } from './env';
import { dropDatabase } from './test-db';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (template) await dropDatabase(template);
}
