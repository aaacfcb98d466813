import { randomBytes, randomUUID } from 'node:crypto';
import type { ContactResponseDto, CreateContactDto } from '../../src/contacts/dto/contact.dto';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { createContact, createPlatform } from '../factories/contact.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;
/** The answer shape, indexable like every other JSON answer. */
type Contact = ContactResponseDto & Record<string, unknown>;
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
interface HistoryEntry {
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  type: string;
  changes: Record<string, unknown>;
}

const unique = () => randomBytes(4).toString('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const email = (label = 'contact') => `${label}.${unique()}@meta.example.com`;

describe('platform contacts', () => {
  let t: TestApp;
  let c: Community;
  /** A second member of organisation A (not the creator of A's contacts). */
  let a2: TestUser;

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    ((await t.db.query(sql, params)) as { n: number }[])[0].n;
  const contactCount = () => count('SELECT count(*)::int AS n FROM contacts');
  const eventCount = (id: string) =>
    count('SELECT count(*)::int AS n FROM contact_events WHERE contact_id = $1', [id]);
  const contact = async (token: string, overrides: Partial<CreateContactDto> = {}) =>
    (await createContact(t.app, token, overrides)) as Contact;
  const get = (token: string, id: string) =>
    call<Contact>(t.app, 'GET', `/v1/contacts/${id}`, { token });
  const list = async (token: string, query: Record<string, string>) => {
    const answer = await call<Page<Contact>>(t.app, 'GET', '/v1/contacts', { token, query });
    expect({ query, status: answer.status }).toEqual({ query, status: 200 });
    return answer.body;
  };
  const listIds = async (token: string, query: Record<string, string>) =>
    (await list(token, { limit: '200', ...query })).data.map((x) => x.id);
  /** Every page of a list, following nextCursor; fails on a page larger than `limit`. */
  const walk = async (token: string, query: Record<string, string>, limit: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const body: Page<Contact> = await list(token, {
        ...query,
        limit: String(limit),
        ...(cursor ? { cursor } : {}),
      });
      expect(body.data.length).toBeLessThanOrEqual(limit);
      ids.push(...body.data.map((x) => x.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return ids;
  };
  const history = async (token: string, id: string) => {
    const answer = await call<Page<HistoryEntry>>(t.app, 'GET', `/v1/contacts/${id}/history`, {
      token,
      query: { limit: '200' },
    });
    expect(answer.status).toBe(200);
    return answer.body.data;
  };
  const depart = (token: string, id: string, body: Record<string, unknown>) =>
    call<Contact>(t.app, 'POST', `/v1/contacts/${id}/departure`, { token, body });
  const addTenure = (token: string, id: string, body: Record<string, unknown>) =>
    call<Contact>(t.app, 'POST', `/v1/contacts/${id}/tenures`, { token, body });
  const patch = (token: string, id: string, body: Record<string, unknown>) =>
    call<Contact>(t.app, 'PATCH', `/v1/contacts/${id}`, { token, body });
  const audits = (action: string, targetId: string, actorId?: string) =>
    t.db.query(
      `SELECT action, actor_user_id, organization_id, target_type, details FROM audit_entries
        WHERE action = $1 AND target_id = $2 AND ($3::uuid IS NULL OR actor_user_id = $3)`,
      [action, targetId, actorId ?? null],
    ) as Promise<Record<string, unknown>[]>;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    a2 = await createUser(t.app, c.a.id, 'member');
  });
  afterAll(() => t.close());

  describe('POST /v1/contacts', () => {
    it('records a contact owned by the caller’s organisation, GREEN and active by default', async () => {
      const answer = await call<Contact>(t.app, 'POST', '/v1/contacts', {
        token: c.inA.member.token,
        body: { platformCode: 'facebook', fullName: 'Ana Pérez' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        platformCode: 'facebook',
        otherPlatformCodes: [],
        fullName: 'Ana Pérez',
        email: null,
        signal: null,
        phone: null,
        languages: [],
        countries: [],
        tlp: 'GREEN',
        organizationId: c.a.id,
        status: 'active',
        lastVerifiedAt: null,
        successorId: null,
        notes: null,
        shareWithOrganizationIds: [],
        lastVerifiedBy: null,
        leftOn: null,
        channels: [],
        tenures: [],
        predecessorIds: [],
        successorChain: [],
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      const id = answer.body.id;
      await expect(
        t.db.query(
          'SELECT organization_id, created_by, tlp::text, status::text FROM contacts WHERE id = $1',
          [id],
        ),
      ).resolves.toEqual([
        { organization_id: c.a.id, created_by: c.inA.member.id, tlp: 'GREEN', status: 'active' },
      ]);
      await expect(history(c.inA.member.token, id)).resolves.toEqual([
        {
          id: expect.stringMatching(UUID),
          occurredAt: expect.stringMatching(ISO),
          actorUserId: c.inA.member.id,
          type: 'created',
          changes: {},
        },
      ]);
      await expect(audits('contact.created', id)).resolves.toEqual([
        {
          action: 'contact.created',
          actor_user_id: c.inA.member.id,
          organization_id: c.a.id,
          target_type: 'contact',
          details: {},
        },
      ]);
    });

    it('stores every field and normalises the addresses', async () => {
      const answer = await call<Contact>(t.app, 'POST', '/v1/contacts', {
        token: c.inA.member.token,
        body: {
          platformCode: 'instagram',
          fullName: 'Lucía Gómez',
          email: '  Lucia.Gomez@Meta.EXAMPLE.com ',
          phone: '+593 (99) 123-4567',
          signal: '0059399 765 4321',
          languages: ['es', 'pt-BR'],
          countries: ['EC', 'BO'],
          notes: 'Trust & Safety, Andean region',
          tlp: 'AMBER',
          shareWithOrganizationIds: [c.b.id],
        },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        platformCode: 'instagram',
        fullName: 'Lucía Gómez',
        email: 'lucia.gomez@meta.example.com',
        phone: '+593991234567',
        signal: '+593997654321',
        languages: ['es', 'pt-BR'],
        countries: ['EC', 'BO'],
        notes: 'Trust & Safety, Andean region',
        tlp: 'AMBER',
        shareWithOrganizationIds: [c.b.id],
        organizationId: c.a.id,
      });
      const channels = [...answer.body.channels].sort((x, y) => (x.kind < y.kind ? -1 : 1));
      expect(channels).toEqual([
        {
          kind: 'email',
          value: 'lucia.gomez@meta.example.com',
          current: true,
          since: expect.stringMatching(ISO),
          until: null,
        },
        {
          kind: 'phone',
          value: '+593991234567',
          current: true,
          since: expect.any(String),
          until: null,
        },
        {
          kind: 'signal',
          value: '+593997654321',
          current: true,
          since: expect.any(String),
          until: null,
        },
      ]);
      await expect(
        t.db.query(
          'SELECT kind::text, value FROM contact_channels WHERE contact_id = $1 ORDER BY kind::text',
          [answer.body.id],
        ),
      ).resolves.toEqual([
        { kind: 'email', value: 'lucia.gomez@meta.example.com' },
        { kind: 'phone', value: '+593991234567' },
        { kind: 'signal', value: '+593997654321' },
      ]);
    });

    it('accepts a Signal username', async () => {
      const created = await contact(c.inA.member.token, { signal: 'Maria_Meta.42' });
      expect(created.signal).toBe('maria_meta.42');
    });

    it('refuses unknown codes and malformed or extra fields with 400 naming them, writing nothing', async () => {
      const before = await contactCount();
      const valid = { platformCode: 'facebook', fullName: 'Valid Name' };
      const cases: [Record<string, unknown>, string[]][] = [
        [{ ...valid, platformCode: 'myspace' }, ['platformCode']],
        [{ ...valid, platformCode: 'Face Book' }, ['platformCode']],
        [{ fullName: 'No platform' }, ['platformCode']],
        [{ ...valid, email: 'not-an-email' }, ['email']],
        [{ ...valid, email: 'ana@meta' }, ['email']],
        [{ ...valid, phone: '12345' }, ['phone']],
        [{ ...valid, phone: '+0 99 123 4567' }, ['phone']],
        [{ ...valid, signal: 'not a signal id' }, ['signal']],
        [{ ...valid, email: 'bad', phone: 'bad' }, ['email', 'phone']],
        [{ ...valid, countries: ['XX'] }, ['countries']],
        [{ ...valid, countries: ['ec'] }, ['countries']],
        [{ ...valid, languages: ['Spanish'] }, ['languages']],
        [{ ...valid, fullName: 'n'.repeat(201) }, ['fullName']],
        [{ ...valid, fullName: '' }, ['fullName']],
        [{ platformCode: 'facebook' }, ['fullName']],
        [{ ...valid, notes: 'n'.repeat(4001) }, ['notes']],
        [{ ...valid, tlp: 'AMBER-STRICT' }, ['tlp']],
        [{ ...valid, shareWithOrganizationIds: ['not-a-uuid'] }, ['shareWithOrganizationIds']],
        [{ ...valid, status: 'left' }, ['status']],
        [{ ...valid, organizationId: c.b.id }, ['organizationId']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'POST', '/v1/contacts', {
          token: c.inA.member.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(contactCount()).resolves.toBe(before);
    });

    it('refuses viewers (403) and anonymous callers (401), writing nothing', async () => {
      const before = await contactCount();
      const body = { platformCode: 'facebook', fullName: 'Viewer Attempt' };
      expectProblem(
        await call(t.app, 'POST', '/v1/contacts', { token: c.inA.viewer.token, body }),
        403,
      );
      expectProblem(await call(t.app, 'POST', '/v1/contacts', { body }), 401);
      await expect(contactCount()).resolves.toBe(before);
    });
  });

  describe('visibility (TLP)', () => {
    let platform: string;
    let fx: Record<'green' | 'clear' | 'strict' | 'amberShared' | 'amberOwn' | 'red', Contact>;
    const names = ['green', 'clear', 'strict', 'amberShared', 'amberOwn', 'red'] as const;

    beforeAll(async () => {
      platform = (await createPlatform(t.app, c.admin.token)).code;
      const make = (tlp: string, share: string[] = []) =>
        contact(c.inA.member.token, {
          platformCode: platform,
          email: email(tlp.toLowerCase()),
          countries: ['EC'],
          languages: ['es'],
          tlp: tlp as Contact['tlp'],
          shareWithOrganizationIds: share,
        });
      fx = {
        green: await make('GREEN'),
        clear: await make('CLEAR'),
        strict: await make('AMBER+STRICT'),
        amberShared: await make('AMBER', [c.b.id]),
        amberOwn: await make('AMBER'),
        red: await make('RED'),
      };
    });

    const expected = (): [string, TestUser, (typeof names)[number][]][] => [
      ['creator', c.inA.member, [...names]],
      ['same organisation', a2, ['green', 'clear', 'strict', 'amberShared', 'amberOwn']],
      [
        'same organisation viewer',
        c.inA.viewer,
        ['green', 'clear', 'strict', 'amberShared', 'amberOwn'],
      ],
      ['organisation named on AMBER', c.inB.member, ['green', 'clear', 'amberShared']],
      ['community admin of another organisation', c.admin, ['green', 'clear']],
    ];

    it('answers GET /v1/contacts/:id only to those the TLP allows, 404 to the others', async () => {
      for (const [who, user, visible] of expected()) {
        for (const name of names) {
          const answer = await get(user.token, fx[name].id);
          const status = visible.includes(name) ? 200 : 404;
          expect({ who, name, status: answer.status }).toEqual({ who, name, status });
          if (status === 404) expect(expectProblem(answer, 404).detail).toBe('No such contact.');
          else expect(answer.body.id).toBe(fx[name].id);
        }
      }
    });

    it('lists only what each user may see, with and without filters', async () => {
      const filters: Record<string, string>[] = [
        {},
        { country: 'EC' },
        { language: 'es' },
        { status: 'active' },
        { channel: 'email' },
        { best: 'true', country: 'EC', language: 'es' },
      ];
      for (const [who, user, visible] of expected()) {
        const want = visible.map((n) => fx[n].id).sort();
        for (const filter of filters) {
          const got = (await listIds(user.token, { platform, ...filter })).sort();
          expect({ who, filter, got }).toEqual({ who, filter, got: want });
        }
        for (const name of names) {
          const got = await listIds(user.token, { address: fx[name].email! });
          const expectedIds = visible.includes(name) ? [fx[name].id] : [];
          expect({ who, name, got }).toEqual({ who, name, got: expectedIds });
        }
      }
    });

    it('answers 404 on every route for a contact the user may not see, changing nothing', async () => {
      const pairs: [TestUser, (typeof names)[number]][] = [
        [c.inB.member, 'strict'],
        [c.inB.member, 'amberOwn'],
        [c.inB.member, 'red'],
        [c.admin, 'amberShared'],
        [a2, 'red'],
      ];
      for (const [other, name] of pairs) {
        const id = fx[name].id;
        const events = await eventCount(id);
        const attempts: [string, Promise<Answer>][] = [
          ['get', get(other.token, id)],
          ['patch', patch(other.token, id, { notes: 'changed by another org' })],
          ['tenure', addTenure(other.token, id, { title: 'Policy', startedOn: '2025-01-01' })],
          ['departure', depart(other.token, id, { leftOn: '2025-01-01', reason: 'left' })],
          [
            'verify',
            call(t.app, 'POST', `/v1/contacts/${id}/verify`, { token: other.token, body: {} }),
          ],
          ['vcard', call(t.app, 'GET', `/v1/contacts/${id}/vcard`, { token: other.token })],
          ['history', call(t.app, 'GET', `/v1/contacts/${id}/history`, { token: other.token })],
        ];
        for (const [route, attempt] of attempts) {
          const answer = await attempt;
          const user = other.email;
          expect({ user, name, route, status: answer.status }).toEqual({
            user,
            name,
            route,
            status: 404,
          });
          expectProblem(answer, 404);
        }
        await expect(eventCount(id)).resolves.toBe(events);
        await expect(
          t.db.query('SELECT status::text, notes, left_on FROM contacts WHERE id = $1', [id]),
        ).resolves.toEqual([{ status: 'active', notes: null, left_on: null }]);
        await expect(
          count('SELECT count(*)::int AS n FROM contact_tenures WHERE contact_id = $1', [id]),
        ).resolves.toBe(0);
        await expect(
          count(
            'SELECT count(*)::int AS n FROM audit_entries WHERE target_id = $1 AND actor_user_id = $2',
            [id, other.id],
          ),
        ).resolves.toBe(0);
      }
    });

    it('lets viewers read but not write (403), changing nothing', async () => {
      const target = await contact(c.inA.member.token, { email: email('viewer') });
      const viewer = c.inA.viewer;
      await expect(get(viewer.token, target.id)).resolves.toMatchObject({ status: 200 });
      await expect(
        call(t.app, 'GET', `/v1/contacts/${target.id}/vcard`, { token: viewer.token }),
      ).resolves.toMatchObject({ status: 200 });
      const events = await eventCount(target.id);
      for (const answer of [
        await patch(viewer.token, target.id, { notes: 'viewer note' }),
        await addTenure(viewer.token, target.id, { title: 'Policy', startedOn: '2025-01-01' }),
        await depart(viewer.token, target.id, { leftOn: '2025-01-01', reason: 'left' }),
        await call(t.app, 'POST', `/v1/contacts/${target.id}/verify`, {
          token: viewer.token,
          body: {},
        }),
      ]) {
        expectProblem(answer, 403);
      }
      await expect(eventCount(target.id)).resolves.toBe(events);
      await expect(
        t.db.query('SELECT status::text, notes, last_verified_at FROM contacts WHERE id = $1', [
          target.id,
        ]),
      ).resolves.toEqual([{ status: 'active', notes: null, last_verified_at: null }]);
    });

    it('lets only the owning organisation change who sees a contact (403 otherwise)', async () => {
      const green = await contact(c.inA.member.token, { email: email('owner') });
      const shared = await contact(c.inA.member.token, {
        tlp: 'AMBER',
        shareWithOrganizationIds: [c.b.id],
      });
      for (const [target, body] of [
        [green, { tlp: 'RED' }],
        [green, { shareWithOrganizationIds: [c.b.id] }],
        [shared, { tlp: 'GREEN' }],
        [shared, { shareWithOrganizationIds: [] }],
        [shared, { tlp: 'AMBER', notes: 'with a sharing change' }],
      ] as [Contact, Record<string, unknown>][]) {
        const answer = await patch(c.inB.member.token, target.id, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 403 });
      }
      // The community admin is bound too: it is not the owning organisation.
      expectProblem(await patch(c.admin.token, green.id, { tlp: 'CLEAR' }), 403);
      const sharing = async (id: string) =>
        t.db.query('SELECT tlp::text, shared_organization_ids, notes FROM contacts WHERE id = $1', [
          id,
        ]);
      await expect(sharing(green.id)).resolves.toEqual([
        { tlp: 'GREEN', shared_organization_ids: [], notes: null },
      ]);
      await expect(sharing(shared.id)).resolves.toEqual([
        { tlp: 'AMBER', shared_organization_ids: [c.b.id], notes: null },
      ]);
      await expect(eventCount(green.id)).resolves.toBe(1);
      await expect(eventCount(shared.id)).resolves.toBe(1);
      // Other details of a contact the working group shares may be kept up to date by anyone.
      const note = await patch(c.inB.member.token, green.id, { notes: 'Answers within a day' });
      expect(note.status).toBe(200);
      expect(note.body.notes).toBe('Answers within a day');
    });

    it('hides a contact from another organisation once its owner restricts it, and shows it again when shared', async () => {
      const ownPlatform = (await createPlatform(t.app, c.admin.token)).code;
      const target = await contact(c.inA.member.token, {
        platformCode: ownPlatform,
        email: email('restricted'),
      });
      await expect(get(c.inB.member.token, target.id)).resolves.toMatchObject({ status: 200 });
      await expect(listIds(c.inB.member.token, { platform: ownPlatform })).resolves.toEqual([
        target.id,
      ]);

      const restricted = await patch(a2.token, target.id, { tlp: 'AMBER+STRICT' });
      expect(restricted.status).toBe(200);
      expect(restricted.body.tlp).toBe('AMBER+STRICT');
      expectProblem(await get(c.inB.member.token, target.id), 404);
      await expect(listIds(c.inB.member.token, { platform: ownPlatform })).resolves.toEqual([]);
      await expect(listIds(c.inB.member.token, { address: target.email! })).resolves.toEqual([]);

      const shared = await patch(a2.token, target.id, {
        tlp: 'AMBER',
        shareWithOrganizationIds: [c.b.id],
      });
      expect(shared.body).toMatchObject({ tlp: 'AMBER', shareWithOrganizationIds: [c.b.id] });
      await expect(get(c.inB.member.token, target.id)).resolves.toMatchObject({ status: 200 });
      await expect(listIds(c.inB.member.token, { platform: ownPlatform })).resolves.toEqual([
        target.id,
      ]);
      const changes = (await history(a2.token, target.id))
        .filter((e) => e.type === 'updated')
        .map((e) => [e.actorUserId, e.changes]);
      expect(changes).toEqual([
        [
          a2.id,
          {
            tlp: { from: 'AMBER+STRICT', to: 'AMBER' },
            sharedOrganizationIds: { from: [], to: [c.b.id] },
          },
        ],
        [a2.id, { tlp: { from: 'GREEN', to: 'AMBER+STRICT' } }],
      ]);
    });

    it('does not reveal the id of a successor the reader may not see', async () => {
      const ownPlatform = (await createPlatform(t.app, c.admin.token)).code;
      const successor = await contact(c.inA.member.token, {
        platformCode: ownPlatform,
        tlp: 'AMBER+STRICT',
      });
      const departed = await contact(c.inA.member.token, { platformCode: ownPlatform });
      const left = await depart(c.inA.member.token, departed.id, {
        leftOn: '2025-05-01',
        reason: 'Moved to another team',
        successorContactId: successor.id,
      });
      expect(left.body.successorId).toBe(successor.id);
      const seenByB = await get(c.inB.member.token, departed.id);
      expect(seenByB.status).toBe(200);
      expect(seenByB.body.successorChain).toEqual([]);
      expect({ successorId: seenByB.body.successorId }).toEqual({ successorId: null });
      const listed = (
        await list(c.inB.member.token, { platform: ownPlatform, status: 'left' })
      ).data.find((x) => x.id === departed.id);
      expect({ successorId: listed?.successorId }).toEqual({ successorId: null });
    });
  });

  describe('GET /v1/contacts filters', () => {
    let platform: string;
    let fx: Record<'ec' | 'bo' | 'both' | 'gone', Contact>;

    beforeAll(async () => {
      platform = (await createPlatform(t.app, c.admin.token)).code;
      const token = c.inA.member.token;
      fx = {
        ec: await contact(token, {
          platformCode: platform,
          countries: ['EC'],
          languages: ['es'],
          email: email('ec'),
        }),
        bo: await contact(token, {
          platformCode: platform,
          countries: ['BO'],
          languages: ['en'],
          phone: '+591 700 12345',
        }),
        both: await contact(token, {
          platformCode: platform,
          countries: ['EC', 'BO'],
          languages: ['es', 'en'],
          signal: 'both_signal.01',
        }),
        gone: await contact(token, {
          platformCode: platform,
          countries: ['EC'],
          languages: ['es'],
          email: email('gone'),
        }),
      };
      expect((await patch(token, fx.both.id, { status: 'unresponsive' })).status).toBe(200);
      expect(
        (await depart(token, fx.gone.id, { leftOn: '2025-01-31', reason: 'Left the company' }))
          .status,
      ).toBe(201);
    });

    it('filters by country, language, current channel and status, alone and combined', async () => {
      const token = c.inB.viewer.token;
      const cases: [Record<string, string>, (keyof typeof fx)[]][] = [
        [{}, ['ec', 'bo', 'both', 'gone']],
        [{ country: 'EC' }, ['ec', 'both', 'gone']],
        [{ country: 'BO' }, ['bo', 'both']],
        [{ country: 'PE' }, []],
        [{ language: 'en' }, ['bo', 'both']],
        [{ channel: 'email' }, ['ec']],
        [{ channel: 'phone' }, ['bo']],
        [{ channel: 'signal' }, ['both']],
        [{ status: 'active' }, ['ec', 'bo']],
        [{ status: 'unresponsive' }, ['both']],
        [{ status: 'left' }, ['gone']],
        [{ status: 'unverified' }, []],
        [{ country: 'BO', language: 'en', status: 'active' }, ['bo']],
        [{ country: 'EC', language: 'es', channel: 'email' }, ['ec']],
      ];
      for (const [filter, names] of cases) {
        const got = (await listIds(token, { platform, ...filter })).sort();
        const want = names.map((n) => fx[n].id).sort();
        expect({ filter, got }).toEqual({ filter, got: want });
      }
    });

    it('lists newest first in the summary shape, paging with limit=1 without duplicates or gaps', async () => {
      const body = await list(c.inA.member.token, { platform });
      expect(body.nextCursor).toBeNull();
      expect(body.data.map((x) => x.id)).toEqual([fx.gone.id, fx.both.id, fx.bo.id, fx.ec.id]);
      expect(body.data.find((x) => x.id === fx.bo.id)).toEqual({
        id: fx.bo.id,
        platformCode: platform,
        otherPlatformCodes: [],
        fullName: fx.bo.fullName,
        email: null,
        signal: null,
        phone: '+59170012345',
        languages: ['en'],
        countries: ['BO'],
        tlp: 'GREEN',
        organizationId: c.a.id,
        status: 'active',
        lastVerifiedAt: null,
        successorId: null,
      });
      await expect(walk(c.inA.member.token, { platform }, 1)).resolves.toEqual(
        body.data.map((x) => x.id),
      );
      await expect(walk(c.inA.member.token, { platform }, 3)).resolves.toEqual(
        body.data.map((x) => x.id),
      );
    });

    it('refuses malformed filters with 400 naming them', async () => {
      const cases: [Record<string, string>, string[]][] = [
        [{ platform: 'myspace' }, ['platform']],
        [{ platform: 'Face Book' }, ['platform']],
        [{ country: 'XX' }, ['country']],
        [{ country: 'ec' }, ['country']],
        [{ language: 'Spanish' }, ['language']],
        [{ channel: 'fax' }, ['channel']],
        [{ status: 'gone' }, ['status']],
        [{ best: 'maybe' }, ['best']],
        [{ limit: '0' }, ['limit']],
        [{ limit: '201' }, ['limit']],
        [{ cursor: 'garbage' }, ['cursor']],
        [{ q: 'ana' }, ['q']],
      ];
      for (const [query, fields] of cases) {
        const answer = await call(t.app, 'GET', '/v1/contacts', {
          token: c.inA.member.token,
          query,
        });
        expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields });
      }
    });
  });

  describe('address search', () => {
    it('finds a contact by its current and its former e-mail, in any case', async () => {
      const old = email('old');
      const created = await contact(c.inA.member.token, { email: old });
      const fresh = email('new');
      const changed = await patch(c.inA.member.token, created.id, { email: fresh.toUpperCase() });
      expect(changed.status).toBe(200);
      expect(changed.body.email).toBe(fresh);
      for (const address of [old, old.toUpperCase(), ` ${old} `, fresh]) {
        await expect(listIds(c.inB.member.token, { address })).resolves.toEqual([created.id]);
      }
      const found = await list(c.inB.member.token, { address: old });
      expect(found.data[0].email).toBe(fresh);
      await expect(listIds(c.inB.member.token, { address: email('never') })).resolves.toEqual([]);
    });

    it('finds a phone number written another way, and a departed contact by its retired address', async () => {
      const created = await contact(c.inA.member.token, {
        phone: '+52 55 1234 5678',
        email: email('retired'),
      });
      await expect(listIds(c.inA.viewer.token, { address: '0052-55-1234-5678' })).resolves.toEqual([
        created.id,
      ]);
      await depart(c.inA.member.token, created.id, { leftOn: '2025-02-01', reason: 'Laid off' });
      await expect(listIds(c.inA.viewer.token, { address: created.email! })).resolves.toEqual([
        created.id,
      ]);
    });
  });

  describe('best=true', () => {
    let platform: string;
    let k: Record<string, Contact>;

    beforeAll(async () => {
      platform = (await createPlatform(t.app, c.admin.token)).code;
      const token = c.inA.member.token;
      const make = (countries: string[], languages: string[]) =>
        contact(token, { platformCode: platform, countries, languages, email: email('best') });
      k = {
        k1: await make(['EC'], ['es']),
        k2: await make(['EC'], ['es']),
        k3: await make(['EC'], ['es']),
        k4: await make(['EC'], ['en']),
        k5: await make(['BO'], ['es']),
        k6: await make(['EC'], ['es']),
        k7: await make(['EC'], ['es']),
        k8: await make(['BO'], ['en']),
        k9: await make(['EC'], ['es']),
      };
      const verifiedAt: Record<string, string> = {
        k1: '2026-10-01T00:00:00Z',
        k2: '2026-09-01T00:00:00Z',
        k4: '2026-11-01T00:00:00Z',
        k5: '2026-10-15T00:00:00Z',
        k6: '2026-11-20T00:00:00Z',
        k8: '2026-01-01T00:00:00Z',
        k9: '2026-08-01T00:00:00Z',
      };
      for (const [name, at] of Object.entries(verifiedAt)) {
        await t.db.query('UPDATE contacts SET last_verified_at = $2 WHERE id = $1', [
          k[name].id,
          at,
        ]);
      }
      expect((await patch(token, k.k6.id, { status: 'unresponsive' })).status).toBe(200);
      expect((await depart(token, k.k7.id, { leftOn: '2025-06-01', reason: 'Left' })).status).toBe(
        201,
      );
      await t.db.query(`UPDATE contacts SET status = 'unverified' WHERE id = $1`, [k.k9.id]);
    });

    it('orders active first, then covering the country, then the language, then most recently verified', async () => {
      const got = await listIds(c.inB.member.token, {
        platform,
        country: 'EC',
        language: 'es',
        best: 'true',
      });
      // k7 left: never suggested (it is still listed without best).
      const order = ['k1', 'k2', 'k3', 'k4', 'k5', 'k8', 'k6', 'k9'];
      expect(got.map((id) => Object.keys(k).find((n) => k[n].id === id))).toEqual(order);
      expect(await listIds(c.inB.member.token, { platform })).toContain(k.k7.id);
      expect(await listIds(c.inB.member.token, { platform, best: 'true', status: 'left' })).toEqual(
        [],
      );
    });

    it('orders active first, then most recently verified, when no country or language is given', async () => {
      const got = await listIds(c.inB.member.token, { platform, best: 'true' });
      const order = ['k4', 'k5', 'k1', 'k2', 'k8', 'k3', 'k6', 'k9'];
      expect(got.map((id) => Object.keys(k).find((n) => k[n].id === id))).toEqual(order);
    });

    it('pages the best ordering with limit=1 and limit=2 without duplicates or gaps', async () => {
      const queries: Record<string, string>[] = [
        { platform, best: 'true' },
        { platform, best: 'true', country: 'EC', language: 'es' },
        { platform, best: 'true', country: 'BO' },
      ];
      for (const query of queries) {
        const whole = await listIds(c.inB.member.token, query);
        expect(whole.length).toBeGreaterThan(1);
        for (const limit of [1, 2]) {
          const walked = await walk(c.inB.member.token, query, limit);
          expect({ query, limit, walked }).toEqual({ query, limit, walked: whole });
          expect(new Set(walked).size).toBe(walked.length);
        }
      }
    });

    it('refuses a cursor of the plain ordering in the best ordering', async () => {
      const first = await list(c.inB.member.token, { platform, limit: '1' });
      expect(first.nextCursor).toEqual(expect.any(String));
      const answer = await call(t.app, 'GET', '/v1/contacts', {
        token: c.inB.member.token,
        query: { platform, best: 'true', cursor: first.nextCursor! },
      });
      expect(fieldsOf(answer)).toEqual(['cursor']);
    });
  });

  describe('PATCH /v1/contacts/:id and history', () => {
    it('keeps a changed e-mail as a former address and records the change with who made it', async () => {
      const old = email('before');
      const created = await contact(c.inA.member.token, { email: old, phone: '+593991112233' });
      const fresh = email('after');
      const answer = await patch(c.inB.member.token, created.id, { email: fresh });
      expect(answer.status).toBe(200);
      expect(answer.body.email).toBe(fresh);
      expect(answer.body.phone).toBe('+593991112233');
      const emails = answer.body.channels
        .filter((ch) => ch.kind === 'email')
        .map(({ value, current, until }) => ({ value, current, until: until !== null }));
      expect(emails).toEqual([
        { value: old, current: false, until: true },
        { value: fresh, current: true, until: false },
      ]);
      const [latest, first] = await history(c.inA.member.token, created.id);
      expect(first.type).toBe('created');
      expect(latest).toEqual({
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        actorUserId: c.inB.member.id,
        type: 'updated',
        changes: { email: { from: old, to: fresh } },
      });
      await expect(audits('contact.updated', created.id)).resolves.toEqual([
        {
          action: 'contact.updated',
          actor_user_id: c.inB.member.id,
          organization_id: c.b.id,
          target_type: 'contact',
          details: { fields: ['email'] },
        },
      ]);
    });

    it('records every changed field with its former and new value', async () => {
      const created = await contact(c.inA.member.token, { fullName: 'Before Name' });
      const answer = await patch(a2.token, created.id, {
        fullName: 'After Name',
        languages: ['es', 'en'],
        countries: ['PE'],
        notes: 'Prefers Signal',
        status: 'unresponsive',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        fullName: 'After Name',
        languages: ['es', 'en'],
        countries: ['PE'],
        notes: 'Prefers Signal',
        status: 'unresponsive',
      });
      const back = await patch(a2.token, created.id, { status: 'active' });
      expect(back.body.status).toBe('active');
      const updates = (await history(c.inA.member.token, created.id)).filter(
        (e) => e.type === 'updated',
      );
      expect(updates.map((e) => [e.actorUserId, e.changes])).toEqual([
        [a2.id, { status: { from: 'unresponsive', to: 'active' } }],
        [
          a2.id,
          {
            fullName: { from: 'Before Name', to: 'After Name' },
            languages: { from: [], to: ['es', 'en'] },
            countries: { from: [], to: ['PE'] },
            notes: { from: null, to: 'Prefers Signal' },
            status: { from: 'active', to: 'unresponsive' },
          },
        ],
      ]);
    });

    it('writes no history entry when nothing changes', async () => {
      const created = await contact(c.inA.member.token, {
        notes: 'Same',
        email: email('same'),
      });
      const events = await eventCount(created.id);
      const answer = await patch(c.inA.member.token, created.id, {
        notes: 'Same',
        email: created.email!.toUpperCase(),
      });
      expect(answer.status).toBe(200);
      await expect(eventCount(created.id)).resolves.toBe(events);
      await expect(
        count('SELECT count(*)::int AS n FROM contact_channels WHERE contact_id = $1', [
          created.id,
        ]),
      ).resolves.toBe(1);
    });

    it('removes an address with null, keeping it on record as former', async () => {
      const address = email('removed');
      const created = await contact(c.inA.member.token, { email: address });
      const answer = await patch(c.inA.member.token, created.id, { email: null });
      expect(answer.status).toBe(200);
      expect(answer.body.email).toBeNull();
      expect(answer.body.channels.map(({ value, current }) => ({ value, current }))).toEqual([
        { value: address, current: false },
      ]);
      const [latest] = await history(c.inA.member.token, created.id);
      expect(latest.changes).toEqual({ email: { from: address, to: null } });
    });

    it('accepts only unresponsive or active as a status, and no change of status after departure', async () => {
      const created = await contact(c.inA.member.token);
      for (const status of ['unverified', 'left', 'gone']) {
        const answer = await patch(c.inA.member.token, created.id, { status });
        expect({ status, fields: fieldsOf(answer) }).toEqual({ status, fields: ['status'] });
      }
      await depart(c.inA.member.token, created.id, { leftOn: '2025-03-01', reason: 'Left' });
      const events = await eventCount(created.id);
      const answer = await patch(c.inA.member.token, created.id, { status: 'active' });
      expectProblem(answer, 409);
      await expect(
        t.db.query('SELECT status::text FROM contacts WHERE id = $1', [created.id]),
      ).resolves.toEqual([{ status: 'left' }]);
      await expect(eventCount(created.id)).resolves.toBe(events);
    });

    it('refuses malformed changes with 400 naming the field, changing nothing', async () => {
      const address = email('keep');
      const created = await contact(c.inA.member.token, { email: address, fullName: 'Kept Name' });
      const cases: [Record<string, unknown>, string[]][] = [
        [{ email: 'not-an-email' }, ['email']],
        [{ phone: '555' }, ['phone']],
        [{ fullName: 'n'.repeat(201) }, ['fullName']],
        [{ countries: ['XX'] }, ['countries']],
        [{ platformCode: 'instagram' }, ['platformCode']],
        [{ organizationId: c.b.id }, ['organizationId']],
        [{ tlp: 'BLACK' }, ['tlp']],
      ];
      for (const [body, fields] of cases) {
        const answer = await patch(c.inA.member.token, created.id, body);
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(eventCount(created.id)).resolves.toBe(1);
      await expect(
        t.db.query(
          `SELECT c.full_name, c.countries, c.tlp::text, array_agg(ch.value) AS addresses
             FROM contacts c JOIN contact_channels ch ON ch.contact_id = c.id
            WHERE c.id = $1 GROUP BY c.id`,
          [created.id],
        ),
      ).resolves.toEqual([
        { full_name: 'Kept Name', countries: [], tlp: 'GREEN', addresses: [address] },
      ]);
      expectProblem(await patch(c.inA.member.token, randomUUID(), { notes: 'x' }), 404);
      expect(fieldsOf(await patch(c.inA.member.token, 'not-a-uuid', { notes: 'x' }))).toEqual([
        'id',
      ]);
    });

    it('refuses null for the fields a contact cannot be without (400, not a server error)', async () => {
      const created = await contact(c.inA.member.token, { fullName: 'Never Null' });
      const results: { field: string; status: number }[] = [];
      for (const field of ['fullName', 'languages', 'countries', 'tlp', 'status']) {
        const answer = await patch(c.inA.member.token, created.id, { [field]: null });
        results.push({ field, status: answer.status });
      }
      expect(results).toEqual(
        ['fullName', 'languages', 'countries', 'tlp', 'status'].map((field) => ({
          field,
          status: 400,
        })),
      );
      await expect(
        t.db.query('SELECT full_name, tlp::text, status::text FROM contacts WHERE id = $1', [
          created.id,
        ]),
      ).resolves.toEqual([{ full_name: 'Never Null', tlp: 'GREEN', status: 'active' }]);
    });

    it('pages the history newest first', async () => {
      const created = await contact(c.inA.member.token);
      for (const notes of ['one', 'two', 'three']) {
        expect((await patch(c.inA.member.token, created.id, { notes })).status).toBe(200);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const answer: { status: number; body: Page<HistoryEntry> } = await call<Page<HistoryEntry>>(
          t.app,
          'GET',
          `/v1/contacts/${created.id}/history`,
          {
            token: c.inA.member.token,
            query: { limit: '1', ...(cursor ? { cursor } : {}) },
          },
        );
        expect(answer.status).toBe(200);
        seen.push(
          ...answer.body.data.map((e) =>
            e.type === 'created' ? 'created' : (e.changes.notes as { to: string }).to,
          ),
        );
        cursor = answer.body.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(['three', 'two', 'one', 'created']);
    });
  });

  describe('tenures', () => {
    it('adds tenures and answers them oldest first', async () => {
      const created = await contact(c.inA.member.token);
      const open = await addTenure(c.inA.member.token, created.id, {
        title: 'Public Policy Manager',
        team: 'Public Policy LatAm',
        countries: ['EC', 'BO'],
        startedOn: '2024-03-01',
      });
      expect(open.status).toBe(201);
      expect(open.body.tenures).toEqual([
        {
          id: expect.stringMatching(UUID),
          title: 'Public Policy Manager',
          team: 'Public Policy LatAm',
          countries: ['EC', 'BO'],
          startedOn: '2024-03-01',
          endedOn: null,
          endReason: null,
          handoverNotes: null,
        },
      ]);
      const earlier = await addTenure(c.inA.member.token, created.id, {
        title: 'Trust & Safety Analyst',
        startedOn: '2021-01-04',
        endedOn: '2024-02-29',
      });
      expect(earlier.status).toBe(201);
      const fetched = await get(c.inB.member.token, created.id);
      expect(fetched.body.tenures.map((x) => [x.title, x.startedOn, x.endedOn, x.team])).toEqual([
        ['Trust & Safety Analyst', '2021-01-04', '2024-02-29', null],
        ['Public Policy Manager', '2024-03-01', null, 'Public Policy LatAm'],
      ]);
      const [latest] = await history(c.inA.member.token, created.id);
      expect(latest).toMatchObject({
        type: 'tenure_added',
        actorUserId: c.inA.member.id,
        changes: {
          tenureId: expect.stringMatching(UUID),
          title: 'Trust & Safety Analyst',
          startedOn: '2021-01-04',
          endedOn: '2024-02-29',
        },
      });
      await expect(audits('contact.tenure_added', created.id)).resolves.toHaveLength(2);
    });

    it('refuses a second open tenure with 409, writing nothing', async () => {
      const created = await contact(c.inA.member.token);
      await addTenure(c.inA.member.token, created.id, {
        title: 'Manager',
        startedOn: '2024-01-01',
      });
      const events = await eventCount(created.id);
      const answer = await addTenure(c.inA.member.token, created.id, {
        title: 'Director',
        startedOn: '2025-01-01',
      });
      expectProblem(answer, 409);
      await expect(
        count('SELECT count(*)::int AS n FROM contact_tenures WHERE contact_id = $1', [created.id]),
      ).resolves.toBe(1);
      await expect(eventCount(created.id)).resolves.toBe(events);
    });

    it('refuses a tenure ending before it starts, and malformed tenures, with 400 naming the field', async () => {
      const created = await contact(c.inA.member.token);
      const cases: [Record<string, unknown>, string[]][] = [
        [{ title: 'Manager', startedOn: '2025-05-01', endedOn: '2025-04-30' }, ['endedOn']],
        [{ title: 'Manager', startedOn: '2025-02-30' }, ['startedOn']],
        [{ title: 'Manager', startedOn: '01.05.2025' }, ['startedOn']],
        [{ title: 'Manager' }, ['startedOn']],
        [{ title: 't'.repeat(201), startedOn: '2025-05-01' }, ['title']],
        [{ startedOn: '2025-05-01' }, ['title']],
        [{ title: 'Manager', team: 't'.repeat(201), startedOn: '2025-05-01' }, ['team']],
        [{ title: 'Manager', countries: ['XX'], startedOn: '2025-05-01' }, ['countries']],
        [{ title: 'Manager', startedOn: '2025-05-01', endReason: 'x' }, ['endReason']],
      ];
      for (const [body, fields] of cases) {
        const answer = await addTenure(c.inA.member.token, created.id, body);
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(
        count('SELECT count(*)::int AS n FROM contact_tenures WHERE contact_id = $1', [created.id]),
      ).resolves.toBe(0);
      await expect(eventCount(created.id)).resolves.toBe(1);
    });
  });

  describe('departure', () => {
    it('closes the open tenure, retires the addresses and links the successor both ways', async () => {
      const token = c.inA.member.token;
      const address = email('leaving');
      const leaving = await contact(token, {
        email: address,
        phone: '+593990001111',
        countries: ['EC'],
      });
      await addTenure(token, leaving.id, {
        title: 'Policy Manager',
        countries: ['EC'],
        startedOn: '2023-01-15',
      });
      const successor = await contact(token, { email: email('successor') });

      const answer = await depart(c.inB.member.token, leaving.id, {
        leftOn: '2025-06-30',
        reason: 'Moved to another company',
        successorContactId: successor.id,
        handoverNotes: 'Open cases were handed over to the successor',
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        id: leaving.id,
        status: 'left',
        leftOn: '2025-06-30',
        email: null,
        phone: null,
        successorId: successor.id,
        successorChain: [{ id: successor.id, fullName: successor.fullName, status: 'active' }],
        predecessorIds: [],
      });
      expect(answer.body.tenures).toEqual([
        {
          id: expect.stringMatching(UUID),
          title: 'Policy Manager',
          team: null,
          countries: ['EC'],
          startedOn: '2023-01-15',
          endedOn: '2025-06-30',
          endReason: 'Moved to another company',
          handoverNotes: 'Open cases were handed over to the successor',
        },
      ]);
      expect(
        answer.body.channels.map(({ kind, value, current, until }) => ({
          kind,
          value,
          current,
          until: typeof until,
        })),
      ).toEqual(
        expect.arrayContaining([
          { kind: 'email', value: address, current: false, until: 'string' },
          { kind: 'phone', value: '+593990001111', current: false, until: 'string' },
        ]),
      );
      expect(answer.body.channels).toHaveLength(2);

      const next = await get(c.inA.viewer.token, successor.id);
      expect(next.body.predecessorIds).toEqual([leaving.id]);
      const [latest] = await history(token, leaving.id);
      expect(latest).toEqual({
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        actorUserId: c.inB.member.id,
        type: 'departed',
        changes: {
          leftOn: '2025-06-30',
          reason: 'Moved to another company',
          successorId: successor.id,
          status: { from: 'active', to: 'left' },
        },
      });
      await expect(audits('contact.departed', leaving.id)).resolves.toEqual([
        {
          action: 'contact.departed',
          actor_user_id: c.inB.member.id,
          organization_id: c.b.id,
          target_type: 'contact',
          details: { successorId: successor.id },
        },
      ]);
    });

    it('answers the successor chain in order when the successor leaves in turn', async () => {
      const token = c.inA.member.token;
      const a = await contact(token, { fullName: 'First Holder' });
      const b = await contact(token, { fullName: 'Second Holder' });
      const cc = await contact(token, { fullName: 'Third Holder' });
      expect(
        (
          await depart(token, a.id, {
            leftOn: '2024-01-31',
            reason: 'Left',
            successorContactId: b.id,
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await depart(token, b.id, {
            leftOn: '2025-01-31',
            reason: 'Left',
            successorContactId: cc.id,
          })
        ).status,
      ).toBe(201);
      const first = await get(c.inB.member.token, a.id);
      expect(first.body.successorChain).toEqual([
        { id: b.id, fullName: 'Second Holder', status: 'left' },
        { id: cc.id, fullName: 'Third Holder', status: 'active' },
      ]);
      const middle = await get(c.inB.member.token, b.id);
      expect(middle.body).toMatchObject({
        predecessorIds: [a.id],
        successorId: cc.id,
        successorChain: [{ id: cc.id, fullName: 'Third Holder', status: 'active' }],
      });
      const last = await get(c.inB.member.token, cc.id);
      expect(last.body).toMatchObject({ predecessorIds: [b.id], successorChain: [] });
    });

    it('refuses a contact succeeding itself (409), changing nothing', async () => {
      const token = c.inA.member.token;
      const self = await contact(token);
      const answer = await depart(token, self.id, {
        leftOn: '2025-01-01',
        reason: 'Left',
        successorContactId: self.id,
      });
      expectProblem(answer, 409);
      expect(answer.body.errors).toEqual([
        { field: 'successorContactId', message: expect.any(String) },
      ]);
      await expect(
        t.db.query('SELECT status::text, successor_id, left_on FROM contacts WHERE id = $1', [
          self.id,
        ]),
      ).resolves.toEqual([{ status: 'active', successor_id: null, left_on: null }]);
      await expect(eventCount(self.id)).resolves.toBe(1);
    });

    it('refuses a successor that would close a loop (409), changing nothing', async () => {
      const token = c.inA.member.token;
      const a = await contact(token);
      const b = await contact(token);
      const cc = await contact(token);
      await depart(token, a.id, { leftOn: '2024-01-31', reason: 'Left', successorContactId: b.id });
      const direct = await depart(token, b.id, {
        leftOn: '2024-06-30',
        reason: 'Left',
        successorContactId: a.id,
      });
      expectProblem(direct, 409);
      expect(direct.body.errors).toEqual([
        { field: 'successorContactId', message: expect.any(String) },
      ]);
      await depart(token, b.id, {
        leftOn: '2024-06-30',
        reason: 'Left',
        successorContactId: cc.id,
      });
      const indirect = await depart(token, cc.id, {
        leftOn: '2025-06-30',
        reason: 'Left',
        successorContactId: a.id,
      });
      expectProblem(indirect, 409);
      await expect(
        t.db.query('SELECT status::text, successor_id FROM contacts WHERE id = $1', [cc.id]),
      ).resolves.toEqual([{ status: 'active', successor_id: null }]);
      await expect(eventCount(cc.id)).resolves.toBe(1);
    });

    it.each(['one platform', 'two platforms of one company'] as const)(
      'never lets two simultaneous departures (%s) make two contacts succeed each other',
      async (where) => {
        const token = c.inA.member.token;
        // Successors may work for another platform of the company, covering the contact's own.
        const company = `Company ${unique()}`;
        const [p1, p2] =
          where === 'one platform'
            ? ['facebook', 'facebook']
            : await Promise.all(
                [1, 2].map(
                  async () =>
                    (await createPlatform(t.app, c.admin.token, { parentCompany: company })).code,
                ),
              );
        const others = (p: string) => (p1 === p2 ? {} : { otherPlatformCodes: [p] });
        const x = await contact(token, { platformCode: p1, ...others(p2) });
        const y = await contact(token, { platformCode: p2, ...others(p1) });
        const [one, two] = await Promise.all([
          depart(token, x.id, { leftOn: '2025-01-31', reason: 'Left', successorContactId: y.id }),
          depart(c.inB.member.token, y.id, {
            leftOn: '2025-01-31',
            reason: 'Left',
            successorContactId: x.id,
          }),
        ]);
        expect([one.status, two.status].sort()).toEqual([201, 409]);
        await expect(
          count(
            'SELECT count(*)::int AS n FROM contacts WHERE id = ANY($1) AND successor_id IS NOT NULL',
            [[x.id, y.id]],
          ),
        ).resolves.toBe(1);
      },
    );

    it('refuses the departure of a contact that already left (409), changing nothing', async () => {
      const token = c.inA.member.token;
      const gone = await contact(token);
      await depart(token, gone.id, { leftOn: '2025-01-31', reason: 'Left' });
      const events = await eventCount(gone.id);
      const answer = await depart(token, gone.id, { leftOn: '2025-03-31', reason: 'Left again' });
      expectProblem(answer, 409);
      await expect(
        t.db.query('SELECT left_on::text FROM contacts WHERE id = $1', [gone.id]),
      ).resolves.toEqual([{ left_on: '2025-01-31' }]);
      await expect(eventCount(gone.id)).resolves.toBe(events);
    });

    it('refuses leaving before the open tenure started (400 naming leftOn), changing nothing', async () => {
      const token = c.inA.member.token;
      const created = await contact(token);
      await addTenure(token, created.id, { title: 'Manager', startedOn: '2024-05-01' });
      const answer = await depart(token, created.id, { leftOn: '2024-04-30', reason: 'Left' });
      expect(fieldsOf(answer)).toEqual(['leftOn']);
      await expect(
        t.db.query('SELECT ended_on FROM contact_tenures WHERE contact_id = $1', [created.id]),
      ).resolves.toEqual([{ ended_on: null }]);
      await expect(
        t.db.query('SELECT status::text FROM contacts WHERE id = $1', [created.id]),
      ).resolves.toEqual([{ status: 'active' }]);
      const sameDay = await depart(token, created.id, { leftOn: '2024-05-01', reason: 'Left' });
      expect(sameDay.status).toBe(201);
      expect(sameDay.body.tenures[0].endedOn).toBe('2024-05-01');
    });

    it('refuses a successor of another platform, one the user cannot see, or a malformed departure (400)', async () => {
      const token = c.inA.member.token;
      const leaving = await contact(token, { platformCode: 'facebook' });
      const elsewhere = await contact(token, { platformCode: 'tiktok' });
      const hidden = await contact(c.inB.member.token, { tlp: 'AMBER+STRICT' });
      const cases: [Record<string, unknown>, string[]][] = [
        [
          { leftOn: '2025-01-31', reason: 'Left', successorContactId: elsewhere.id },
          ['successorContactId'],
        ],
        [
          { leftOn: '2025-01-31', reason: 'Left', successorContactId: hidden.id },
          ['successorContactId'],
        ],
        [
          { leftOn: '2025-01-31', reason: 'Left', successorContactId: randomUUID() },
          ['successorContactId'],
        ],
        [
          { leftOn: '2025-01-31', reason: 'Left', successorContactId: 'nope' },
          ['successorContactId'],
        ],
        [{ leftOn: '2025-01-31' }, ['reason']],
        [{ leftOn: '2025-01-31', reason: 'r'.repeat(1001) }, ['reason']],
        [{ reason: 'Left' }, ['leftOn']],
        [{ leftOn: '31/01/2025', reason: 'Left' }, ['leftOn']],
        [
          { leftOn: '2025-01-31', reason: 'Left', handoverNotes: 'h'.repeat(4001) },
          ['handoverNotes'],
        ],
        [{ leftOn: '2025-01-31', reason: 'Left', status: 'left' }, ['status']],
      ];
      for (const [body, fields] of cases) {
        const answer = await depart(token, leaving.id, body);
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(
        t.db.query('SELECT status::text, successor_id FROM contacts WHERE id = $1', [leaving.id]),
      ).resolves.toEqual([{ status: 'active', successor_id: null }]);
      await expect(eventCount(leaving.id)).resolves.toBe(1);
    });
  });

  describe('POST /v1/contacts/:id/verify', () => {
    it('records who verified when, turns unverified back to active and writes history', async () => {
      const created = await contact(c.inA.member.token);
      await t.db.query(`UPDATE contacts SET status = 'unverified' WHERE id = $1`, [created.id]);
      const before = Date.now();
      const answer = await call<Contact>(t.app, 'POST', `/v1/contacts/${created.id}/verify`, {
        token: c.inB.member.token,
        body: { note: 'Answered our e-mail today' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        status: 'active',
        lastVerifiedBy: c.inB.member.id,
        lastVerifiedAt: expect.stringMatching(ISO),
      });
      const at = Date.parse(answer.body.lastVerifiedAt!);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
      const [latest] = await history(c.inA.member.token, created.id);
      expect(latest).toMatchObject({
        type: 'verified',
        actorUserId: c.inB.member.id,
        changes: {
          note: 'Answered our e-mail today',
          status: { from: 'unverified', to: 'active' },
        },
      });
      await expect(audits('contact.verified', created.id, c.inB.member.id)).resolves.toHaveLength(
        1,
      );
    });

    it('keeps an unresponsive contact unresponsive, and needs no note', async () => {
      const created = await contact(c.inA.member.token);
      await patch(c.inA.member.token, created.id, { status: 'unresponsive' });
      const answer = await call<Contact>(t.app, 'POST', `/v1/contacts/${created.id}/verify`, {
        token: c.inA.member.token,
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        status: 'unresponsive',
        lastVerifiedBy: c.inA.member.id,
      });
      const [latest] = await history(c.inA.member.token, created.id);
      expect(latest).toMatchObject({ type: 'verified', changes: {} });
    });

    it('refuses to verify a contact who left (409) and malformed notes (400)', async () => {
      const created = await contact(c.inA.member.token);
      expect(
        fieldsOf(
          await call(t.app, 'POST', `/v1/contacts/${created.id}/verify`, {
            token: c.inA.member.token,
            body: { note: 'n'.repeat(1001) },
          }),
        ),
      ).toEqual(['note']);
      await depart(c.inA.member.token, created.id, { leftOn: '2025-01-31', reason: 'Left' });
      const events = await eventCount(created.id);
      const answer = await call(t.app, 'POST', `/v1/contacts/${created.id}/verify`, {
        token: c.inA.member.token,
        body: {},
      });
      expectProblem(answer, 409);
      await expect(eventCount(created.id)).resolves.toBe(events);
      await expect(
        t.db.query('SELECT last_verified_at FROM contacts WHERE id = $1', [created.id]),
      ).resolves.toEqual([{ last_verified_at: null }]);
    });
  });

  describe('GET /v1/contacts/:id/vcard', () => {
    it('exports the current details as a vCard 4.0, without former addresses or tenures', async () => {
      const token = c.inA.member.token;
      const old = email('vcard-old');
      const created = await contact(token, {
        fullName: 'Valeria Ríos',
        email: old,
        phone: '+593 99 555 0101',
        languages: ['es', 'en'],
      });
      const fresh = email('vcard-new');
      await patch(token, created.id, { email: fresh });
      await addTenure(token, created.id, {
        title: 'Former Analyst',
        startedOn: '2020-01-01',
        endedOn: '2022-12-31',
      });
      await addTenure(token, created.id, {
        title: 'Policy Manager, Andean Region',
        startedOn: '2023-01-01',
      });

      const answer = await call(t.app, 'GET', `/v1/contacts/${created.id}/vcard`, {
        token: c.inB.viewer.token,
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/vcard; charset=utf-8');
      const lines = answer.text.split('\r\n');
      expect(lines.slice(0, 2)).toEqual(['BEGIN:VCARD', 'VERSION:4.0']);
      expect(lines.slice(-2)).toEqual(['END:VCARD', '']);
      expect(lines).toEqual(
        expect.arrayContaining([
          `UID:urn:uuid:${created.id}`,
          'FN:Valeria Ríos',
          'ORG:Facebook',
          'TITLE:Policy Manager\\, Andean Region',
          `EMAIL;TYPE=work:${fresh}`,
          'TEL;VALUE=uri;TYPE=work,voice:tel:+593995550101',
          'LANG;PREF=1:es',
          'LANG;PREF=2:en',
        ]),
      );
      expect(answer.text).not.toContain(old);
      expect(answer.text).not.toContain('Former Analyst');
      expect(lines.filter((l) => l.startsWith('EMAIL'))).toHaveLength(1);
      await expect(audits('contact.exported', created.id, c.inB.viewer.id)).resolves.toEqual([
        {
          action: 'contact.exported',
          actor_user_id: c.inB.viewer.id,
          organization_id: c.b.id,
          target_type: 'contact',
          details: { format: 'vcard' },
        },
      ]);
    });

    it('exports a departed contact without addresses or title', async () => {
      const token = c.inA.member.token;
      const created = await contact(token, { email: email('vcard-gone') });
      await addTenure(token, created.id, { title: 'Manager', startedOn: '2023-01-01' });
      await depart(token, created.id, { leftOn: '2025-01-31', reason: 'Left' });
      const answer = await call(t.app, 'GET', `/v1/contacts/${created.id}/vcard`, { token });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain(`FN:${created.fullName}`);
      expect(answer.text).not.toMatch(/^(EMAIL|TITLE|TEL)/m);
    });

    it('answers 404 for a contact the user may not see', async () => {
      const hidden = await contact(c.inA.member.token, { tlp: 'RED' });
      const answer = await call(t.app, 'GET', `/v1/contacts/${hidden.id}/vcard`, {
        token: a2.token,
      });
      expectProblem(answer, 404);
      expect(answer.text).not.toContain(hidden.fullName);
    });
  });

  describe('GET /v1/platforms/:code/turnover', () => {
    let platform: string;

    beforeAll(async () => {
      platform = (await createPlatform(t.app, c.admin.token)).code;
      const a = c.inA.member.token;
      const b = c.inB.member.token;
      const ok = (answer: Answer) => expect(answer.status).toBe(201);
      // Visible to everyone (GREEN, organisation A).
      const first = await contact(a, { platformCode: platform });
      ok(await addTenure(a, first.id, { title: 'T', countries: ['EC'], startedOn: '2024-06-01' }));
      ok(await depart(a, first.id, { leftOn: '2025-03-01', reason: 'Left' }));
      const second = await contact(a, { platformCode: platform });
      ok(await addTenure(a, second.id, { title: 'T', countries: ['EC'], startedOn: '2025-04-01' }));
      ok(await depart(a, second.id, { leftOn: '2025-09-30', reason: 'Left' }));
      const third = await contact(a, { platformCode: platform });
      ok(
        await addTenure(a, third.id, {
          title: 'T',
          countries: ['EC', 'BO'],
          startedOn: '2025-11-01',
        }),
      );
      const quiet = await contact(a, { platformCode: platform });
      expect((await patch(a, quiet.id, { status: 'unresponsive' })).status).toBe(200);
      const stale = await contact(a, { platformCode: platform });
      await t.db.query(`UPDATE contacts SET status = 'unverified' WHERE id = $1`, [stale.id]);
      // AMBER+STRICT contacts of organisation B: only B may count them.
      const hiddenLeft = await contact(b, { platformCode: platform, tlp: 'AMBER+STRICT' });
      ok(
        await addTenure(b, hiddenLeft.id, {
          title: 'T',
          countries: ['EC'],
          startedOn: '2025-02-01',
        }),
      );
      ok(await depart(b, hiddenLeft.id, { leftOn: '2025-06-01', reason: 'Left' }));
      const hiddenActive = await contact(b, { platformCode: platform, tlp: 'AMBER+STRICT' });
      ok(
        await addTenure(b, hiddenActive.id, {
          title: 'T',
          countries: ['EC'],
          startedOn: '2024-01-01',
        }),
      );
    });

    it('computes the figures over the contacts the caller may see', async () => {
      const query = { from: '2025-01-01', to: '2025-12-31' };
      const forA = await call(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
        token: c.inA.viewer.token,
        query,
      });
      expect(forA.status).toBe(200);
      expect(forA.body).toEqual({
        from: '2025-01-01',
        to: '2025-12-31',
        departures: 2,
        medianTenureDays: 227.5,
        active: 1,
        unverified: 1,
        unresponsive: 1,
        left: 2,
        longestGapDays: { BO: 304, EC: 31 },
      });
      const forB = await call(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
        token: c.inB.viewer.token,
        query,
      });
      expect(forB.body).toEqual({
        from: '2025-01-01',
        to: '2025-12-31',
        departures: 3,
        medianTenureDays: 182,
        active: 2,
        unverified: 1,
        unresponsive: 1,
        left: 3,
        longestGapDays: { BO: 304, EC: 0 },
      });
    });

    it('counts only departures and tenures ending inside the period', async () => {
      const answer = await call(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
        token: c.inA.member.token,
        query: { from: '2025-03-01', to: '2025-03-31' },
      });
      expect(answer.body).toEqual({
        from: '2025-03-01',
        to: '2025-03-31',
        departures: 1,
        medianTenureDays: 273,
        active: 1,
        unverified: 1,
        unresponsive: 1,
        left: 2,
        longestGapDays: { BO: 31, EC: 30 },
      });
    });

    it('defaults to the year up to today', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const answer = await call(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
        token: c.inA.member.token,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        from: `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`,
        to: today,
      });
    });

    it('refuses a period ending before it starts or malformed dates (400), and unknown platforms (404)', async () => {
      const token = c.inA.member.token;
      for (const [query, fields] of [
        [{ from: '2025-06-01', to: '2025-05-31' }, ['from']],
        [{ from: '2025-02-30' }, ['from']],
        [{ to: 'today' }, ['to']],
        [{ from: '2025-01-01', country: 'EC' }, ['country']],
      ] as [Record<string, string>, string[]][]) {
        const answer = await call(t.app, 'GET', `/v1/platforms/${platform}/turnover`, {
          token,
          query,
        });
        expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields });
      }
      expectProblem(
        await call(t.app, 'GET', '/v1/platforms/no_such_platform/turnover', { token }),
        404,
      );
    });
  });

  describe('audit and append-only history', () => {
    it('audits reads, lists, exports and changes of contacts', async () => {
      const reader = c.inB.viewer;
      const created = await contact(c.inA.member.token, { email: email('audited') });
      expect((await get(reader.token, created.id)).status).toBe(200);
      await expect(audits('contact.read', created.id, reader.id)).resolves.toEqual([
        {
          action: 'contact.read',
          actor_user_id: reader.id,
          organization_id: c.b.id,
          target_type: 'contact',
          details: {},
        },
      ]);
      await listIds(reader.token, { address: created.email! });
      const listed = (await t.db.query(
        `SELECT details FROM audit_entries WHERE action = 'contact.listed' AND actor_user_id = $1
          ORDER BY occurred_at DESC, id DESC LIMIT 1`,
        [reader.id],
      )) as { details: Record<string, unknown> }[];
      expect(listed).toEqual([{ details: { count: 1, contactIds: [created.id] } }]);
      await call(t.app, 'GET', `/v1/contacts/${created.id}/vcard`, { token: reader.token });
      await expect(audits('contact.exported', created.id, reader.id)).resolves.toHaveLength(1);
      await patch(c.inA.member.token, created.id, { notes: 'Audited', email: email('audited2') });
      await expect(audits('contact.updated', created.id)).resolves.toEqual([
        expect.objectContaining({ details: { fields: ['email', 'notes'] } }),
      ]);
    });

    it('audits a read of the history, which shows former addresses', async () => {
      const reader = c.inB.member;
      const created = await contact(c.inA.member.token, { email: email('history') });
      await patch(c.inA.member.token, created.id, { email: email('history2') });
      const before = await count(
        'SELECT count(*)::int AS n FROM audit_entries WHERE target_id = $1 AND actor_user_id = $2',
        [created.id, reader.id],
      );
      const entries = await history(reader.token, created.id);
      expect(JSON.stringify(entries)).toContain(created.email!);
      await expect(
        count(
          'SELECT count(*)::int AS n FROM audit_entries WHERE target_id = $1 AND actor_user_id = $2',
          [created.id, reader.id],
        ),
      ).resolves.toBe(before + 1);
    });

    it('writes no read audit for a contact the user may not see', async () => {
      const hidden = await contact(c.inA.member.token, { tlp: 'AMBER+STRICT' });
      expectProblem(await get(c.inB.member.token, hidden.id), 404);
      await expect(
        count(
          'SELECT count(*)::int AS n FROM audit_entries WHERE target_id = $1 AND actor_user_id = $2',
          [hidden.id, c.inB.member.id],
        ),
      ).resolves.toBe(0);
    });

    it('refuses to rewrite or delete the contact history, even through SQL', async () => {
      const created = await contact(c.inA.member.token);
      await patch(c.inA.member.token, created.id, { notes: 'Something' });
      await expect(
        t.db.query(`UPDATE contact_events SET type = 'verified' WHERE contact_id = $1`, [
          created.id,
        ]),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.db.query('DELETE FROM contact_events WHERE contact_id = $1', [created.id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.db.query('SELECT type FROM contact_events WHERE contact_id = $1 ORDER BY occurred_at', [
          created.id,
        ]),
      ).resolves.toEqual([{ type: 'created' }, { type: 'updated' }]);
    });
  });
});
