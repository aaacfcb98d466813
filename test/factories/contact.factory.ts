import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ContactResponseDto, CreateContactDto } from '../../src/contacts/dto/contact.dto';
import { call } from '../support/http';

const unique = () => randomBytes(4).toString('hex');

/**
 * A contact recorded through the real API (POST /v1/contacts) by the user owning `token`, with
 * unique values; fails loudly if the API refuses it.
 */
export async function createContact(
  app: NestFastifyApplication,
  token: string,
  overrides: Partial<CreateContactDto> = {},
): Promise<ContactResponseDto> {
  const answer = await call<ContactResponseDto>(app, 'POST', '/v1/contacts', {
    token,
    body: {
      platformCode: 'facebook',
      fullName: `Contact ${unique()}`,
      ...overrides,
    },
  });
  if (answer.status !== 201) {
    throw new Error(`createContact: expected 201, got ${answer.status}: ${answer.text}`);
  }
  return answer.body;
}

/** A platform of its own (created by an admin through the API), so counts are not shared. */
export async function createPlatform(
  app: NestFastifyApplication,
  adminToken: string,
  overrides: { code?: string; name?: string; parentCompany?: string } = {},
): Promise<{ id: string; code: string; name: string }> {
  const code = overrides.code ?? `p_${unique()}`;
  const answer = await call<{ id: string; code: string; name: string }>(
    app,
    'POST',
    '/v1/platforms',
    {
      token: adminToken,
      body: {
        code,
        name: overrides.name ?? `Platform ${code}`,
        ...(overrides.parentCompany && { parentCompany: overrides.parentCompany }),
      },
    },
  );
  if (answer.status !== 201) {
    throw new Error(`createPlatform: expected 201, got ${answer.status}: ${answer.text}`);
  }
  return answer.body;
}
