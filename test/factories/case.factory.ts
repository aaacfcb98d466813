import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { call } from '../support/http';

const unique = () => randomBytes(4).toString('hex');

/** A valid POST /v1/cases body (facebook, trusted_partner); override any field. */
export function caseBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platformCode: 'facebook',
    channelCode: 'trusted_partner',
    title: `Doxxing of a journalist ${unique()}`,
    summary: 'Home address and phone number posted with calls to visit her.',
    categoryCode: 'doxxing',
    subcategoryCode: 'home_address_location',
    targetGroups: ['women', 'journalists_media'],
    country: 'BO',
    contentLanguage: 'es',
    urgency: 'high',
    escalatedAt: '2026-03-02T10:00:00.000Z',
    items: [{ url: 'https://facebook.com/posts/123', kind: 'post' }],
    indicators: [{ kind: 'account_handle', value: '@Attacker_1' }],
    ...overrides,
  };
}

/** Creates a case through HTTP as the given user; fails the test if the POST is refused. */
export async function createCase(
  app: NestFastifyApplication,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<CaseResponseDto> {
  const answer = await call<CaseResponseDto>(app, 'POST', '/v1/cases', {
    token,
    body: caseBody(overrides),
  });
  if (answer.status !== 201) {
    throw new Error(`case not created: ${answer.status} ${answer.text}`);
  }
  return answer.body;
}
