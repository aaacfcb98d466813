import { randomBytes } from 'node:crypto';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { countRows, Page, waitForLockWait, walkPages } from '../support/checks';
import { createTestApp, TestApp } from '../support/test-app';
import {
  createCommunity,
  createOrganization,
  createUser,
  tokenFor,
} from '../factories/community.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Organization = OrganizationResponseDto & Record<string, unknown>;

const unique = () => randomBytes(4).toString('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** A language tag no other test uses, to list exactly the organisations a test created. */
const uniqueLanguage = () => `qu-${unique()}`;
/** No token, a malformed one, and an expired one. */
const unauthenticated = (expired: string): Record<string, string>[] => [
  {},
  { authorization: 'Bearer nonsense' },
  { authorization: `Bearer ${expired}` },
];

describe('organizations', () => {
  let t: TestApp;
  let c: Community;

  const organizationCount = () => countRows(t.db, 'SELECT count(*)::int AS n FROM organizations');
  const row = async (id: string) =>
    ((await t.db.query('SELECT * FROM organizations WHERE id = $1', [id])) as unknown[])[0];
  const auditCount = (action: string, organizationId: string) =>
    countRows(
      t.db,
      'SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND organization_id = $2',
      [action, organizationId],
    );
  const validBody = (overrides: Record<string, unknown> = {}) => ({
    slug: `acoso-${unique()}`,
    name: 'Acoso Online',
    countries: ['BO', 'CL'],
    languages: ['es', 'en'],
    constituencies: ['women_journalists', 'lgbtiq'],
    website: 'https://acoso.example.org',
    timezone: 'America/La_Paz',
    ...overrides,
  });
  const post = (token: string, body: unknown) =>
    call<Organization>(t.app, 'POST', '/v1/organizations', { token, body });
  const patch = (token: string, id: string, body: unknown) =>
    call<Organization>(t.app, 'PATCH', `/v1/organizations/${id}`, { token, body });
  const list = (token: string, query: Record<string, string> = {}) =>
    call<Page<Organization>>(t.app, 'GET', '/v1/organizations', { token, query });
  /** The fields named by the 400 a list query answers. */
  const listFields = (token: string, query: Record<string, string>) =>
    call(t.app, 'GET', '/v1/organizations', { token, query }).then(fieldsOf);
  /** Posts as the admin and answers the 400's field names; the organisation count must not move. */
  const refusedFields = async (body: unknown): Promise<string[]> => {
    const before = await organizationCount();
    const fields = fieldsOf(await post(c.admin.token, body));
    await expect(organizationCount()).resolves.toBe(before);
    return fields;
  };

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('POST /v1/organizations', () => {
    it('lets the community admin create an organisation, answering it in full and auditing it', async () => {
      const body = validBody();
      const answer = await post(c.admin.token, body);
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        ...body,
        // The profile of the index of initiatives: empty until the organisation fills it in.
        services: [],
        introduction: null,
        contactEmail: null,
        signal: null,
        socialAccounts: [],
        joinedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        // Opt-ins of the shared repository: off unless the organisation says so.
        namedInCampaigns: false,
        publicStatistics: false,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      await expect(row(answer.body.id)).resolves.toMatchObject({
        slug: body.slug,
        name: 'Acoso Online',
        countries: ['BO', 'CL'],
        languages: ['es', 'en'],
        constituencies: ['women_journalists', 'lgbtiq'],
        website: 'https://acoso.example.org',
        timezone: 'America/La_Paz',
      });
      await expect(
        t.db.query(
          `SELECT actor_user_id, target_type, target_id, details FROM audit_entries
           WHERE action = 'organization.created' AND organization_id = $1`,
          [answer.body.id],
        ),
      ).resolves.toEqual([
        {
          actor_user_id: c.admin.id,
          target_type: 'organization',
          target_id: answer.body.id,
          details: {},
        },
      ]);
      const read = await call(t.app, 'GET', `/v1/organizations/${answer.body.id}`, {
        token: c.inB.viewer.token,
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(answer.body);
    });

    it('accepts an organisation without a website and with empty lists', async () => {
      const body = validBody({ countries: [], languages: [], constituencies: [] });
      delete (body as { website?: string }).website;
      const answer = await post(c.admin.token, body);
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        ...body,
        website: null,
        services: [],
        introduction: null,
        contactEmail: null,
        signal: null,
        socialAccounts: [],
        joinedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        namedInCampaigns: false,
        publicStatistics: false,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      await expect(row(answer.body.id)).resolves.toMatchObject({ website: null, countries: [] });
    });

    it('refuses org_admins, members and viewers with 403 and writes nothing', async () => {
      for (const user of [c.inA.orgAdmin, c.inA.member, c.inB.viewer]) {
        const body = validBody();
        const before = await organizationCount();
        const answer = await post(user.token, body);
        expect({ role: user.role, status: expectProblem(answer, 403).status }).toEqual({
          role: user.role,
          status: 403,
        });
        await expect(organizationCount()).resolves.toBe(before);
        await expect(
          countRows(t.db, 'SELECT count(*)::int AS n FROM organizations WHERE slug = $1', [
            body.slug,
          ]),
        ).resolves.toBe(0);
      }
    });

    it('refuses a duplicate slug with 409 naming the field, keeping the first organisation', async () => {
      const first = await post(c.admin.token, validBody());
      expect(first.status).toBe(201);
      const before = await organizationCount();
      const second = await post(c.admin.token, validBody({ slug: first.body.slug, name: 'Other' }));
      expect(expectProblem(second, 409).errors).toEqual([
        { field: 'slug', message: 'An organization with this slug already exists.' },
      ]);
      await expect(organizationCount()).resolves.toBe(before);
      await expect(row(first.body.id)).resolves.toMatchObject({ name: 'Acoso Online' });
    });

    it('answers 409 when a concurrent request takes the slug first', async () => {
      const slug = `race-${unique()}`;
      // Another request's INSERT of the same slug, not yet committed: the API's own check
      // cannot see it, so its INSERT waits on the unique index, then fails.
      const other = t.db.createQueryRunner();
      await other.connect();
      try {
        await other.startTransaction();
        await other.query(
          `INSERT INTO organizations (slug, name, timezone) VALUES ($1, 'First', 'UTC')`,
          [slug],
        );
        const pending = post(c.admin.token, validBody({ slug }));
        await waitForLockWait(t.db);
        await other.commitTransaction();
        const answer = await pending;
        expect(expectProblem(answer, 409).detail).toBe('This conflicts with an existing record.');
        await expect(
          t.db.query('SELECT name FROM organizations WHERE slug = $1', [slug]),
        ).resolves.toEqual([{ name: 'First' }]);
        await expect(
          countRows(
            t.db,
            `SELECT count(*)::int AS n FROM audit_entries a JOIN organizations o ON o.id = a.organization_id
             WHERE o.slug = $1`,
            [slug],
          ),
        ).resolves.toBe(0);
      } finally {
        if (other.isTransactionActive) await other.rollbackTransaction();
        await other.release();
      }
    });

    it('refuses missing fields with 400 naming each one', async () => {
      await expect(refusedFields({})).resolves.toEqual([
        'constituencies',
        'countries',
        'languages',
        'name',
        'slug',
        'timezone',
      ]);
      for (const field of [
        'slug',
        'name',
        'countries',
        'languages',
        'constituencies',
        'timezone',
      ]) {
        const body: Record<string, unknown> = validBody();
        delete body[field];
        await expect(refusedFields(body)).resolves.toEqual([field]);
      }
    });

    it('refuses unknown fields with 400 naming them', async () => {
      await expect(refusedFields(validBody({ id: UNKNOWN_ID }))).resolves.toEqual(['id']);
      await expect(
        refusedFields(validBody({ createdAt: '2026-01-01T00:00:00Z' })),
      ).resolves.toEqual(['createdAt']);
      await expect(refusedFields(validBody({ verified: true, region: 'LATAM' }))).resolves.toEqual([
        'region',
        'verified',
      ]);
    });

    it('refuses wrong-typed fields with 400 naming them', async () => {
      await expect(refusedFields(validBody({ slug: 42 }))).resolves.toEqual(['slug']);
      await expect(refusedFields(validBody({ name: ['Acoso'] }))).resolves.toEqual(['name']);
      await expect(refusedFields(validBody({ countries: 'BO' }))).resolves.toEqual(['countries']);
      await expect(refusedFields(validBody({ languages: [1, 2] }))).resolves.toEqual(['languages']);
      await expect(refusedFields(validBody({ constituencies: { a: 1 } }))).resolves.toEqual([
        'constituencies',
      ]);
      await expect(refusedFields(validBody({ website: true }))).resolves.toEqual(['website']);
      await expect(refusedFields(validBody({ timezone: 4 }))).resolves.toEqual(['timezone']);
      await expect(refusedFields(validBody({ name: null }))).resolves.toEqual(['name']);
    });

    it('refuses too long values with 400 naming them', async () => {
      await expect(refusedFields(validBody({ slug: `a${'b'.repeat(63)}` }))).resolves.toEqual([
        'slug',
      ]);
      await expect(refusedFields(validBody({ name: 'n'.repeat(201) }))).resolves.toEqual(['name']);
      await expect(
        refusedFields(validBody({ website: `https://example.org/${'p'.repeat(490)}` })),
      ).resolves.toEqual(['website']);
      await expect(
        refusedFields(validBody({ constituencies: [`c${'x'.repeat(50)}`] })),
      ).resolves.toEqual(['constituencies']);
      await expect(
        refusedFields(validBody({ constituencies: Array.from({ length: 31 }, (_, i) => `c${i}`) })),
      ).resolves.toEqual(['constituencies']);
      await expect(
        refusedFields(validBody({ timezone: `Europe/${'X'.repeat(60)}` })),
      ).resolves.toEqual(['timezone']);
    });

    it('accepts the longest values allowed', async () => {
      const body = validBody({
        slug: `z${unique()}${'-'.repeat(54)}`,
        name: 'n'.repeat(200),
      });
      expect(body.slug).toHaveLength(63);
      const answer = await post(c.admin.token, body);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ slug: body.slug, name: body.name });
    });

    it('refuses country codes that are not assigned ISO 3166-1 alpha-2 codes in upper case', async () => {
      for (const countries of [['bo'], ['BOL'], ['XX'], ['B0'], ['BO', 'BO'], ['BO', 'Ec']]) {
        await expect(refusedFields(validBody({ countries }))).resolves.toEqual(['countries']);
      }
    });

    it('refuses bad slugs, time zones, languages, constituencies and websites', async () => {
      for (const slug of ['Acoso-Online', 'acoso online', '-acoso', 'a', 'acoso_online', 'ácoso']) {
        await expect(refusedFields(validBody({ slug }))).resolves.toEqual(['slug']);
      }
      for (const timezone of ['Mars/Olympus_Mons', 'La Paz', '']) {
        await expect(refusedFields(validBody({ timezone }))).resolves.toEqual(['timezone']);
      }
      for (const languages of [['Spanish'], ['ES'], ['es', 'es']]) {
        await expect(refusedFields(validBody({ languages }))).resolves.toEqual(['languages']);
      }
      for (const constituencies of [['Women Journalists'], ['x']]) {
        await expect(refusedFields(validBody({ constituencies }))).resolves.toEqual([
          'constituencies',
        ]);
      }
      for (const website of [
        'acoso.example.org',
        'ftp://acoso.example.org',
        'javascript:alert(1)',
      ]) {
        await expect(refusedFields(validBody({ website }))).resolves.toEqual(['website']);
      }
    });

    it('refuses callers without a valid token with 401 and writes nothing', async () => {
      const before = await organizationCount();
      const expired = await tokenFor(t.app, c.admin.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'POST', '/v1/organizations', {
          headers,
          body: validBody(),
        });
        expectProblem(answer, 401);
        expect(answer.headers['www-authenticate']).toBe('Bearer');
      }
      await expect(organizationCount()).resolves.toBe(before);
    });
  });

  describe('GET /v1/organizations', () => {
    it('answers the directory to every role, ordered by slug', async () => {
      const expected = (
        (await t.db.query('SELECT id FROM organizations ORDER BY slug LIMIT 50')) as {
          id: string;
        }[]
      ).map((r) => r.id);
      for (const user of [c.admin, c.inA.orgAdmin, c.inA.member, c.inB.viewer]) {
        const answer = await list(user.token);
        expect({ role: user.role, status: answer.status }).toEqual({
          role: user.role,
          status: 200,
        });
        expect(answer.body.data.map((o) => o.id)).toEqual(expected);
      }
      const answer = await list(c.inA.viewer.token, { limit: '200' });
      expect(answer.body.data.find((o) => o.id === c.a.id)).toEqual(c.a);
    });

    it('walks pages of 2 without duplicates or gaps, ending with nextCursor null', async () => {
      const language = uniqueLanguage();
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        created.push((await createOrganization(t.app, { languages: [language] })).id);
      }
      const { rows, pages } = await walkPages<Organization>(t.app, '/v1/organizations', {
        token: c.inA.member.token,
        limit: 2,
        query: { language },
      });
      expect(pages).toBe(3);
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(5);
      expect([...ids].sort()).toEqual([...created].sort());
      const slugs = rows.map((r) => r.slug);
      const bySlug = (
        (await t.db.query(
          'SELECT slug FROM organizations WHERE $1 = ANY(languages) ORDER BY slug',
          [language],
        )) as { slug: string }[]
      ).map((r) => r.slug);
      expect(slugs).toEqual(bySlug);

      const everything = await walkPages<Organization>(t.app, '/v1/organizations', {
        token: c.inB.viewer.token,
        limit: 2,
      });
      const all = (
        (await t.db.query('SELECT id FROM organizations ORDER BY slug')) as { id: string }[]
      ).map((r) => r.id);
      expect(everything.rows.map((r) => r.id)).toEqual(all);
    });

    it('answers 50 rows by default and up to 200 on request, refusing larger pages', async () => {
      const language = uniqueLanguage();
      for (let i = 0; i < 52; i += 1) {
        await createOrganization(t.app, { languages: [language] });
      }
      const first = await list(c.inA.member.token, { language });
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(50);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const rest = await list(c.inA.member.token, {
        language,
        cursor: first.body.nextCursor as string,
      });
      expect(rest.body.data).toHaveLength(2);
      expect(rest.body.nextCursor).toBeNull();
      const big = await list(c.inA.member.token, { language, limit: '200' });
      expect(big.body.data).toHaveLength(52);
      expect(big.body.nextCursor).toBeNull();
      for (const limit of ['201', '1000', '0', '-1', '2.5', 'ten']) {
        expect({ limit, fields: await listFields(c.inA.member.token, { limit }) }).toEqual({
          limit,
          fields: ['limit'],
        });
      }
    });

    it('filters by country and by language', async () => {
      const language = uniqueLanguage();
      const inTimor = await createOrganization(t.app, { countries: ['TL'], languages: [language] });
      const inFiji = await createOrganization(t.app, { countries: ['FJ'], languages: [language] });
      const both = await createOrganization(t.app, { countries: ['TL', 'FJ'], languages: ['en'] });

      const timor = await list(c.inA.viewer.token, { country: 'TL', limit: '200' });
      expect(timor.status).toBe(200);
      const expectedTimor = (
        (await t.db.query(
          `SELECT id FROM organizations WHERE 'TL' = ANY(countries) ORDER BY slug`,
        )) as {
          id: string;
        }[]
      ).map((r) => r.id);
      expect(timor.body.data.map((o) => o.id)).toEqual(expectedTimor);
      expect(expectedTimor).toEqual(expect.arrayContaining([inTimor.id, both.id]));
      expect(expectedTimor).not.toContain(inFiji.id);

      const byLanguage = await list(c.inA.viewer.token, { language });
      expect(byLanguage.body.data.map((o) => o.id).sort()).toEqual([inTimor.id, inFiji.id].sort());

      const combined = await list(c.inA.viewer.token, { country: 'FJ', language });
      expect(combined.body).toEqual({ data: [inFiji], nextCursor: null });

      const spanish = await list(c.inA.viewer.token, { language: 'es', limit: '200' });
      expect(spanish.body.data.every((o) => o.languages.includes('es'))).toBe(true);
      expect(spanish.body.data.map((o) => o.id)).toEqual(expect.arrayContaining([c.a.id, c.b.id]));
      expect(spanish.body.data.map((o) => o.id)).not.toContain(both.id);
    });

    it('refuses bad filters, garbage cursors and unknown parameters with 400 naming them', async () => {
      const token = c.inA.member.token;
      for (const country of ['bo', 'BOL', 'XX', '']) {
        await expect(listFields(token, { country })).resolves.toEqual(['country']);
      }
      for (const language of ['ES', 'Spanish', 'e']) {
        await expect(listFields(token, { language })).resolves.toEqual(['language']);
      }
      for (const cursor of [
        'garbage!',
        Buffer.from('{"slug":"a"}').toString('base64url'),
        Buffer.from('["a","b"]').toString('base64url'),
        'x'.repeat(501),
      ]) {
        await expect(listFields(token, { cursor })).resolves.toEqual(['cursor']);
      }
      await expect(listFields(token, { sort: 'name' })).resolves.toEqual(['sort']);
    });

    it('refuses callers without a valid token with 401', async () => {
      const expired = await tokenFor(t.app, c.inA.member.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'GET', '/v1/organizations', { headers });
        expectProblem(answer, 401);
        expect(answer.text).not.toContain(c.a.slug);
      }
    });
  });

  describe('GET /v1/organizations/:id', () => {
    it('answers any organisation to every role', async () => {
      for (const user of [c.admin, c.inA.orgAdmin, c.inA.member, c.inA.viewer]) {
        const answer = await call(t.app, 'GET', `/v1/organizations/${c.b.id}`, {
          token: user.token,
        });
        expect({ role: user.role, status: answer.status, body: answer.body }).toEqual({
          role: user.role,
          status: 200,
          body: c.b,
        });
      }
    });

    it('answers 404 for an unknown id and 400 for an id that is not a UUID', async () => {
      const unknown = await call(t.app, 'GET', `/v1/organizations/${UNKNOWN_ID}`, {
        token: c.inA.member.token,
      });
      expect(expectProblem(unknown, 404).detail).toBe('No such organization.');
      const bad = await call(t.app, 'GET', '/v1/organizations/not-a-uuid', {
        token: c.inA.member.token,
      });
      expect(fieldsOf(bad)).toEqual(['id']);
      expect(
        fieldsOf(
          await call(t.app, 'GET', `/v1/organizations/${c.a.slug}`, {
            token: c.inA.member.token,
          }),
        ),
      ).toEqual(['id']);
    });

    it('refuses callers without a valid token with 401', async () => {
      const expired = await tokenFor(t.app, c.inA.member.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'GET', `/v1/organizations/${c.a.id}`, { headers });
        expectProblem(answer, 401);
        expect(answer.text).not.toContain(c.a.slug);
      }
    });
  });

  describe('PATCH /v1/organizations/:id', () => {
    it('lets its org_admin opt in to be named in campaigns and to public statistics, never with null', async () => {
      const organization = await createOrganization(t.app);
      const admin = await createUser(t.app, organization.id, 'org_admin');
      const answer = await patch(admin.token, organization.id, {
        namedInCampaigns: true,
        publicStatistics: true,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ namedInCampaigns: true, publicStatistics: true });
      await expect(row(organization.id)).resolves.toMatchObject({
        named_in_campaigns: true,
        public_statistics: true,
      });
      for (const body of [{ publicStatistics: null }, { namedInCampaigns: 'yes' }]) {
        expect(fieldsOf(await patch(admin.token, organization.id, body))).toEqual(
          Object.keys(body),
        );
      }
      // Another organisation's member cannot switch it.
      expectProblem(
        await patch(c.inA.member.token, organization.id, { publicStatistics: false }),
        403,
      );
      await expect(row(organization.id)).resolves.toMatchObject({ public_statistics: true });
    });

    it('lets the community admin edit any organisation, auditing the fields changed', async () => {
      const organization = await createOrganization(t.app);
      const answer = await patch(c.admin.token, organization.id, {
        name: 'Renamed helpline',
        countries: ['PE'],
        website: 'https://renamed.example.org',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ...organization,
        name: 'Renamed helpline',
        countries: ['PE'],
        website: 'https://renamed.example.org',
        updatedAt: expect.stringMatching(ISO),
      });
      expect(Date.parse(answer.body.updatedAt)).toBeGreaterThan(Date.parse(organization.updatedAt));
      await expect(row(organization.id)).resolves.toMatchObject({
        slug: organization.slug,
        name: 'Renamed helpline',
        countries: ['PE'],
        languages: organization.languages,
        website: 'https://renamed.example.org',
      });
      await expect(
        t.db.query(
          `SELECT actor_user_id, target_id, details FROM audit_entries
           WHERE action = 'organization.updated' AND organization_id = $1`,
          [organization.id],
        ),
      ).resolves.toEqual([
        {
          actor_user_id: c.admin.id,
          target_id: organization.id,
          details: { fields: ['countries', 'name', 'website'] },
        },
      ]);
      const read = await call(t.app, 'GET', `/v1/organizations/${organization.id}`, {
        token: c.inA.viewer.token,
      });
      expect(read.body).toEqual(answer.body);
    });

    it('lets an org_admin edit its own organisation', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const answer = await patch(orgAdmin.token, organization.id, {
        timezone: 'America/Guayaquil',
        constituencies: ['sex_workers'],
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: organization.id,
        slug: organization.slug,
        timezone: 'America/Guayaquil',
        constituencies: ['sex_workers'],
      });
      await expect(row(organization.id)).resolves.toMatchObject({
        timezone: 'America/Guayaquil',
        constituencies: ['sex_workers'],
      });
      await expect(auditCount('organization.updated', organization.id)).resolves.toBe(1);
    });

    it('clears the website with null', async () => {
      const organization = await createOrganization(t.app, {
        website: 'https://old.example.org',
      });
      expect(organization.website).toBe('https://old.example.org');
      const answer = await patch(c.admin.token, organization.id, { website: null });
      expect(answer.status).toBe(200);
      expect(answer.body.website).toBeNull();
      await expect(row(organization.id)).resolves.toMatchObject({ website: null });
    });

    it("refuses an org_admin another organisation's record, and members and viewers any, with 403", async () => {
      const refusals: [string, string][] = [
        [c.inA.orgAdmin.token, c.b.id],
        [c.inA.orgAdmin.token, c.coordination.id],
        [c.inA.member.token, c.a.id],
        [c.inA.viewer.token, c.a.id],
        [c.inB.member.token, c.a.id],
      ];
      for (const [token, id] of refusals) {
        const before = await row(id);
        const answer = await patch(token, id, { name: 'Taken over' });
        expectProblem(answer, 403);
        await expect(row(id)).resolves.toEqual(before);
        await expect(auditCount('organization.updated', id)).resolves.toBe(0);
      }
    });

    it('refuses the slug and other unknown fields with 400, changing nothing', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const before = await row(organization.id);
      for (const [token, body, fields] of [
        [c.admin.token, { slug: 'new-slug' }, ['slug']],
        [orgAdmin.token, { slug: 'new-slug', name: 'X' }, ['slug']],
        [c.admin.token, { id: UNKNOWN_ID }, ['id']],
        [c.admin.token, { updatedAt: '2026-01-01T00:00:00Z' }, ['updatedAt']],
      ] as [string, unknown, string[]][]) {
        await expect(patch(token, organization.id, body).then(fieldsOf)).resolves.toEqual(fields);
      }
      await expect(row(organization.id)).resolves.toEqual(before);
      await expect(auditCount('organization.updated', organization.id)).resolves.toBe(0);
    });

    it('validates the fields as on creation, and refuses null for required ones', async () => {
      const organization = await createOrganization(t.app);
      const before = await row(organization.id);
      for (const [body, field] of [
        [{ countries: ['bo'] }, 'countries'],
        [{ countries: ['BOL'] }, 'countries'],
        [{ timezone: 'Nowhere/Land' }, 'timezone'],
        [{ name: 'n'.repeat(201) }, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 7 }, 'name'],
        [{ languages: 'es' }, 'languages'],
        [{ website: 'not a url' }, 'website'],
        [{ name: null }, 'name'],
        [{ countries: null }, 'countries'],
        [{ languages: null }, 'languages'],
        [{ constituencies: null }, 'constituencies'],
        [{ timezone: null }, 'timezone'],
      ] as [Record<string, unknown>, string][]) {
        const answer = await patch(c.admin.token, organization.id, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
        expect(fieldsOf(answer)).toEqual([field]);
      }
      await expect(row(organization.id)).resolves.toEqual(before);
      await expect(auditCount('organization.updated', organization.id)).resolves.toBe(0);
    });

    it('answers 404 for an unknown organisation and 400 for an id that is not a UUID', async () => {
      const before = await organizationCount();
      for (const token of [c.admin.token, c.inA.orgAdmin.token]) {
        const answer = await patch(token, UNKNOWN_ID, { name: 'Ghost' });
        expect(expectProblem(answer, 404).detail).toBe('No such organization.');
        expect(fieldsOf(await patch(token, 'not-a-uuid', { name: 'Ghost' }))).toEqual(['id']);
      }
      await expect(organizationCount()).resolves.toBe(before);
    });

    it('refuses callers without a valid token with 401, changing nothing', async () => {
      const before = await row(c.a.id);
      const expired = await tokenFor(t.app, c.admin.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer: Answer = await call(t.app, 'PATCH', `/v1/organizations/${c.a.id}`, {
          headers,
          body: { name: 'Anonymous edit' },
        });
        expectProblem(answer, 401);
      }
      await expect(row(c.a.id)).resolves.toEqual(before);
    });
  });
});
