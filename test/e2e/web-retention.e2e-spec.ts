import { MESSAGES } from '../../src/i18n/labels';
import { RetentionService } from '../../src/retention/retention.service';
import { createCase } from '../factories/case.factory';
import { createCommunity } from '../factories/community.factory';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

/*
 * Issue 20 in the web interface: the org_admin's retention rule on the settings page (what each
 * choice keeps is said there), the case page of a redacted case, and an erased case's page.
 */
describe('web: retention and erasure', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  const rule = async (orgId: string) =>
    (await t.db.query(
      'SELECT closed_case_months, keep_indicator_hashes FROM retention_policies WHERE organization_id = $1',
      [orgId],
    )) as { closed_case_months: number; keep_indicator_hashes: boolean }[];

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  it('shows the rule to the org_admin only, saying what each choice keeps', async () => {
    const admin = await WebClient.signedIn(t.app, c.inA.orgAdmin);
    const page = await admin.get('/web/settings');
    expect(page.html).toContain(MESSAGES.en['ui.settings.retention.intro']);
    expect(page.html).toContain(MESSAGES.en['ui.settings.retention.keepHashesHint']);
    expect(page.html).toContain(
      `<option value="" selected>${MESSAGES.en['ui.settings.retention.never']}`,
    );
    const member = await WebClient.signedIn(t.app, c.inA.member);
    const other = await member.get('/web/settings');
    expect(other.status).toBe(200);
    expect(other.html).not.toContain(MESSAGES.en['ui.settings.retention.title']);
  });

  it('saves the rule (audited), and the page shows it chosen', async () => {
    const w = await WebClient.signedIn(t.app, c.inA.orgAdmin);
    await w.get('/web/settings');
    const saved = await w.post('/web/settings/retention', {
      closedCaseMonths: '24',
      keepIndicatorHashes: 'on',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/web/settings?done=retentionSaved');
    expect(await rule(c.a.id)).toEqual([{ closed_case_months: 24, keep_indicator_hashes: true }]);
    const page = await w.get('/web/settings?done=retentionSaved');
    expect(page.html).toContain(MESSAGES.en['ui.settings.retention.saved']);
    expect(page.html).toContain('<option value="24" selected>');
    expect(page.html).toMatch(/id="retention-hashes" name="keepIndicatorHashes"[^>]*checked/);
    const audited = (await t.db.query(
      "SELECT count(*)::int AS n FROM audit_entries WHERE action = 'retention.updated' AND organization_id = $1",
      [c.a.id],
    )) as [{ n: number }];
    expect(audited[0].n).toBe(1);
  });

  it('refuses a bad number with a field error, a member, and a missing CSRF field, changing nothing', async () => {
    const w = await WebClient.signedIn(t.app, c.inA.orgAdmin);
    await w.get('/web/settings');
    const bad = await w.post('/web/settings/retention', { closedCaseMonths: '999' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('id="retention-months-error"');
    const forged = await w.post('/web/settings/retention', { closedCaseMonths: '6', _csrf: null });
    expect(forged.status).toBe(403);
    const m = await WebClient.signedIn(t.app, c.inA.member);
    await m.get('/web/settings');
    const refused = await m.post('/web/settings/retention', { closedCaseMonths: '6' });
    expect(refused.status).toBe(403);
    expect(await rule(c.a.id)).toEqual([{ closed_case_months: 24, keep_indicator_hashes: true }]);
  });

  it("says on a redacted case's page when its content was removed", async () => {
    const made = await createCase(t.app, c.inA.member.token, {
      escalatedAt: '2024-01-02T10:00:00.000Z',
    });
    const closed = await call(t.app, 'POST', `/v1/cases/${made.id}/events`, {
      token: c.inA.member.token,
      body: { type: 'closed', occurredAt: '2024-01-05T10:00:00.000Z' },
    });
    expect(closed.status).toBe(201);
    const w = await WebClient.signedIn(t.app, c.inA.member);
    const before = await w.get(`/web/cases/${made.id}`);
    expect(before.html).toContain(made.title);
    expect(before.html).not.toContain('class="notice" role="status">Content removed');
    expect(await t.app.get(RetentionService).sweep()).toEqual({ organizations: 1, redacted: 1 });
    const after = await w.get(`/web/cases/${made.id}`);
    expect(after.status).toBe(200);
    expect(after.html).not.toContain(made.title);
    expect(after.html).toContain('Content removed on ');
  });

  it("answers an erased case's page with 410 and says so", async () => {
    const made = await createCase(t.app, c.inA.member.token);
    const erased = await call(t.app, 'DELETE', `/v1/cases/${made.id}`, {
      token: c.inA.orgAdmin.token,
    });
    expect(erased.status).toBe(204);
    const w = await WebClient.signedIn(t.app, c.inA.member);
    const page = await w.get(`/web/cases/${made.id}`);
    expect(page.status).toBe(410);
    expect(page.html).toContain(MESSAGES.en['ui.error.title.410']);
    expect(page.html).not.toContain(made.title);
    const outsider = await WebClient.signedIn(t.app, c.inB.member);
    expect((await outsider.get(`/web/cases/${made.id}`)).status).toBe(404);
  });
});
