import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { createCommunity, TEST_PASSWORD } from '../factories/community.factory';
import type { components, paths } from '../support/api-schema';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The document is usable by an integrator: test/support/api-schema.d.ts is what
 * openapi-typescript generates from /openapi.json (this file checks it has not drifted;
 * `npm run api:types` rewrites it), and a helpline worker's journey goes through a client typed by
 * it (openapi-fetch) over a real socket, so the compiler checks every request against the
 * document and the test checks the server answers it.
 */

const SCHEMA_FILE = join(__dirname, '../support/api-schema.d.ts');
const ROOT = join(__dirname, '../..');

/** openapi-typescript's types of the document, formatted as the repository formats code. */
function generatedTypes(document: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'api-types-'));
  try {
    const input = join(dir, 'openapi.json');
    const output = join(dir, 'api-schema.d.ts');
    writeFileSync(input, document);
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), input, '--output', output],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const header =
      '// Generated from /openapi.json by openapi-typescript: `npm run api:types` rewrites it.\n';
    // Prettier's own CLI (its API loads as an ES module, which jest cannot), with our settings.
    return execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--stdin-filepath', SCHEMA_FILE],
      { cwd: ROOT, input: header + readFileSync(output, 'utf8'), encoding: 'utf8' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a client generated from the OpenAPI document', () => {
  let t: TestApp;
  let baseUrl: string;
  let c: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
    c = await createCommunity(t.app);
  });
  afterAll(() => t?.close());

  it('is generated from the document as it is now (npm run api:types after an API change)', async () => {
    // Enum members sorted: the order the swagger plugin gives members inferred from a TypeScript
    // union depends on which file the compiler met first, and means nothing in a type.
    const document = JSON.stringify(
      JSON.parse((await call(t.app, 'GET', '/openapi.json')).text),
      (key, value: unknown) =>
        key === 'enum' && Array.isArray(value) ? [...(value as string[])].sort() : value,
    );
    const types = generatedTypes(document);
    if (process.env.UPDATE_API_TYPES === '1') writeFileSync(SCHEMA_FILE, types);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(types);
  }, 60_000);

  it('carries a helpline worker from signing in to a followed-up case, typed end to end', async () => {
    const anonymous = createClient<paths>({ baseUrl });
    const login = await anonymous.POST('/v1/auth/login', {
      body: { email: c.inA.member.email, password: TEST_PASSWORD },
    });
    expect(login.response.status).toBe(200);
    const accessToken = login.data!.accessToken;

    const api = createClient<paths>({
      baseUrl,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body: components['schemas']['CreateCaseDto'] = {
      platformCode: 'instagram',
      channelCode: 'in_app_report',
      title: 'Perfil falso que suplanta a una activista',
      summary: 'Cuenta que usa sus fotos y pide dinero a sus contactos.',
      categoryCode: 'impersonation',
      country: 'EC',
      urgency: 'high',
      escalatedAt: '2026-03-02T10:00:00Z',
      items: [{ url: 'https://instagram.com/fake.profile', kind: 'profile' }],
    };
    const created = await api.POST('/v1/cases', { body });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    expect(created.data).toMatchObject({ status: 'escalated', platformCode: 'instagram' });

    const followUp = await api.POST('/v1/cases/{id}/events', {
      params: { path: { id } },
      body: { type: 'follow_up_sent', note: 'Segundo aviso por el formulario.' },
    });
    expect(followUp.response.status).toBe(201);

    const mine = await api.GET('/v1/cases', {
      params: { query: { owner: 'me', platform: 'instagram', limit: 10 } },
    });
    expect(mine.response.status).toBe(200);
    expect(mine.data!.data.map((k) => k.id)).toContain(id);

    const read = await api.GET('/v1/cases/{id}', { params: { path: { id } } });
    expect(read.data!.version).toBeGreaterThan(created.data!.version);

    const edited = await api.PATCH('/v1/cases/{id}', {
      params: { path: { id }, header: { 'If-Match': `"${read.data!.version}"` } },
      body: { urgency: 'critical' },
    });
    expect(edited.response.status).toBe(200);
    expect(edited.data!.urgency).toBe('critical');

    // A refusal reads as the documented problem, typed too.
    const refused = await api.GET('/v1/cases/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(refused.response.status).toBe(404);
    expect(refused.error).toMatchObject({ status: 404, title: expect.any(String) });
  });
});
