import { ContactResponseDto } from '../../src/contacts/dto/contact.dto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { label, MESSAGES } from '../../src/i18n/labels';
import { TrendsResponseDto } from '../../src/patterns/dto/trends.dto';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { ContactsService } from '../../src/contacts/contacts.service';
import { createCase } from '../factories/case.factory';
import { createCommunity, TestUser } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

/*
 * The directory, insights and downloads pages through a web session: rendered for every role,
 * the TLP rule of the API (a contact or case of another organisation is a 404 page and absent
 * from lists), the same suppression as the API, and downloads equal to the API's files.
 */

type Community = Awaited<ReturnType<typeof createCommunity>>;
const en = MESSAGES.en;
const PERIOD = { from: '2026-03', to: '2026-05' };

describe('web: directory, insights and downloads', () => {
  let t: TestApp;
  let c: Community;
  let departed: ContactResponseDto;
  let successor: ContactResponseDto;
  let secret: ContactResponseDto;
  let caseOfA: CaseResponseDto;
  const sessions = new Map<string, WebClient>();

  /** A signed-in web client per user (one sign-in each). */
  async function web(user: TestUser): Promise<WebClient> {
    const known = sessions.get(user.id);
    if (known) return known;
    const w = await WebClient.signedIn(t.app, user);
    sessions.set(user.id, w);
    return w;
  }
  const count = async (sql: string, params: unknown[]) =>
    Number(((await t.db.query(sql, params)) as [{ n: number }])[0].n);
  const audits = (action: string, userId: string, targetId: string) =>
    count(
      'SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND actor_user_id = $2 AND target_id = $3',
      [action, userId, targetId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    const token = c.inA.member.token;
    // Turnover: a departed contact, its successor, and a contact only A may see.
    departed = await createContact(t.app, token, {
      fullName: 'Ana Departed',
      countries: ['BO'],
      languages: ['es'],
      email: 'ana@platform.example',
    });
    successor = await createContact(t.app, token, {
      fullName: 'Bea Successor',
      countries: ['BO'],
      languages: ['es'],
      email: 'bea@platform.example',
    });
    secret = await createContact(t.app, token, {
      fullName: 'Carla Strict',
      countries: ['BO'],
      languages: ['es'],
      tlp: 'AMBER+STRICT',
    });
    for (const [id, title] of [
      [departed.id, 'Public Policy Manager'],
      [successor.id, 'Safety Policy Lead'],
    ]) {
      const tenure = await call(t.app, 'POST', `/v1/contacts/${id}/tenures`, {
        token,
        body: { title, team: 'LatAm', countries: ['BO'], startedOn: '2024-03-01' },
      });
      expect(tenure.status).toBe(201);
    }
    const departure = await call(t.app, 'POST', `/v1/contacts/${departed.id}/departure`, {
      token,
      body: {
        leftOn: '2026-01-15',
        reason: 'Moved to another company',
        successorContactId: successor.id,
        handoverNotes: 'Bea takes the open cases',
      },
    });
    expect(departure.status).toBe(201);
    // Trusted partner: A on Facebook's trusted partner channel in Bolivia.
    const facebook = await call<{ channels: { id: string; code: string }[] }>(
      t.app,
      'GET',
      '/v1/platforms/facebook',
      { token },
    );
    const channel = facebook.body.channels.find((ch) => ch.code === 'trusted_partner')!;
    const access = await call(t.app, 'POST', '/v1/channel-access', {
      token: c.admin.token,
      body: {
        organizationId: c.a.id,
        channelId: channel.id,
        countries: ['BO'],
        since: '2025-01-01',
      },
    });
    expect(access.status).toBe(201);
    // The shared repository: 12 cases from two organisations in March and in April (shown, with
    // their noise), 2 from A alone in May (hidden).
    const log = async (user: TestUser, n: number, month: string) => {
      for (let i = 0; i < n; i++) {
        await createCase(t.app, user.token, {
          consentToSharePattern: true,
          categoryCode: 'sextortion',
          subcategoryCode: null,
          country: 'UY',
          escalatedAt: `${month}-10T10:00:00.000Z`,
        });
      }
    };
    await log(c.inA.member, 6, '2026-03');
    await log(c.inB.member, 6, '2026-03');
    await log(c.inA.member, 6, '2026-04');
    await log(c.inB.member, 6, '2026-04');
    await log(c.inA.member, 2, '2026-05');
    await t.app.get(PatternProjection).catchUp();
    caseOfA = await createCase(t.app, token, { title: 'Only for A: doxxing of a journalist' });
  }, 60_000);
  afterAll(() => t.close());

  it('sends a visitor without a session to sign in', async () => {
    const w = new WebClient(t.app);
    for (const path of [
      '/web/contacts',
      '/web/trends',
      '/web/reports/trends.csv',
      `/web/cases/${caseOfA.id}/stix`,
    ]) {
      const answer = await w.get(path);
      expect({ path, status: answer.status, location: answer.headers.location }).toEqual({
        path,
        status: 303,
        location: '/web/sign-in',
      });
    }
  });

  it('renders every page for every role, in the reader language, with the navigation', async () => {
    const pages = [
      ['/web/contacts', 'ui.directory.contacts.title'],
      ['/web/contacts?platform=facebook&country=BO&language=es', 'ui.directory.best.title'],
      [`/web/contacts/${successor.id}`, 'ui.directory.contact.history'],
      ['/web/partners', 'ui.directory.partners.title'],
      ['/web/partners?platform=facebook&country=BO', 'ui.directory.partners.caption'],
      ['/web/organizations', 'ui.directory.organizations.title'],
      [`/web/trends?from=${PERIOD.from}&to=${PERIOD.to}`, 'ui.insights.trends.figcaption'],
      ['/web/scorecard', 'ui.insights.scorecard.title'],
      ['/web/campaigns', 'ui.insights.campaigns.title'],
      ['/web/emerging', 'ui.insights.emerging.title'],
      ['/web/reports', 'ui.reports.title'],
      ['/web/settings', 'ui.settings.title'],
    ] as const;
    for (const user of [c.inA.viewer, c.inA.member, c.inA.orgAdmin, c.admin]) {
      const w = await web(user);
      for (const [path, key] of pages) {
        const answer = await w.get(path);
        expect({ path, role: user.role, status: answer.status }).toEqual({
          path,
          role: user.role,
          status: 200,
        });
        expect(answer.headers['cache-control']).toBe('no-store');
        expect(answer.html).toContain(en[key].split('{')[0].trim());
        expect(answer.html).toContain(`href="/web/trends"`);
        // The menu offers logging a case only to those who may (viewers read only).
        expect(answer.html.includes('href="/web/cases/new"')).toBe(user.role !== 'viewer');
      }
    }
  }, 60_000);

  it('shows the directory with current roles, who to write to now, and the turnover history', async () => {
    const w = await web(c.inA.member);
    const list = await w.get('/web/contacts?platform=facebook&country=BO&language=es');
    const best = list.html.slice(
      list.html.indexOf(en['ui.directory.best.title']),
      list.html.indexOf(en['ui.directory.contacts.list']),
    );
    expect(best).toContain('Bea Successor');
    expect(best).not.toContain('Ana Departed');
    expect(list.html).toContain('Safety Policy Lead');
    expect(list.html).toContain(en['ui.directory.status.left']);

    const page = await w.get(`/web/contacts/${departed.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Public Policy Manager');
    expect(page.html).toContain('2026-01-15');
    expect(page.html).toContain('Moved to another company');
    expect(page.html).toContain('Bea takes the open cases');
    expect(page.html).toContain(`href="/web/contacts/${successor.id}"`);
    const back = await w.get(`/web/contacts/${successor.id}`);
    expect(back.html).toContain(`href="/web/contacts/${departed.id}"`);
    // Read like GET /v1/contacts/:id: audited.
    expect(await audits('contact.read', c.inA.member.id, departed.id)).toBe(1);
  });

  it('who to write to now on the page agrees with best=true in the API: contacts of the parent company, successors, when last verified', async () => {
    const token = c.inA.member.token;
    // Stored under Facebook, covering Instagram; one left, replaced by someone under Facebook only.
    const covering = await createContact(t.app, token, {
      platformCode: 'facebook',
      otherPlatformCodes: ['instagram'],
      fullName: 'Dora Covering',
      countries: ['GT'],
    });
    const verified = await call(t.app, 'POST', `/v1/contacts/${covering.id}/verify`, {
      token,
      body: {},
    });
    expect(verified.status).toBe(201);
    const heir = await createContact(t.app, token, {
      platformCode: 'facebook',
      fullName: 'Eva Heir',
    });
    const left = await createContact(t.app, token, {
      platformCode: 'facebook',
      otherPlatformCodes: ['instagram'],
      fullName: 'Fina Left',
      countries: ['GT'],
    });
    const departure = await call(t.app, 'POST', `/v1/contacts/${left.id}/departure`, {
      token,
      body: { leftOn: '2026-02-01', reason: 'Left', successorContactId: heir.id },
    });
    expect(departure.status).toBe(201);

    const api = await call<{ data: ContactResponseDto[] }>(t.app, 'GET', '/v1/contacts', {
      token,
      query: { platform: 'instagram', country: 'GT', best: 'true', limit: '3' },
    });
    expect(api.body.data.map((x) => x.fullName)).toEqual(['Dora Covering', 'Eva Heir']);

    const page = await (await web(c.inA.member)).get('/web/contacts?platform=instagram&country=GT');
    const best = page.html.slice(
      page.html.indexOf(en['ui.directory.best.title']),
      page.html.indexOf(en['ui.directory.contacts.list']),
    );
    const shown = [...best.matchAll(/<li><a href="\/web\/contacts\/([0-9a-f-]{36})">/g)].map(
      (m) => m[1],
    );
    expect(shown).toEqual(api.body.data.map((x) => x.id));
    expect(best).not.toContain('Fina Left');
    expect(best).toContain(
      `Facebook (${en['ui.directory.alsoCovers'].replace('{platforms}', 'Instagram')})`,
    );
    expect(best).toContain(en['ui.directory.lastVerified'].split('{')[0]);
  });

  it('never shows an AMBER+STRICT contact or case of one organisation to another', async () => {
    const mine = await web(c.inA.member);
    expect((await mine.get(`/web/contacts/${secret.id}`)).status).toBe(200);
    expect((await mine.get('/web/contacts')).html).toContain('Carla Strict');

    const other = await web(c.inB.member);
    const refused = await other.get(`/web/contacts/${secret.id}`);
    expect(refused.status).toBe(404);
    expect(refused.html).toContain(en['ui.error.title.404']);
    expect(refused.html).not.toContain('Carla Strict');
    for (const path of [
      '/web/contacts',
      '/web/contacts?platform=facebook&country=BO&language=es',
    ]) {
      const answer = await other.get(path);
      expect(answer.status).toBe(200);
      expect(answer.html).toContain('Bea Successor');
      expect(answer.html).not.toContain('Carla Strict');
      expect(answer.html).not.toContain(secret.id);
    }
    // The roles the directory shows come from one query under the same rule.
    const tenure = await call(t.app, 'POST', `/v1/contacts/${secret.id}/tenures`, {
      token: c.inA.member.token,
      body: { title: 'Strict Lead', countries: ['BO'], startedOn: '2025-01-01' },
    });
    expect(tenure.status).toBe(201);
    const roles = (user: typeof c.inA.member) =>
      t.app
        .get(ContactsService)
        .currentTenures(
          { userId: user.id, organizationId: user.organizationId, role: user.role, via: 'jwt' },
          [secret.id],
        );
    expect((await roles(c.inA.member)).get(secret.id)?.title).toBe('Strict Lead');
    expect((await roles(c.inB.member)).size).toBe(0);
    expect((await mine.get('/web/contacts')).html).toContain('Strict Lead');
    expect((await other.get('/web/contacts')).html).not.toContain('Strict Lead');

    const reports = await other.get('/web/reports');
    expect(reports.html).not.toContain(caseOfA.reference);
    expect(reports.html).not.toContain(caseOfA.id);
    expect((await mine.get('/web/reports')).html).toContain(`/web/cases/${caseOfA.id}/stix`);
  });

  it('lists the trusted partners of a platform in a country', async () => {
    const w = await web(c.inB.viewer);
    const answer = await w.get('/web/partners?platform=facebook&country=BO');
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(c.a.name);
    expect(answer.html).not.toContain(c.b.name);
    const none = await w.get('/web/partners?platform=facebook&country=FR');
    expect(none.html).toContain(en['ui.directory.partners.none']);
    const bad = await w.get('/web/partners?platform=facebook&country=XX');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('aria-invalid="true"');
  });

  it('lists the community directory of organisations', async () => {
    const w = await web(c.inB.viewer);
    const answer = await w.get('/web/organizations?country=MX');
    expect(answer.html).toContain(c.b.name);
    expect(answer.html).not.toContain(c.a.name);
  });

  it('fills the empty period fields with the period shown (the API default)', async () => {
    const api = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token: c.inA.viewer.token,
      query: { groupBy: 'month' },
    });
    const page = await (await web(c.inA.viewer)).get('/web/trends');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(new RegExp(`id="from" name="from"[^>]*value="${api.body.from}"`));
    expect(page.html).toMatch(new RegExp(`id="to" name="to"[^>]*value="${api.body.to}"`));
  });

  it('draws the trends with the suppression of /v1/patterns/trends, chart and table', async () => {
    const api = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token: c.inA.viewer.token,
      query: { ...PERIOD, groupBy: 'month', category: 'sextortion' },
    });
    const byMonth = Object.fromEntries(api.body.data.map((r) => [r.month!, r]));
    expect(byMonth['2026-05'].suppressed).toBe(true);
    expect(byMonth['2026-05'].count).toBeNull();
    const shown = api.body.data.filter((r) => !r.suppressed);
    expect(shown.length).toBeGreaterThan(0);

    const w = await web(c.inA.viewer);
    const page = await w.get(`/web/trends?from=${PERIOD.from}&to=${PERIOD.to}&category=sextortion`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(
      /<svg [^>]*role="img"[^>]*aria-labelledby="trends-chart-title trends-chart-desc"/,
    );
    const rows = [
      ...page.html.matchAll(/<tr>\s*<th scope="row">(\d{4}-\d{2})<\/th>\s*([\s\S]*?)<\/tr>/g),
    ];
    expect(rows.map((r) => r[1])).toEqual(['2026-03', '2026-04', '2026-05']);
    for (const [, month, cells] of rows) {
      const api = byMonth[month];
      if (api.suppressed) {
        expect(cells).toContain(en['ui.insights.suppressed']);
        expect(page.html).toContain(`${month}: ${en['ui.insights.suppressed']}`);
      } else {
        expect(cells).toContain(`<td>${api.count}</td>`);
        expect(page.html).toContain(`${month}: ${api.count}`);
      }
    }
    expect(page.html).not.toContain('2026-05: 2');
    expect(page.html).not.toContain('2026-05: 0');

    const line = await w.get(`/web/trends?from=${PERIOD.from}&to=${PERIOD.to}&chart=line`);
    expect(line.html).toContain('<circle ');
    const wrong = await w.get('/web/trends?from=2026-13');
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('aria-invalid="true"');
  });

  it('downloads the trend CSV the API gives (content type, header row, suppression)', async () => {
    const query = { ...PERIOD, groupBy: 'month', category: 'sextortion' };
    const api = await call(t.app, 'GET', '/v1/reports/trends', {
      token: c.inA.viewer.token,
      query: { ...query, format: 'csv', lang: 'en' },
    });
    expect(api.status).toBe(200);
    const exports = () =>
      count(
        "SELECT count(*)::int AS n FROM audit_entries WHERE action = 'report.exported' AND actor_user_id = $1",
        [c.inA.viewer.id],
      );
    const before = await exports();
    const w = await web(c.inA.viewer);
    const file = await w.get(`/web/reports/trends.csv?${new URLSearchParams(query).toString()}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe(api.headers['content-type']);
    expect(String(file.headers['content-type'])).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toBe(
      'attachment; filename="trends-2026-03-2026-05.csv"',
    );
    expect(file.html).toBe(api.text);
    const lines = file.html.replace(/^\uFEFF/, '').split(/\r?\n/);
    expect(lines[0]).toBe('Month,Count,Organisations,Suppressed (small numbers)');
    const may = lines.find((l) => l.startsWith('2026-05'));
    expect(may).toBe('2026-05,,,true');
    expect(await exports()).toBe(before + 1);

    const bad = await w.get('/web/reports/trends.csv?from=2026-13');
    expect(bad.status).toBe(400);
    expect(String(bad.headers['content-type'])).toMatch(/^text\/html/);
  });

  it('downloads the scorecard CSV the API gives', async () => {
    const api = await call(t.app, 'GET', '/v1/reports/platform-scorecard', {
      token: c.inA.member.token,
      query: { ...PERIOD, format: 'csv', lang: 'en' },
    });
    const w = await web(c.inA.member);
    const file = await w.get(`/web/reports/scorecard.csv?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(file.status).toBe(200);
    expect(String(file.headers['content-type'])).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toMatch(
      /^attachment; filename="platform-scorecard-2026-03-2026-05\.csv"$/,
    );
    expect(file.html).toBe(api.text);
  });

  it('shows the annual report with its charts and community summary, and downloads the API CSV', async () => {
    const w = await web(c.inA.member);
    const page = await w.get('/web/reports/annual?year=2026');
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<h1>${en['ui.annual.title']}</h1>`);
    expect(page.html).toContain(`${c.a.name}, 2026`);
    for (const id of ['annual-months', 'annual-platforms', 'community-categories']) {
      expect(page.html).toMatch(new RegExp(`<svg [^>]*aria-labelledby="${id}-title ${id}-desc"`));
    }
    // The community figures are the protected answers of the trends API, hidden ones hidden.
    const api = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token: c.inA.member.token,
      query: { from: '2026-01', to: '2026-12', groupBy: 'category' },
    });
    const sextortion = api.body.data.find((r) => r.category === 'sextortion')!;
    expect(sextortion.suppressed).toBe(false);
    const table = page.html.slice(page.html.indexOf('id="community-by-category"'));
    expect(table).toMatch(
      `<th scope="row">${label('en', 'category', 'sextortion')}</th><td>${sextortion.count}</td><td>2</td>`,
    );
    expect(page.html).toContain(en['ui.insights.suppressionNote'].slice(0, 40));

    const csv = await call(t.app, 'GET', '/v1/reports/annual', {
      token: c.inA.member.token,
      query: { year: '2026', format: 'csv', lang: 'en' },
    });
    const file = await w.get('/web/reports/annual.csv?year=2026');
    expect(file.status).toBe(200);
    expect(String(file.headers['content-type'])).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="annual-report-${c.a.slug}-2026.csv"`,
    );
    expect(file.html).toBe(csv.text);
    expect((await w.get('/web/reports/annual?year=1999')).status).toBe(400);
  });

  it('counts trends by two dimensions by quarter, and downloads the chart as SVG', async () => {
    const query = { from: '2026-02', to: '2026-05', platform: 'facebook' };
    const api = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token: c.inA.viewer.token,
      query: { ...query, groupBy: 'month,category', period: 'quarter' },
    });
    expect(api.body).toMatchObject({ from: '2026-01', to: '2026-06', period: 'quarter' });
    const w = await web(c.inA.viewer);
    const params = new URLSearchParams({
      ...query,
      by: 'month',
      then: 'category',
      period: 'quarter',
    });
    const page = await w.get(`/web/trends?${params.toString()}`);
    expect(page.status).toBe(200);
    const rows = [
      ...page.html.matchAll(
        /<tr>\s*<th scope="row">(\d{4}-Q\d)<\/th>\s*<td>([^<]*)<\/td>\s*([\s\S]*?)<\/tr>/g,
      ),
    ].map(([, quarter, category, cells]) => ({ quarter, category, cells }));
    expect(rows).toHaveLength(api.body.data.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of api.body.data) {
      const category = label('en', 'category', r.category!);
      const row = rows.find((x) => x.quarter === r.month && x.category === category)!;
      expect(row.cells).toContain(
        r.suppressed ? en['ui.insights.suppressed'] : `<td>${r.count}</td>`,
      );
    }
    expect(page.html).toMatch(/href="\/web\/trends\.svg\?[^"]*then=category[^"]*" download/);

    const svg = await w.get(`/web/trends.svg?${params.toString()}`);
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.headers['content-disposition']).toBe(
      'attachment; filename="trends-2026-01-2026-06.svg"',
    );
    expect(svg.headers['x-content-type-options']).toBe('nosniff');
    expect(svg.html).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    expect(svg.html).toContain('How these figures are protected');
    for (const r of api.body.data) {
      const shown = r.suppressed ? en['ui.insights.suppressed'] : String(r.count);
      const category = label('en', 'category', r.category!);
      expect(svg.html).toContain(`<title>${r.month}, ${category}: ${shown}</title>`);
    }
    expect(svg.html).not.toMatch(/ESC-\d{4}-/);
    expect((await w.get('/web/trends.svg?period=week')).status).toBe(400);
  });

  it('downloads the STIX bundle of a visible case, audited, and 404 for an invisible one', async () => {
    const mine = await web(c.inA.member);
    const file = await mine.get(`/web/cases/${caseOfA.id}/stix`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/stix+json;version=2.1');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="${caseOfA.reference}.stix.json"`,
    );
    const bundle = JSON.parse(file.html) as { type: string; objects: { type: string }[] };
    expect(bundle.type).toBe('bundle');
    expect(bundle.objects.map((o) => o.type)).toContain('incident');
    expect(file.html).not.toContain('Only for A');
    expect(await audits('case.exported', c.inA.member.id, caseOfA.id)).toBe(1);

    const other = await web(c.inB.member);
    const refused = await other.get(`/web/cases/${caseOfA.id}/stix`);
    expect(refused.status).toBe(404);
    expect(String(refused.headers['content-type'])).toMatch(/^text\/html/);
    expect(refused.headers['content-disposition']).toBeUndefined();
    expect(refused.html).not.toContain(caseOfA.reference);
    expect(await audits('case.exported', c.inB.member.id, caseOfA.id)).toBe(0);
    expect((await other.get('/web/cases/not-a-uuid/stix')).status).toBe(404);
  });

  it('offers and gives no STIX bundle of a TLP:RED case, even to its creator (403 page)', async () => {
    const red = await createCase(t.app, c.inA.member.token, {
      title: 'Only for the creator',
      tlp: 'RED',
    });
    const mine = await web(c.inA.member);
    const page = await mine.get(`/web/cases/${red.id}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`/web/cases/${red.id}/stix`);
    expect((await mine.get('/web/reports')).html).not.toContain(`/web/cases/${red.id}/stix`);
    const refused = await mine.get(`/web/cases/${red.id}/stix`);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-disposition']).toBeUndefined();
    expect(refused.html).toContain(en['ui.error.redNotExported']);
    expect(refused.html).not.toContain('Only for the creator');
    expect(await audits('case.exported', c.inA.member.id, red.id)).toBe(0);
  });

  it('answers 404 for a campaign that does not exist or is not visible', async () => {
    const w = await web(c.inA.member);
    const answer = await w.get('/web/campaigns/00000000-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.html).toContain(en['ui.error.title.404']);
  });

  it('marks a scorecard row with the channel incidents of the period, linking to the channel', async () => {
    const link = 'href="/web/channels/facebook/trusted_partner"';
    const w = await web(c.inA.viewer);
    const before = await w.get(`/web/scorecard?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain('<th scope="row">Facebook</th>');
    expect(before.html).not.toContain(link);
    const reported = await call(t.app, 'POST', '/v1/channel-incidents', {
      token: c.inA.member.token,
      body: {
        platformCode: 'facebook',
        channelCode: 'trusted_partner',
        kind: 'silent',
        since: '2026-04-01',
        description: 'No answers in April',
      },
    });
    expect(reported.status).toBe(201);
    const after = await w.get(`/web/scorecard?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(after.html).toContain(
      `${link}>⚠ ${en['ui.insights.scorecard.incidents'].replace('{count}', '1').replace('{open}', '1')}</a>`,
    );
    // A period the incident does not overlap has no mark.
    const earlier = await w.get('/web/scorecard?from=2026-01&to=2026-03');
    expect(earlier.html).not.toContain(link);
  });
});
