import { randomBytes, randomUUID } from 'node:crypto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { Tlp } from '../../src/common/sharing/tlp';
import { MispEvent } from '../../src/interop/misp';
import { StixBundle } from '../../src/interop/stix';
import { tlpMarkingId } from '../../src/interop/tlp-markings';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { stixProblems } from '../fixtures/stix2-schemas/validator';
import { countRows } from '../support/checks';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * GET /v1/cases/:id/stix and /misp through HTTP, on a real database: who may export what (the
 * cases' TLP rule, 404 for the rest), what the exports hold (schema-valid STIX, a MISP event,
 * never the title or summary), and the audit trail of each export.
 */

const FORMATS = ['stix', 'misp'] as const;
type Format = (typeof FORMATS)[number];

describe('case exports: STIX 2.1 and MISP (e2e)', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  /** An organisation never named on any case. */
  let outsider: TestUser;
  let named: OrganizationResponseDto;
  let memberOfNamed: TestUser;
  const cases = {} as Record<Tlp, CaseResponseDto>;
  const run = randomBytes(4).toString('hex');
  const secret = (tlp: Tlp) => ({
    title: `Ana Quispe ${run} ${tlp}`,
    summary: `Lives at Calle Sucre ${run}, ${tlp}; her daughter's school was posted`,
  });

  const exportOf = <T = Record<string, unknown>>(format: Format, id: string, token?: string) =>
    call<T>(t.app, 'GET', `/v1/cases/${id}/${format}`, { token });
  const exportsAudited = (caseId: string, actorId: string) =>
    t.db.query(
      `SELECT action, actor_user_id, organization_id, target_type, details FROM audit_entries
        WHERE action = 'case.exported' AND target_id = $1 AND actor_user_id = $2
        ORDER BY occurred_at, id`,
      [caseId, actorId],
    ) as Promise<Record<string, unknown>[]>;
  const countExports = (caseId: string) =>
    countRows(
      t.db,
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'case.exported' AND target_id = $1`,
      [caseId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    named = await createOrganization(t.app);
    memberOfNamed = await createUser(t.app, named.id, 'member');
    const elsewhere = await createOrganization(t.app);
    outsider = await createUser(t.app, elsewhere.id, 'member');
    const shareWith: Partial<Record<Tlp, Record<string, string[]>>> = {
      AMBER: { shareWithOrganizationIds: [named.id] },
    };
    for (const tlp of ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'] as const) {
      cases[tlp] = await createCase(t.app, c.inA.member.token, {
        ...secret(tlp),
        tlp,
        ...shareWith[tlp],
        items: [
          { url: 'https://www.facebook.com/posts/123?fbclid=SHARER', kind: 'post' },
          {
            url: `https://facebook.com/profile/${run}`,
            kind: 'profile',
            capturedAt: '2026-03-01T09:00:00.000Z',
          },
        ],
        indicators: [
          { kind: 'account_handle', value: `@Troll_${run}` },
          { kind: 'url', value: `https://evil.example/o'brien/${run}` },
          { kind: 'domain', value: 'bücher.example' },
          { kind: 'hashtag', value: `#fuera${run}` },
          { kind: 'phone', value: '+591 700 12345' },
          { kind: 'image_hash', value: `sha256:${'ab'.repeat(32)}` },
        ],
      });
    }
  });
  afterAll(() => t?.close());

  function expectNoSurvivorData(answer: Answer<unknown>, tlp: Tlp): void {
    const { title, summary } = secret(tlp);
    for (const text of [title, summary, 'Ana Quispe', 'Calle Sucre', 'SHARER']) {
      expect(answer.text).not.toContain(text);
    }
  }

  describe('GET /v1/cases/:id/stix', () => {
    it("gives the owner's member a bundle that validates, marked with the case's TLP", async () => {
      const id = cases['AMBER+STRICT'].id;
      const answer = await exportOf<StixBundle>('stix', id, c.inA.member.token);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/stix+json;version=2.1');
      expect(answer.headers['cache-control']).toBe('no-store');
      const bundle = answer.body;
      expect(stixProblems(bundle)).toEqual([]);
      const incident = bundle.objects.filter((o) => o.type === 'incident');
      expect(incident).toEqual([
        expect.objectContaining({
          name: `${cases['AMBER+STRICT'].reference}: Doxxing and exposure of private information`,
          created: cases['AMBER+STRICT'].createdAt,
        }),
      ]);
      const marking = tlpMarkingId('AMBER+STRICT');
      for (const o of bundle.objects.filter((x) => x.type !== 'marking-definition')) {
        expect(o.object_marking_refs).toEqual([marking]);
      }
      expect(
        bundle.objects.filter((o) => o.type === 'marking-definition').map((m) => m.id),
      ).toEqual([marking]);
      const types = new Set(bundle.objects.map((o) => o.type));
      for (const type of [
        'identity',
        'observed-data',
        'url',
        'domain-name',
        'user-account',
        'file',
        'indicator',
        'relationship',
      ]) {
        expect(types).toContain(type);
      }
      expect(answer.text).toContain(`troll_${run}`);
      expect(answer.text).toContain("[url:value = 'https://evil.example/o\\\\'brien/");
      expectNoSurvivorData(answer, 'AMBER+STRICT');
    });

    it('records case.exported with the format only', async () => {
      const id = cases.CLEAR.id;
      const before = await countExports(id);
      const answer = await exportOf('stix', id, c.inA.viewer.token);
      expect(answer.status).toBe(200);
      await expect(exportsAudited(id, c.inA.viewer.id)).resolves.toEqual([
        {
          action: 'case.exported',
          actor_user_id: c.inA.viewer.id,
          organization_id: c.a.id,
          target_type: 'case',
          details: { format: 'stix' },
        },
      ]);
      await expect(countExports(id)).resolves.toBe(before + 1);
    });

    it('keeps its object ids across exports', async () => {
      const id = cases.GREEN.id;
      const ids = async () =>
        (await exportOf<StixBundle>('stix', id, c.inA.member.token)).body.objects.map((o) => o.id);
      expect(await ids()).toEqual(await ids());
    });
  });

  describe('GET /v1/cases/:id/misp', () => {
    it("gives the owner's member one MISP event with the TLP as distribution and tag", async () => {
      const id = cases['AMBER+STRICT'].id;
      const answer = await exportOf<MispEvent>('misp', id, c.inA.member.token);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.headers['cache-control']).toBe('no-store');
      const { Event } = answer.body;
      expect(Event).toMatchObject({
        info: `${cases['AMBER+STRICT'].reference}: Doxxing and exposure of private information (Facebook)`,
        date: '2026-03-02',
        threat_level_id: '1',
        analysis: '1',
        distribution: '0',
        sharing_group_id: '0',
        published: false,
        Orgc: { uuid: c.a.id, name: c.a.name },
        Tag: [{ name: 'tlp:amber+strict', colour: '#FFC000', exportable: true }],
      });
      expect(Event.attribute_count).toBe(String(Event.Attribute.length));
      expect(Event.Attribute.map((a) => [a.type, a.category]).sort()).toEqual(
        [
          ['domain', 'Network activity'],
          ['phone-number', 'Other'],
          ['sha256', 'Payload delivery'],
          ['text', 'Social network'],
          ['text', 'Social network'],
          ['url', 'Network activity'],
          ['url', 'Network activity'],
          ['url', 'Network activity'],
        ].sort(),
      );
      expectNoSurvivorData(answer, 'AMBER+STRICT');
      await expect(exportsAudited(id, c.inA.member.id)).resolves.toContainEqual(
        expect.objectContaining({ details: { format: 'misp' } }),
      );
    });

    it('names the owner and the named organisations in the sharing group of an AMBER case', async () => {
      const answer = await exportOf<MispEvent>('misp', cases.AMBER.id, memberOfNamed.token);
      expect(answer.status).toBe(200);
      const { Event } = answer.body;
      expect(Event.distribution).toBe('4');
      expect(Event.SharingGroup?.SharingGroupOrg.map((o) => o.Organisation)).toEqual([
        { uuid: c.a.id, name: c.a.name },
        { uuid: named.id, name: named.name },
      ]);
    });
  });

  it('documents both routes in the OpenAPI document, with their refusals', async () => {
    const doc = (
      await call<{
        paths: Record<
          string,
          { get?: { operationId: string; responses: Record<string, unknown> } }
        >;
      }>(t.app, 'GET', '/openapi.json')
    ).body;
    for (const format of FORMATS) {
      const op = doc.paths[`/v1/cases/{id}/${format}`]?.get;
      expect(op?.operationId).toMatch(/^[A-Za-z]+_[A-Za-z]+$/);
      expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404']);
    }
    expect(
      Object.keys(
        (doc.paths['/v1/cases/{id}/stix']?.get?.responses['200'] as { content: object }).content,
      ),
    ).toEqual(['application/stix+json;version=2.1']);
  });

  describe('who may export', () => {
    /** The 404 of a case that does not exist: a refused export must look exactly like it. */
    async function missing(format: Format): Promise<Record<string, unknown>> {
      const { requestId: _r, ...problem } = expectProblem(
        await exportOf(format, randomUUID(), c.inA.member.token),
        404,
      );
      return problem;
    }

    it.each([
      ['AMBER+STRICT', 'a member of another organisation', () => c.inB.member],
      ['AMBER', 'a member of an organisation not named', () => outsider],
      ['RED', 'a member of another organisation, not named', () => c.inB.member],
      ['RED', 'another member of the owning organisation, not named', () => c.inA.viewer],
    ] as const)('refuses a %s case to %s: 404, nothing audited', async (tlp, _who, user) => {
      const id = cases[tlp].id;
      for (const format of FORMATS) {
        const answer = await exportOf(format, id, user().token);
        const { requestId: _r, ...problem } = expectProblem(answer, 404);
        expect(problem).toEqual(await missing(format));
        expect(answer.text).not.toContain(cases[tlp].reference);
        expectNoSurvivorData(answer, tlp);
      }
      await expect(exportsAudited(id, user().id)).resolves.toEqual([]);
    });

    it.each([
      ['GREEN', 'a member of another organisation', () => c.inB.member, '1'],
      ['CLEAR', 'a viewer of another organisation', () => c.inB.viewer, '3'],
      ['AMBER', 'a member of the named organisation', () => memberOfNamed, '4'],
    ] as const)('lets a %s case go to %s', async (tlp, _who, user, distribution) => {
      const id = cases[tlp].id;
      const stix = await exportOf<StixBundle>('stix', id, user().token);
      expect(stix.status).toBe(200);
      const bundle = stix.body;
      expect(stixProblems(bundle)).toEqual([]);
      for (const o of bundle.objects.filter((x) => x.type !== 'marking-definition')) {
        expect(o.object_marking_refs).toEqual([tlpMarkingId(tlp)]);
      }
      expectNoSurvivorData(stix, tlp);
      const misp = await exportOf<MispEvent>('misp', id, user().token);
      expect(misp.status).toBe(200);
      expect(misp.body.Event).toMatchObject({
        distribution,
        Tag: [expect.objectContaining({ name: `tlp:${tlp.toLowerCase()}` })],
      });
      expectNoSurvivorData(misp, tlp);
      // The last two entries: earlier tests may have exported the same case as the same user.
      expect((await exportsAudited(id, user().id)).slice(-2)).toEqual(
        FORMATS.map((format) => expect.objectContaining({ details: { format } })),
      );
    });

    it('never exports a RED case, not even to its creator or a named user: 403, nothing audited', async () => {
      const named = await createUser(t.app, c.a.id, 'member');
      const red = await createCase(t.app, c.inA.member.token, {
        ...secret('RED'),
        tlp: 'RED',
        shareWithUserIds: [named.id],
      });
      for (const user of [c.inA.member, named]) {
        // They may read it...
        expect(
          (await call(t.app, 'GET', `/v1/cases/${red.id}`, { token: user.token })).status,
        ).toBe(200);
        // ...but no file of it leaves.
        for (const format of FORMATS) {
          const answer = await exportOf(format, red.id, user.token);
          const problem = expectProblem(answer, 403);
          expect(problem.type).toBe('urn:problem:escalation-tracker:tlp-red-not-exported');
          expectNoSurvivorData(answer, 'RED');
        }
      }
      await expect(countExports(red.id)).resolves.toBe(0);
    });

    it.each(FORMATS)('answers 401 to %s without a token, and audits nothing', async (format) => {
      const id = cases.GREEN.id;
      const before = await countExports(id);
      expectProblem(await exportOf(format, id), 401);
      await expect(countExports(id)).resolves.toBe(before);
    });

    it.each(FORMATS)('answers 400 to %s for an id that is not a UUID', async (format) => {
      expect(fieldsOf(await exportOf(format, 'ESC-2026-000001', c.inA.member.token))).toEqual([
        'id',
      ]);
    });
  });
});
