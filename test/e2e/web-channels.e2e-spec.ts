import { MESSAGES } from '../../src/i18n/labels';
import { createCommunity, TestUser } from '../factories/community.factory';
import { createPlatform } from '../factories/contact.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

const es = MESSAGES.es;
const escape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');

/*
 * The registry, channel and case-form pages through a web session, in Spanish: the overview
 * names approved partners only; a member edits a playbook with the version read (a stale form is
 * refused, the text kept); a viewer cannot; the escalation form shows the channel's guidance.
 */
describe('web: partner registry, channel playbooks and incidents', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  let platform: { code: string; name: string };
  const signedIn = (user: TestUser) => WebClient.signedIn(t.app, user);
  const versions = async () =>
    (
      (await t.db.query(
        `SELECT count(*)::int AS n FROM channel_playbook_versions v JOIN channels ch ON ch.id = v.channel_id
          JOIN platforms p ON p.id = ch.platform_id WHERE p.code = $1`,
        [platform.code],
      )) as { n: number }[]
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    await t.db.query(`UPDATE users SET language = 'es'`);
    platform = await createPlatform(t.app, c.admin.token);
    const channel = await call<{ id: string }>(
      t.app,
      'POST',
      `/v1/platforms/${platform.code}/channels`,
      {
        token: c.admin.token,
        body: {
          code: 'desk',
          name: 'Partner desk',
          kind: 'trusted_partner',
          expectedResponseHours: 48,
        },
      },
    );
    // A is an approved partner in Bolivia; B only claims Mexico.
    const approved = await call(t.app, 'POST', '/v1/channel-access', {
      token: c.admin.token,
      body: {
        organizationId: c.a.id,
        channelId: channel.body.id,
        countries: ['BO'],
        since: '2025-01-01',
      },
    });
    expect(approved.status).toBe(201);
    const claimed = await call(t.app, 'POST', '/v1/channel-access', {
      token: c.inB.orgAdmin.token,
      body: {
        organizationId: c.b.id,
        channelId: channel.body.id,
        countries: ['MX'],
        since: '2025-01-01',
        evidenceNote: 'Correo del equipo de alianzas',
      },
    });
    expect(claimed.body).toMatchObject({ status: 'claimed' });
    const incident = await call(t.app, 'POST', '/v1/channel-incidents', {
      token: c.inA.member.token,
      body: {
        platformCode: platform.code,
        channelCode: 'desk',
        kind: 'silent',
        since: '2026-01-05',
        description: 'Sin respuesta desde enero',
      },
    });
    expect(incident.status).toBe(201);
  });
  afterAll(() => t.close());

  it('shows the registry by platform and country: approved partners by name, claims counted', async () => {
    const w = await signedIn(c.inB.viewer);
    const page = await w.get(`/web/registry?platform=${platform.code}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="es">');
    expect(page.html).toContain(escape(es['ui.registry.title']));
    const rows = [
      ...page.html.matchAll(
        /<tr>\s*<th scope="row">[^<]*<\/th>\s*<td>([^<]*)<\/td>\s*<td>([\s\S]*?)<\/td>\s*<td>(\d+)<\/td>/g,
      ),
    ].map((m) => ({
      country: m[1],
      partners: m[2]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
      claimed: Number(m[3]),
    }));
    expect(rows).toEqual([
      { country: 'Bolivia', partners: `${c.a.name} · desk`, claimed: 0 },
      { country: 'México', partners: es['ui.registry.noPartner'], claimed: 1 },
    ]);
    // The claim's evidence is never on the page.
    expect(page.html).not.toContain('Correo del equipo');
    const bad = await w.get('/web/registry?country=xx');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('aria-invalid="true"');
  });

  it('lets a member edit the playbook with the version read; a stale form keeps the text and writes nothing', async () => {
    const url = `/web/channels/${platform.code}/desk`;
    const alice = await signedIn(c.inA.member);
    const first = await alice.get(url);
    expect(first.status).toBe(200);
    expect(first.html).toContain(escape(es['ui.channel.noPlaybook']));
    expect(first.html).toContain('Sin respuesta desde enero');
    expect(first.html).toContain('name="version" value="0"');
    const bob = await signedIn(c.inB.member);
    await bob.get(url);

    const saved = await alice.post(`${url}/playbook`, {
      version: '0',
      evidence: 'Capturas con la URL visible',
      language: 'Español o inglés',
      subjectLine: '[URGENTE] Doxxing',
      formFields: '',
      pitfalls: '',
      eligibility: 'Líneas de ayuda con dos años de trabajo',
      howToApply: 'Escribir al equipo regional',
      changeNote: 'Primera versión',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`${url}?done=saved`);
    const after = await alice.get(`${url}?done=saved`);
    expect(after.html).toContain(escape(es['ui.channel.saved']));
    expect(after.html).toContain('[URGENTE] Doxxing');
    expect(after.html).toContain('name="version" value="1"');

    // Bob read version 0: his save is refused, his text comes back, nothing is written.
    const stale = await bob.post(`${url}/playbook`, {
      version: '0',
      evidence: 'Texto de Bob',
      language: '',
      subjectLine: '',
      formFields: '',
      pitfalls: '',
      eligibility: '',
      howToApply: '',
      changeNote: '',
    });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain(escape(es['ui.channel.conflict']));
    expect(stale.html).toContain('Texto de Bob');
    await expect(versions()).resolves.toBe(1);

    // Too long: the field is marked, nothing written.
    const long = await alice.post(`${url}/playbook`, { version: '1', evidence: 'x'.repeat(4001) });
    expect(long.status).toBe(400);
    expect(long.html).toContain(
      'id="pb-evidence" name="evidence" rows="4" maxlength="4000" aria-invalid="true"',
    );
    await expect(versions()).resolves.toBe(1);
  });

  it('refuses a viewer’s edit and a form without CSRF; shows no edit form to a viewer', async () => {
    const url = `/web/channels/${platform.code}/desk`;
    const viewer = await signedIn(c.inA.viewer);
    const page = await viewer.get(url);
    expect(page.html).not.toContain(`action="${url}/playbook"`);
    const refused = await viewer.post(`${url}/playbook`, { version: '1', evidence: 'Del lector' });
    expect(refused.status).toBe(403);
    const member = await signedIn(c.inA.member);
    await member.get(url);
    const noCsrf = await member.post(`${url}/playbook`, {
      _csrf: null,
      version: '1',
      evidence: 'Sin CSRF',
    });
    expect(noCsrf.status).toBe(403);
    await expect(versions()).resolves.toBe(1);
    expect((await member.get(`/web/channels/${platform.code}/nope`)).status).toBe(404);
    expect((await member.get(`/web/channels/NO/desk`)).status).toBe(404);
  });

  it('shows the chosen channel’s playbook and open incidents on the escalation form', async () => {
    const w = await signedIn(c.inA.member);
    const form = await w.get('/web/cases/new');
    expect(form.status).toBe(200);
    const block =
      new RegExp(`<details data-channel="${platform.code}/desk"[\\s\\S]*?</details>`).exec(
        form.html,
      )?.[0] ?? '';
    expect(block).toContain('Sin respuesta desde enero');
    expect(block).toContain('[URGENTE] Doxxing');
    expect(block).toContain(`href="/web/channels/${platform.code}/desk"`);
    expect(block).toContain(escape(es['ui.new.openIncidents'].replace('{count}', '1')));
  });

  it('reports an incident from the channel page; another organisation confirms it once', async () => {
    const url = `/web/channels/${platform.code}/desk`;
    const count = async () =>
      ((await t.db.query(`SELECT count(*)::int AS n FROM channel_incidents`)) as { n: number }[])[0]
        .n;
    const before = await count();
    const bob = await signedIn(c.inB.member);
    await bob.get(url);
    const future = await bob.post(`${url}/incidents`, {
      kind: 'broken',
      since: '2999-01-01',
      description: 'El formulario da error',
    });
    expect(future.status).toBe(400);
    expect(future.html).toContain('id="inc-since-error"');
    expect(future.html).toContain('El formulario da error');
    await expect(count()).resolves.toBe(before);
    const reported = await bob.post(`${url}/incidents`, {
      kind: 'broken',
      since: '2026-02-01',
      description: 'El formulario da error',
    });
    expect(reported.status).toBe(303);
    await expect(count()).resolves.toBe(before + 1);
    const [{ id }] = (await t.db.query(
      `SELECT id FROM channel_incidents WHERE description = 'El formulario da error'`,
    )) as { id: string }[];

    const alice = await signedIn(c.inA.member);
    const page = await alice.get(url);
    expect(page.html).toContain(`action="${url}/incidents/${id}/confirm"`);
    const confirmations = async () =>
      (
        (await t.db.query(
          `SELECT count(*)::int AS n FROM channel_incident_confirmations WHERE incident_id = $1`,
          [id],
        )) as { n: number }[]
      )[0].n;
    expect((await alice.post(`${url}/incidents/${id}/confirm`, {})).status).toBe(303);
    expect((await alice.post(`${url}/incidents/${id}/confirm`, {})).status).toBe(303);
    await expect(confirmations()).resolves.toBe(1);
    const after = await alice.get(`${url}?done=confirmed`);
    expect(after.html).toContain(escape(es['ui.channel.confirmed']));
    expect(after.html).not.toContain(`action="${url}/incidents/${id}/confirm"`);
    const viewer = await signedIn(c.inB.viewer);
    await viewer.get(url);
    expect((await viewer.post(`${url}/incidents/${id}/confirm`, {})).status).toBe(403);
    expect(
      (
        await viewer.post(`${url}/incidents`, {
          kind: 'silent',
          since: '2026-01-01',
          description: 'x',
        })
      ).status,
    ).toBe(403);
    await expect(confirmations()).resolves.toBe(1);
  });

  it('lets the community coordination approve or refuse claims on the registry page; nobody else', async () => {
    const [{ id: claimId }] = (await t.db.query(
      `SELECT id FROM channel_access WHERE organization_id = $1 AND status = 'claimed'`,
      [c.b.id],
    )) as { id: string }[];
    const status = async () =>
      (
        (await t.db.query(`SELECT status FROM channel_access WHERE id = $1`, [claimId])) as {
          status: string;
        }[]
      )[0].status;
    // B's own org_admin sees no decision form and cannot post one.
    const own = await signedIn(c.inB.orgAdmin);
    const ownPage = await own.get('/web/registry');
    expect(ownPage.html).not.toContain('/web/registry/claims/');
    expect(
      (await own.post(`/web/registry/claims/${claimId}/approve`, { version: '1' })).status,
    ).toBe(403);
    await expect(status()).resolves.toBe('claimed');

    const admin = await signedIn(c.admin);
    const page = await admin.get('/web/registry');
    expect(page.html).toContain(`action="/web/registry/claims/${claimId}/approve"`);
    // The evidence is shown to the admin who decides.
    expect(page.html).toContain('Correo del equipo de alianzas');
    const versionOf = async () =>
      (
        (await t.db.query(`SELECT version FROM channel_access WHERE id = $1`, [claimId])) as {
          version: number;
        }[]
      )[0].version;
    const reviewed = String(await versionOf());
    expect(page.html).toContain(`name="version" value="${reviewed}"`);
    // A refusal needs its reason.
    expect(
      (
        await admin.post(`/web/registry/claims/${claimId}/refuse`, {
          reason: '',
          version: reviewed,
        })
      ).status,
    ).toBe(400);
    await expect(status()).resolves.toBe('claimed');
    // The organisation widens its claim after the admin read it: the approval of what was read
    // decides nothing, and the list shows the claim as it is now.
    const widened = await call(t.app, 'PATCH', `/v1/channel-access/${claimId}`, {
      token: c.inB.orgAdmin.token,
      headers: { 'if-match': `"${reviewed}"` },
      body: { countries: ['MX', 'GT'] },
    });
    expect(widened.status).toBe(200);
    const stale = await admin.post(`/web/registry/claims/${claimId}/approve`, {
      version: reviewed,
    });
    expect(stale.headers.location).toBe('/web/registry?done=changed');
    await expect(status()).resolves.toBe('claimed');
    const approved = await admin.post(`/web/registry/claims/${claimId}/approve`, {
      version: String(await versionOf()),
    });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe('/web/registry?done=approved');
    await expect(status()).resolves.toBe('approved');
    const after = await admin.get('/web/registry?done=approved');
    expect(after.html).not.toContain(`/web/registry/claims/${claimId}/`);
    // Deciding again is no error page: the list shows what is left.
    expect(
      (
        await admin.post(`/web/registry/claims/${claimId}/refuse`, {
          reason: 'Tarde',
          version: String(await versionOf()),
        })
      ).status,
    ).toBe(303);
    await expect(status()).resolves.toBe('approved');
  });
});
