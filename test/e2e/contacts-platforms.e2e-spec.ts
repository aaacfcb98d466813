import { randomBytes } from 'node:crypto';
import type { ContactResponseDto, CreateContactDto } from '../../src/contacts/dto/contact.dto';
import { call, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createCommunity } from '../factories/community.factory';
import { caseBody } from '../factories/case.factory';
import { createContact, createPlatform } from '../factories/contact.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Contact = ContactResponseDto & Record<string, unknown>;
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const unique = () => randomBytes(4).toString('hex');

/**
 * Contacts follow the parent company (issue 16): a Meta partner manager stored under Facebook
 * also covers Instagram, WhatsApp... Lists, suggestions and cases accept them; a platform of
 * another company is refused.
 */
describe('contacts covering several platforms of one company', () => {
  let t: TestApp;
  let c: Community;
  /** Three platforms of one company, one of another, one with no company recorded. */
  let app1: string, app2: string, app3: string, rival: string, orphan: string;

  const contact = async (token: string, overrides: Partial<CreateContactDto> = {}) =>
    (await createContact(t.app, token, overrides)) as Contact;
  const listIds = async (token: string, query: Record<string, string>) => {
    const answer = await call<Page<Contact>>(t.app, 'GET', '/v1/contacts', {
      token,
      query: { limit: '200', ...query },
    });
    expect({ query, status: answer.status }).toEqual({ query, status: 200 });
    return answer.body.data.map((x) => x.id);
  };
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    ((await t.db.query(sql, params)) as { n: number }[])[0].n;
  const coverageRows = () => count('SELECT count(*)::int AS n FROM contact_platforms');
  const coveredBy = async (id: string) =>
    (
      (await t.db.query(
        `SELECT p.code FROM contact_platforms cp JOIN platforms p ON p.id = cp.platform_id
          WHERE cp.contact_id = $1 ORDER BY p.code`,
        [id],
      )) as { code: string }[]
    ).map((r) => r.code);
  const patch = (token: string, id: string, body: Record<string, unknown>) =>
    call<Contact>(t.app, 'PATCH', `/v1/contacts/${id}`, { token, body });
  const depart = (token: string, id: string, body: Record<string, unknown>) =>
    call<Contact>(t.app, 'POST', `/v1/contacts/${id}/departure`, { token, body });

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    const company = `Company ${unique()}`;
    const platform = (parentCompany?: string) =>
      createPlatform(t.app, c.admin.token, parentCompany ? { parentCompany } : {}).then(
        (p) => p.code,
      );
    [app1, app2, app3, rival, orphan] = await Promise.all([
      platform(company),
      platform(company),
      platform(company),
      platform(`Rival ${unique()}`),
      platform(),
    ]);
  });
  afterAll(() => t.close());

  describe('POST, GET and PATCH /v1/contacts', () => {
    it('records further platforms of the same company, answered in code order', async () => {
      const answer = await call<Contact>(t.app, 'POST', '/v1/contacts', {
        token: c.inA.member.token,
        body: {
          platformCode: app1,
          fullName: 'Partner manager',
          otherPlatformCodes: [app3, app2],
        },
      });
      expect(answer.status).toBe(201);
      const expected = [app2, app3].sort();
      expect(answer.body).toMatchObject({ platformCode: app1, otherPlatformCodes: expected });
      await expect(coveredBy(answer.body.id)).resolves.toEqual(expected);
      const read = await call<Contact>(t.app, 'GET', `/v1/contacts/${answer.body.id}`, {
        token: c.inB.member.token,
      });
      expect(read.body).toMatchObject({ platformCode: app1, otherPlatformCodes: expected });
    });

    it('refuses a platform of another company, of none, an unknown one, its own and duplicates (400 naming otherPlatformCodes), writing nothing', async () => {
      const before = {
        contacts: await count('SELECT count(*)::int AS n FROM contacts'),
        coverage: await coverageRows(),
      };
      const valid = { platformCode: app1, fullName: 'Refused' };
      const bodies: Record<string, unknown>[] = [
        { ...valid, otherPlatformCodes: [rival] },
        { ...valid, otherPlatformCodes: [app2, rival] },
        { ...valid, otherPlatformCodes: [orphan] },
        { ...valid, platformCode: orphan, otherPlatformCodes: [app2] },
        { ...valid, otherPlatformCodes: ['myspace'] },
        { ...valid, otherPlatformCodes: [app1] },
        { ...valid, otherPlatformCodes: [app2, app2] },
        { ...valid, otherPlatformCodes: ['Insta Gram'] },
        { ...valid, otherPlatformCodes: app2 },
        { ...valid, otherPlatformCodes: null },
        { ...valid, otherPlatformCodes: Array.from({ length: 21 }, (_, i) => `p${i}`) },
      ];
      for (const body of bodies) {
        const answer = await call(t.app, 'POST', '/v1/contacts', {
          token: c.inA.member.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({
          body,
          fields: ['otherPlatformCodes'],
        });
      }
      const rivalAnswer = await call(t.app, 'POST', '/v1/contacts', {
        token: c.inA.member.token,
        body: bodies[0],
      });
      expect(rivalAnswer.body).toMatchObject({
        errors: [
          {
            field: 'otherPlatformCodes',
            message: expect.stringContaining(`${rival}, which is not of the parent company`),
          },
        ],
      });
      await expect(
        Promise.all([count('SELECT count(*)::int AS n FROM contacts'), coverageRows()]),
      ).resolves.toEqual([before.contacts, before.coverage]);
    });

    it('replaces the list on PATCH, records the change in the history, and refuses another company changing nothing', async () => {
      const token = c.inA.member.token;
      const k = await contact(token, { platformCode: app1, otherPlatformCodes: [app2] });
      const changed = await patch(token, k.id, { otherPlatformCodes: [app3, app2] });
      expect(changed.status).toBe(200);
      expect(changed.body.otherPlatformCodes).toEqual([app2, app3].sort());

      const refused = await patch(token, k.id, { otherPlatformCodes: [rival] });
      expect(fieldsOf(refused)).toEqual(['otherPlatformCodes']);
      await expect(coveredBy(k.id)).resolves.toEqual([app2, app3].sort());

      // The same list in another order changes nothing and writes no history.
      expect((await patch(token, k.id, { otherPlatformCodes: [app3, app2] })).status).toBe(200);
      expect(
        (await patch(token, k.id, { otherPlatformCodes: [] })).body.otherPlatformCodes,
      ).toEqual([]);
      await expect(coveredBy(k.id)).resolves.toEqual([]);
      const history = await call<Page<{ type: string; changes: Record<string, unknown> }>>(
        t.app,
        'GET',
        `/v1/contacts/${k.id}/history`,
        { token, query: { limit: '200' } },
      );
      expect(history.body.data.map((e) => [e.type, e.changes])).toEqual([
        ['updated', { otherPlatformCodes: { from: [app2, app3].sort(), to: [] } }],
        ['updated', { otherPlatformCodes: { from: [app2], to: [app2, app3].sort() } }],
        ['created', {}],
      ]);
    });
  });

  it('documents otherPlatformCodes in the OpenAPI document (requests and answers)', async () => {
    const doc = await call<{
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>(t.app, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const schemas = doc.body.components.schemas;
    for (const name of [
      'CreateContactDto',
      'UpdateContactDto',
      'ContactSummaryResponseDto',
      'ContactResponseDto',
    ]) {
      expect({ name, property: schemas[name]?.properties.otherPlatformCodes }).toEqual({
        name,
        property: expect.objectContaining({ type: 'array' }),
      });
    }
  });

  describe('GET /v1/contacts?platform=', () => {
    it('finds a contact covering the platform, under the TLP rules of each reader', async () => {
      const green = await contact(c.inA.member.token, {
        platformCode: app1,
        otherPlatformCodes: [app2],
      });
      const strict = await contact(c.inA.member.token, {
        platformCode: app1,
        otherPlatformCodes: [app2],
        tlp: 'AMBER+STRICT',
      });
      const own = await contact(c.inA.member.token, { platformCode: app2 });
      const elsewhere = await contact(c.inA.member.token, { platformCode: app3 });
      const ids = (list: string[]) =>
        list.filter((id) => [green.id, strict.id, own.id, elsewhere.id].includes(id)).sort();
      await expect(listIds(c.inA.member.token, { platform: app2 }).then(ids)).resolves.toEqual(
        [green.id, strict.id, own.id].sort(),
      );
      await expect(listIds(c.inB.member.token, { platform: app2 }).then(ids)).resolves.toEqual(
        [green.id, own.id].sort(),
      );
      await expect(listIds(c.inB.member.token, { platform: app1 }).then(ids)).resolves.toEqual([
        green.id,
      ]);
      await expect(
        listIds(c.inB.member.token, { platform: app2, best: 'true' }).then(ids),
      ).resolves.toEqual([green.id, own.id].sort());
    });
  });

  describe('best=true (who to write to now)', () => {
    it('suggests a contact covering the platform, and the successor of one who left', async () => {
      const token = c.inA.member.token;
      // Own platform for this test: the lists hold only what it makes.
      const company = `Company ${unique()}`;
      const [main, covered] = await Promise.all([
        createPlatform(t.app, c.admin.token, { parentCompany: company }),
        createPlatform(t.app, c.admin.token, { parentCompany: company }),
      ]);
      const covering = await contact(token, {
        platformCode: main.code,
        otherPlatformCodes: [covered.code],
        countries: ['MX'],
      });
      // Gone, covering GT: her successor (recorded under the main platform only, no countries)
      // inherits both.
      const successor = await contact(token, { platformCode: main.code });
      const gone = await contact(token, {
        platformCode: main.code,
        otherPlatformCodes: [covered.code],
        countries: ['GT'],
      });
      expect(
        (
          await depart(token, gone.id, {
            leftOn: '2026-01-10',
            reason: 'Left',
            successorContactId: successor.id,
          })
        ).status,
      ).toBe(201);
      const best = (country: string) =>
        listIds(token, { platform: covered.code, country, best: 'true' });
      await expect(best('GT')).resolves.toEqual([successor.id, covering.id]);
      await expect(best('MX')).resolves.toEqual([covering.id, successor.id]);
      // Without best, the list answers who covers the platform, newest first, the departed too.
      await expect(listIds(token, { platform: covered.code })).resolves.toEqual([
        gone.id,
        covering.id,
      ]);
    });

    it('follows the chain only through contacts the reader may see', async () => {
      const company = `Company ${unique()}`;
      const [main, covered] = await Promise.all([
        createPlatform(t.app, c.admin.token, { parentCompany: company }),
        createPlatform(t.app, c.admin.token, { parentCompany: company }),
      ]);
      // B's successor (GREEN) replaced A's contact, whom only A may see; that one replaced a
      // GREEN contact covering the platform.
      const successor = await contact(c.inB.member.token, { platformCode: main.code });
      const hidden = await contact(c.inA.member.token, {
        platformCode: main.code,
        tlp: 'AMBER+STRICT',
      });
      const first = await contact(c.inA.member.token, {
        platformCode: main.code,
        otherPlatformCodes: [covered.code],
      });
      expect(
        (
          await depart(c.inA.member.token, first.id, {
            leftOn: '2025-01-10',
            reason: 'Left',
            successorContactId: hidden.id,
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await depart(c.inA.member.token, hidden.id, {
            leftOn: '2026-01-10',
            reason: 'Left',
            successorContactId: successor.id,
          })
        ).status,
      ).toBe(201);
      const query = { platform: covered.code, best: 'true' };
      await expect(listIds(c.inA.member.token, query)).resolves.toEqual([successor.id]);
      await expect(listIds(c.inB.member.token, query)).resolves.toEqual([]);
    });
  });

  describe('departure: a successor of the same company', () => {
    it('accepts a successor stored under another platform covering the contact’s own, and refuses one who does not cover it', async () => {
      const token = c.inA.member.token;
      const leaving = await contact(token, { platformCode: app1 });
      const notCovering = await contact(token, { platformCode: app2, otherPlatformCodes: [app3] });
      const refused = await depart(token, leaving.id, {
        leftOn: '2026-01-10',
        reason: 'Left',
        successorContactId: notCovering.id,
      });
      expect(fieldsOf(refused)).toEqual(['successorContactId']);
      const covering = await contact(token, { platformCode: app2, otherPlatformCodes: [app1] });
      const accepted = await depart(token, leaving.id, {
        leftOn: '2026-01-10',
        reason: 'Left',
        successorContactId: covering.id,
      });
      expect({ status: accepted.status, successorId: accepted.body.successorId }).toEqual({
        status: 201,
        successorId: covering.id,
      });
    });
  });

  describe('cases through a contact of the parent company', () => {
    it('accepts a Facebook contact covering Instagram on an Instagram case, and refuses other platforms', async () => {
      const token = c.inA.member.token;
      const meta = await contact(token, {
        platformCode: 'facebook',
        otherPlatformCodes: ['instagram', 'whatsapp'],
      });
      const created = await call<{ id: string; contactId: string }>(t.app, 'POST', '/v1/cases', {
        token,
        body: caseBody({ platformCode: 'instagram', contactId: meta.id }),
      });
      expect({ status: created.status, contactId: created.body.contactId }).toEqual({
        status: 201,
        contactId: meta.id,
      });
      await expect(
        t.db.query('SELECT contact_id FROM cases WHERE id = $1', [created.body.id]),
      ).resolves.toEqual([{ contact_id: meta.id }]);
      const before = await count('SELECT count(*)::int AS n FROM cases');
      for (const platformCode of ['threads', 'x']) {
        const channelCode = platformCode === 'x' ? 'in_app_report' : 'trusted_partner';
        const refused = await call(t.app, 'POST', '/v1/cases', {
          token,
          body: caseBody({ platformCode, channelCode, contactId: meta.id }),
        });
        expect({ platformCode, fields: fieldsOf(refused) }).toEqual({
          platformCode,
          fields: ['contactId'],
        });
      }
      await expect(count('SELECT count(*)::int AS n FROM cases')).resolves.toBe(before);
    });

    it('refuses a covering contact the caller may not see (400, as for any hidden contact)', async () => {
      const hidden = await contact(c.inA.member.token, {
        platformCode: 'facebook',
        otherPlatformCodes: ['instagram'],
        tlp: 'AMBER+STRICT',
      });
      const refused = await call(t.app, 'POST', '/v1/cases', {
        token: c.inB.member.token,
        body: caseBody({ platformCode: 'instagram', contactId: hidden.id }),
      });
      expect(fieldsOf(refused)).toEqual(['contactId']);
      expect(refused.body).toMatchObject({
        errors: [{ field: 'contactId', message: 'contactId is not a contact you can see' }],
      });
    });
  });
});
