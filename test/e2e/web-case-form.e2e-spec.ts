import { CaseEventResponseDto } from '../../src/cases/dto/case-event.dto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { MESSAGES } from '../../src/i18n/labels';
import { caseBody, createCase } from '../factories/case.factory';
import { createContact } from '../factories/contact.factory';
import { createCommunity, createOrganization, createUser } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

type Community = Awaited<ReturnType<typeof createCommunity>>;

const FORM = {
  channel: 'facebook/trusted_partner',
  country: 'BO',
  contentLanguage: 'es',
  categoryCode: 'doxxing',
  subcategoryCode: 'home_address_location',
  urgency: 'high',
  tlp: 'AMBER+STRICT',
  summary: 'Home address posted with calls to visit her.',
  escalatedNow: 'on',
};

/**
 * The escalation form offers what POST /v1/cases accepts (every TLP level with its sharing
 * list, target groups, indicators, several links, consent) and the case page its STIX download
 * and a timeline in a stable order.
 */
describe('web interface: the escalation form and the case page', () => {
  let t: TestApp;
  let c: Community;
  /** A third organisation: neither the owner nor named on AMBER cases. */
  let inC: { member: Awaited<ReturnType<typeof createUser>> };

  const member = (user: { email: string; password: string }) => WebClient.signedIn(t.app, user);
  const caseIdOf = (location: unknown) =>
    /\/web\/cases\/([0-9a-f-]{36})\?done=created$/.exec(String(location))![1];
  const countRows = async (sql: string, params: unknown[] = []) =>
    Number(((await t.db.query(sql, params)) as [{ n: string }])[0].n);
  const casesOf = (userId: string) =>
    countRows('SELECT count(*) AS n FROM cases WHERE created_by = $1', [userId]);
  const apiCase = (token: string, id: string) =>
    call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${id}`, { token });
  /** The form's HTML around a field: from its label to the next field's. */
  const around = (html: string, id: string) => {
    const at = html.indexOf(`id="${id}"`);
    expect(at).toBeGreaterThan(-1);
    return html.slice(at, html.indexOf('</p>', at));
  };

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    const orgC = await createOrganization(t.app);
    inC = { member: await createUser(t.app, orgC.id, 'member') };
  });
  afterAll(() => t.close());

  it('offers every TLP level, the other organisations, my colleagues, target groups and indicator kinds', async () => {
    const w = await member(c.inA.member);
    const form = await w.get('/web/cases/new');
    expect(form.status).toBe(200);
    for (const tlp of ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR']) {
      expect(form.html).toContain(`<option value="${tlp}"`);
    }
    // Organisations of the community, not my own; active colleagues, not me.
    expect(form.html).toContain(`name="shareWithOrganizationIds" value="${c.b.id}"`);
    expect(form.html).not.toContain(`name="shareWithOrganizationIds" value="${c.a.id}"`);
    expect(form.html).toContain(`name="shareWithUserIds" value="${c.inA.viewer.id}"`);
    expect(form.html).not.toContain(`name="shareWithUserIds" value="${c.inA.member.id}"`);
    expect(form.html).not.toContain(`name="shareWithUserIds" value="${c.inB.member.id}"`);
    // Labels in the page's language; consent off by default, as in the API.
    expect(form.html).toContain(`>${MESSAGES.en['targetGroup.journalists_media']}</label>`);
    expect(form.html).toContain(`>${MESSAGES.en['ui.indicatorKind.phone']}</option>`);
    expect(form.html).toMatch(/id="consentToSharePattern" name="consentToSharePattern">/);
    for (const row of ['itemUrl0', 'itemUrl2', 'indicatorKind2', 'indicatorValue2']) {
      expect(form.html).toContain(`name="${row}"`);
    }
  });

  it('an AMBER case shared with B through the form: B sees it (web and API), C does not', async () => {
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const title = `Shared with B ${Date.now()}`;
    const answer = await w.post('/web/cases', {
      ...FORM,
      title,
      tlp: 'AMBER',
      shareWithOrganizationIds: [c.b.id],
      // Names are for RED only: ignored at AMBER, as a browser would still send them.
      shareWithUserIds: [c.inA.viewer.id],
    });
    expect(answer.status).toBe(303);
    const id = caseIdOf(answer.headers.location);
    const stored = await apiCase(c.inA.member.token, id);
    expect(stored.body.tlp).toBe('AMBER');
    expect(stored.body.shareWithOrganizationIds).toEqual([c.b.id]);
    expect(stored.body.shareWithUserIds).toEqual([]);

    const b = await member(c.inB.member);
    const page = await b.get(`/web/cases/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(title);
    expect((await apiCase(c.inB.member.token, id)).status).toBe(200);

    const outsider = await member(inC.member);
    const refused = await outsider.get(`/web/cases/${id}`);
    expect(refused.status).toBe(404);
    expect(refused.html).not.toContain(title);
    expect((await apiCase(inC.member.token, id)).status).toBe(404);
  });

  it('AMBER without an organisation is refused next to the list, values kept, nothing written', async () => {
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const before = await casesOf(c.inA.member.id);
    const answer = await w.post('/web/cases', { ...FORM, title: 'AMBER alone', tlp: 'AMBER' });
    expect(answer.status).toBe(400);
    expect(answer.html).toContain(
      `id="shareWithOrganizationIds-error">${MESSAGES.en['ui.error.shareOrganizations']}`,
    );
    expect(answer.html).toContain('<option value="AMBER" selected>');
    expect(answer.html).toContain('value="AMBER alone"');
    await expect(casesOf(c.inA.member.id)).resolves.toBe(before);
  });

  it('a RED case naming a colleague: the colleague sees it, another member does not', async () => {
    const named = await createUser(t.app, c.a.id, 'member');
    const other = await createUser(t.app, c.a.id, 'member');
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const title = `Only for a named colleague ${Date.now()}`;
    const answer = await w.post('/web/cases', {
      ...FORM,
      title,
      tlp: 'RED',
      shareWithUserIds: [named.id],
      shareWithOrganizationIds: [c.b.id],
    });
    expect(answer.status).toBe(303);
    const id = caseIdOf(answer.headers.location);
    const stored = await apiCase(c.inA.member.token, id);
    expect(stored.body).toMatchObject({
      tlp: 'RED',
      shareWithUserIds: [named.id],
      shareWithOrganizationIds: [],
    });
    const page = await (await member(named)).get(`/web/cases/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(title);
    expect((await apiCase(named.token, id)).status).toBe(200);

    const notNamed = await (await member(other)).get(`/web/cases/${id}`);
    expect(notNamed.status).toBe(404);
    expect(notNamed.html).not.toContain(title);
    expect((await apiCase(other.token, id)).status).toBe(404);
    expect((await apiCase(c.inB.member.token, id)).status).toBe(404);
  });

  it('stores target groups, indicators, two links, consent and the platform reference', async () => {
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const answer = await w.post('/web/cases', {
      ...FORM,
      title: 'With everything',
      targetGroups: ['women', 'journalists_media'],
      itemUrl0: 'https://facebook.com/posts/1',
      itemUrl1: '',
      itemUrl2: 'https://facebook.com/posts/2',
      itemKind2: 'image',
      itemSha2: 'AB'.repeat(32),
      // The member's time zone is UTC (createUser's default): the instant as typed.
      itemCaptured2: '2026-03-04T09:30',
      indicatorKind0: 'account_handle',
      indicatorValue0: '@Attacker_One',
      indicatorKind1: '',
      indicatorValue1: '',
      indicatorKind2: 'phone',
      indicatorValue2: '+591 700 12345',
      consentToSharePattern: 'on',
      platformReference: 'FB-12345',
    });
    expect(answer.status).toBe(303);
    const id = caseIdOf(answer.headers.location);
    const { body } = await apiCase(c.inA.member.token, id);
    expect(body.targetGroups).toEqual(['women', 'journalists_media']);
    expect(body.items).toEqual([
      {
        url: 'https://facebook.com/posts/1',
        kind: 'other',
        contentSha256: null,
        capturedAt: null,
      },
      {
        url: 'https://facebook.com/posts/2',
        kind: 'image',
        contentSha256: 'ab'.repeat(32),
        capturedAt: '2026-03-04T09:30:00.000Z',
      },
    ]);
    expect(body.indicators).toEqual([
      { kind: 'account_handle', value: 'attacker_one' },
      { kind: 'phone', value: '+59170012345' },
    ]);
    expect(body).toMatchObject({
      consentToSharePattern: true,
      platformReference: 'FB-12345',
      contentLanguage: 'es',
      urgency: 'high',
      tlp: 'AMBER+STRICT',
    });

    // The case page shows them, and the STIX download for a member.
    const page = await w.get(`/web/cases/${id}`);
    expect(page.html).toContain(MESSAGES.en['targetGroup.journalists_media']);
    expect(page.html).toContain('<code>+59170012345</code>');
    expect(page.html).toContain(`<code class="hash">${'ab'.repeat(32)}</code>`);
    expect(page.html).toContain(MESSAGES.en['ui.itemKind.image']);
    expect(page.html).toContain(`href="/web/cases/${id}/stix" download`);
    const stix = await w.get(`/web/cases/${id}/stix`);
    expect(stix.status).toBe(200);
    expect(stix.headers['content-type']).toBe('application/stix+json;version=2.1');
  });

  it('an invalid indicator or link is shown next to its row, values kept, nothing written', async () => {
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const before = await casesOf(c.inA.member.id);
    const answer = await w.post('/web/cases', {
      ...FORM,
      title: 'Rows with mistakes',
      targetGroups: ['activists'],
      itemUrl0: 'https://facebook.com/posts/ok',
      itemUrl1: 'not a link',
      indicatorKind0: 'hashtag',
      indicatorValue0: '#fine',
      indicatorKind1: 'phone',
      indicatorValue1: '70012345',
      indicatorKind2: '',
      indicatorValue2: '@no_kind',
    });
    expect(answer.status).toBe(400);
    await expect(casesOf(c.inA.member.id)).resolves.toBe(before);
    // Each error in the row it is about, tied to its field.
    expect(around(answer.html, 'itemUrl1')).toContain(
      `aria-invalid="true" aria-describedby="itemUrl1-error"`,
    );
    expect(around(answer.html, 'itemUrl1')).toContain(
      `id="itemUrl1-error">${MESSAGES.en['ui.error.url']}`,
    );
    expect(around(answer.html, 'indicatorValue1')).toContain(
      `id="indicatorValue1-error">${MESSAGES.en['ui.indicatorHint.phone']}`,
    );
    expect(around(answer.html, 'indicatorKind2')).toContain(
      `id="indicatorKind2-error">${MESSAGES.en['ui.error.required']}`,
    );
    for (const ok of ['itemUrl0', 'indicatorValue0', 'indicatorValue2']) {
      expect(answer.html).not.toContain(`id="${ok}-error"`);
    }
    // What was typed comes back, in its rows.
    expect(around(answer.html, 'itemUrl0')).toContain('value="https://facebook.com/posts/ok"');
    expect(around(answer.html, 'itemUrl1')).toContain('value="not a link"');
    expect(around(answer.html, 'indicatorValue1')).toContain('value="70012345"');
    expect(around(answer.html, 'indicatorValue2')).toContain('value="@no_kind"');
    expect(answer.html).toMatch(/id="indicatorKind1"[^]*?<option value="phone" selected>/);
    expect(answer.html).toContain('value="activists" checked');
    expect(answer.html).toContain('value="Rows with mistakes"');
  });

  it('more rows on request, without writing anything', async () => {
    const w = await member(c.inA.member);
    await w.get('/web/cases/new');
    const before = await casesOf(c.inA.member.id);
    const answer = await w.post('/web/cases', {
      ...FORM,
      title: 'Many links',
      itemUrl0: 'https://facebook.com/posts/a',
      itemUrl1: 'https://facebook.com/posts/b',
      itemUrl2: 'https://facebook.com/posts/c',
      action: 'rows',
    });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('name="itemUrl5"');
    expect(answer.html).toContain('value="https://facebook.com/posts/c"');
    expect(answer.html).not.toContain('field-error');
    await expect(casesOf(c.inA.member.id)).resolves.toBe(before);
  });

  it('a viewer cannot open or post the form: a 403 page, nothing written', async () => {
    const w = await member(c.inA.viewer);
    const form = await w.get('/web/cases/new');
    expect(form.status).toBe(403);
    expect(form.html).toContain(MESSAGES.en['ui.error.forbiddenRole']);
    // With a valid CSRF token of the viewer's own session.
    await w.get('/web/cases');
    expect(w.csrfToken()).toBeDefined();
    const before = await countRows('SELECT count(*) AS n FROM cases');
    for (const body of [
      { ...FORM, title: 'From a viewer' },
      { ...FORM, title: '' },
    ]) {
      const answer = await w.post('/web/cases', body);
      expect(answer.status).toBe(403);
      expect(answer.html).toContain(MESSAGES.en['ui.error.forbiddenRole']);
    }
    await expect(countRows('SELECT count(*) AS n FROM cases')).resolves.toBe(before);
    // Viewers still read and export: the STIX link is on the case page (GET /v1/cases/:id/stix
    // answers them too).
    const visible = await createCase(t.app, c.inA.member.token, { tlp: 'AMBER+STRICT' });
    const page = await w.get(`/web/cases/${visible.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`href="/web/cases/${visible.id}/stix"`);
    const api = await t.app.inject({
      method: 'GET',
      url: `/v1/cases/${visible.id}/stix`,
      headers: { authorization: `Bearer ${c.inA.viewer.token}` },
    });
    expect(api.statusCode).toBe(200);
  });

  it('the timeline keeps events of the same instant in the order they were recorded (web and API)', async () => {
    const logged = await createCase(t.app, c.inA.member.token, {
      escalatedAt: '2026-03-02T10:00:00.000Z',
    });
    const at = '2026-03-02T11:00:00.000Z';
    const notes = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'].map(
      (n) => `Note ${n} ${logged.reference}`,
    );
    for (const note of notes) {
      const answer = await call(t.app, 'POST', `/v1/cases/${logged.id}/events`, {
        token: c.inA.member.token,
        body: { type: 'note', occurredAt: at, note },
      });
      expect(answer.status).toBe(201);
    }
    const api = await call<{ data: CaseEventResponseDto[] }>(
      t.app,
      'GET',
      `/v1/cases/${logged.id}/events`,
      { token: c.inA.member.token },
    );
    expect(api.body.data.filter((e) => e.type === 'note').map((e) => e.note)).toEqual(notes);
    // Paged one by one, the cursor walks the same order.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call<{ data: CaseEventResponseDto[]; nextCursor: string | null }>(
        t.app,
        'GET',
        `/v1/cases/${logged.id}/events?limit=1${query}`,
        { token: c.inA.member.token },
      );
      expect(page.status).toBe(200);
      walked.push(...page.body.data.map((e) => e.note ?? e.type));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(walked.filter((n) => n.startsWith('Note'))).toEqual(notes);
    expect(walked).toHaveLength(notes.length + 2);

    const html = (await (await member(c.inA.member)).get(`/web/cases/${logged.id}`)).html;
    const positions = notes.map((n) => html.indexOf(n));
    expect(positions.every((p) => p > -1)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('gives back the same case when a form is posted again (a retry over a flaky connection)', async () => {
    const w = await member(c.inA.member);
    const page = await w.get('/web/cases/new');
    const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(page.html)?.[1];
    expect(submission).toBeDefined();
    const before = await casesOf(c.inA.member.id);
    const fields = { ...FORM, title: 'Sent twice', submission: submission! };

    // A mistake first: the re-shown form keeps its key.
    const refused = await w.post('/web/cases', { ...fields, title: '' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain(`name="submission" value="${submission}"`);

    const first = await w.post('/web/cases', fields);
    expect(first.status).toBe(303);
    // The same post a little later ("sent now" is now another time): the same case, no second.
    t.clock.advance(5_000);
    try {
      const again = await w.post('/web/cases', fields);
      expect(again.status).toBe(303);
      expect(caseIdOf(again.headers.location)).toBe(caseIdOf(first.headers.location));
    } finally {
      t.clock.advance(-5_000);
    }
    expect(await casesOf(c.inA.member.id)).toBe(before + 1);

    // Another form is another case.
    const other = await w.get('/web/cases/new');
    const otherKey = /name="submission" value="([0-9a-f-]{36})"/.exec(other.html)?.[1];
    expect(otherKey).not.toBe(submission);
    const second = await w.post('/web/cases', { ...fields, submission: otherKey! });
    expect(caseIdOf(second.headers.location)).not.toBe(caseIdOf(first.headers.location));
    expect(await casesOf(c.inA.member.id)).toBe(before + 2);
  });

  describe('the form is quick: country, channels, contacts of the parent company', () => {
    const en = MESSAGES.en;
    /** The channel select's options with a value, in page order. */
    const channelOptions = (html: string) => {
      const select = html.slice(html.indexOf('<select id="channel"'), html.indexOf('</select>'));
      return [...select.matchAll(/<option value="([^"]+)"([^>]*)>([^<]*)</g)].map((m) => ({
        value: m[1],
        access: m[2].includes('data-access'),
        text: m[3],
      }));
    };

    it('presets the organisation’s country and offers the channels it has access to first, marked', async () => {
      const [channel] = (await t.db.query(
        `SELECT ch.id FROM channels ch JOIN platforms p ON p.id = ch.platform_id
          WHERE p.code = 'instagram' AND ch.code = 'trusted_partner'`,
      )) as { id: string }[];
      const granted = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.admin.token,
        body: {
          organizationId: c.b.id,
          channelId: channel.id,
          countries: ['MX'],
          since: '2026-01-01',
        },
      });
      expect(granted.status).toBe(201);

      const b = await (await member(c.inB.member)).get('/web/cases/new');
      expect(b.html).toContain('<option value="MX" selected>');
      const options = channelOptions(b.html);
      expect(options[0]).toEqual({
        value: 'instagram/trusted_partner',
        access: true,
        text: `Instagram · Meta Trusted Partner program (${en['channelKind.trusted_partner']}) · ✓ ${en['ui.new.channelAccess']}`,
      });
      expect(options.filter((o) => o.access).map((o) => o.value)).toEqual([
        'instagram/trusted_partner',
      ]);
      expect(b.html).toContain(en['ui.new.channelAccessHint']);

      // A has no access: nothing marked, platforms in code order; its first country preset.
      const a = await (await member(c.inA.member)).get('/web/cases/new');
      expect(a.html).toContain('<option value="BO" selected>');
      expect(channelOptions(a.html).some((o) => o.access)).toBe(false);
      expect(a.html).not.toContain(en['ui.new.channelAccessHint']);
    });

    it('names channels by their translated kind in Spanish', async () => {
      const w = await WebClient.signedIn(t.app, c.inA.member, { 'accept-language': 'es' });
      const page = await w.get('/web/cases/new?lang=es');
      const options = channelOptions(page.html);
      const es = MESSAGES.es;
      expect(options.find((o) => o.value === 'instagram/trusted_partner')?.text).toBe(
        `Instagram · ${es['channelKind.trusted_partner']}`,
      );
    });

    it('suggests a Facebook contact covering Instagram, and logs through a departed one only after the warning naming the successor', async () => {
      const token = c.inA.member.token;
      const make = (fullName: string, extra: Record<string, unknown> = {}) =>
        createContact(t.app, token, {
          platformCode: 'facebook',
          otherPlatformCodes: ['instagram', 'whatsapp'],
          fullName,
          countries: ['BO'],
          ...extra,
        });
      const manager = await make(`Partner manager ${Date.now()}`);
      const successor = await make(`Successor ${Date.now()}`, { countries: [] });
      const gone = await make(`Gone ${Date.now()}`);
      const departed = await call(t.app, 'POST', `/v1/contacts/${gone.id}/departure`, {
        token,
        body: { leftOn: '2026-01-10', reason: 'Left Meta', successorContactId: successor.id },
      });
      expect(departed.status).toBe(201);

      const w = await member(c.inA.member);
      await w.get('/web/cases/new');
      const fields = {
        ...FORM,
        channel: 'instagram/trusted_partner',
        title: `Via contact ${Date.now()}`,
      };
      const suggested = await w.post('/web/cases', { ...fields, action: 'suggest' });
      expect(suggested.status).toBe(200);
      const html = suggested.html;
      const at = (text: string) => html.indexOf(text);
      // Suggested first (never the departed), then the others with the departed one and whom
      // they were replaced by.
      expect(at(`value="${manager.id}"`)).toBeGreaterThan(at(en['ui.new.suggestedContacts']));
      expect(at(`value="${manager.id}"`)).toBeLessThan(at(en['ui.new.otherContacts']));
      expect(at(`value="${gone.id}"`)).toBeGreaterThan(at(en['ui.new.otherContacts']));
      expect(html).toContain(
        `${gone.fullName} · Facebook, Instagram, WhatsApp · ${en['ui.directory.status.left']} · ${en['ui.new.contactSuccessor'].replace('{name}', successor.fullName)}`,
      );
      expect(html).not.toContain('id="departed-warning"');

      const before = await casesOf(c.inA.member.id);
      const warned = await w.post('/web/cases', { ...fields, contactId: gone.id });
      expect(warned.status).toBe(200);
      expect(warned.html).toContain('id="departed-warning"');
      expect(warned.html).toContain(
        en['ui.new.departedWarning']
          .replace(/\{name\}/g, gone.fullName)
          .replace(/\{successor\}/g, successor.fullName),
      );
      expect(warned.html).toContain(`value="${gone.id}" checked`);
      await expect(casesOf(c.inA.member.id)).resolves.toBe(before);

      const confirmed = await w.post('/web/cases', {
        ...fields,
        contactId: gone.id,
        departedConfirmed: 'on',
      });
      expect(confirmed.status).toBe(303);
      const logged = await apiCase(token, caseIdOf(confirmed.headers.location));
      expect({ platform: logged.body.platformCode, contact: logged.body.contactId }).toEqual({
        platform: 'instagram',
        contact: gone.id,
      });

      // Through the partner manager stored under Facebook: no warning, logged at once.
      const direct = await w.post('/web/cases', {
        ...fields,
        title: `Via manager ${Date.now()}`,
        contactId: manager.id,
        submission: '',
      });
      expect(direct.status).toBe(303);
      const viaManager = await apiCase(token, caseIdOf(direct.headers.location));
      expect(viaManager.body.contactId).toBe(manager.id);
      await expect(casesOf(c.inA.member.id)).resolves.toBe(before + 2);
    });

    it('shows the warning without a successor when none is recorded; an API client logs through a departed contact as before', async () => {
      const token = c.inA.member.token;
      const gone = await createContact(t.app, token, {
        platformCode: 'facebook',
        otherPlatformCodes: ['instagram'],
        fullName: `Gone alone ${Date.now()}`,
      });
      await call(t.app, 'POST', `/v1/contacts/${gone.id}/departure`, {
        token,
        body: { leftOn: '2026-01-10', reason: 'Left' },
      });
      const w = await member(c.inA.member);
      await w.get('/web/cases/new');
      const warned = await w.post('/web/cases', {
        ...FORM,
        channel: 'instagram/trusted_partner',
        title: 'No successor',
        contactId: gone.id,
      });
      expect(warned.status).toBe(200);
      expect(warned.html).toContain(
        en['ui.new.departedWarningNoSuccessor'].replace(/\{name\}/g, gone.fullName),
      );
      // A mistake too: the form shows it with the warning, at once.
      const both = await w.post('/web/cases', {
        ...FORM,
        channel: 'instagram/trusted_partner',
        title: '',
        contactId: gone.id,
      });
      expect(both.status).toBe(400);
      expect(both.html).toContain('id="title-error"');
      expect(both.html).toContain('id="departed-warning"');
      const api = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token,
        body: { ...caseBody({ platformCode: 'instagram', contactId: gone.id }) },
      });
      expect({ status: api.status, contactId: api.body.contactId }).toEqual({
        status: 201,
        contactId: gone.id,
      });
    });
  });
});
