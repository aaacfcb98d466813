import type { Browser, BrowserContext, Page } from 'playwright-core';
import { label } from '../../src/i18n/labels';
import { createCase } from '../factories/case.factory';
import { createOrganization, tokenFor } from '../factories/community.factory';
import {
  BROWSER_TIMEOUT_MS,
  createWebUser,
  launchBrowser,
  newContext,
  PHONE,
  signIn,
  startWebApp,
  WebApp,
  WebUser,
} from './support/browser';
import { esText } from './support/i18n';
import { expectUsableInSpanishOnPhone } from './support/usable';

const DAY = 86_400_000;
const ZONE = 'America/La_Paz'; // UTC-4 all year
const URGENCY_RANK = { low: 0, normal: 1, high: 2, critical: 3 } as const;

/**
 * A helpline worker in Bolivia follows up her cases on her phone, in Spanish (issue 16, journey
 * 1): her queue shows the most overdue first with how late each is; on the case she records,
 * with the times they happened, a follow-up through another channel, the platform's request for
 * information and her answer (the deadline pauses), and the platform's response with the quality
 * answers and the statement of reasons; she hands another case over. What the pages show is
 * checked against the rows, every page against axe, sideways scrolling and English text.
 */
describe('web interface: a helpline worker follows up her cases on a phone, in Spanish (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let lucia: WebUser;
  let marta: WebUser;
  let context: BrowserContext;
  let page: Page;
  const seeded: Record<'oldest' | 'recent' | 'fresh' | 'martas' | 'nobodys', string> = {
    oldest: '',
    recent: '',
    fresh: '',
    martas: '',
    nobodys: '',
  };

  /** The references of the queue as shown, in order. */
  const shownReferences = () => page.locator('table.queue tbody tr th a').allTextContents();

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const org = await createOrganization(web.app, { countries: ['BO'], languages: ['es'] });
    lucia = await createWebUser(web, org.id, 'member', {
      language: 'es',
      timezone: ZONE,
      displayName: 'Lucía Quispe',
    });
    marta = await createWebUser(web, org.id, 'member', {
      language: 'es',
      timezone: ZONE,
      displayName: 'Marta Flores',
    });
    const token = await tokenFor(web.app, lucia.id);
    const escalated = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
    const base = { channelCode: 'trusted_partner', country: 'BO', contentLanguage: 'es' };
    const make = async (overrides: Record<string, unknown>) =>
      (await createCase(web.app, token, { ...base, ...overrides })).id;
    seeded.oldest = await make({
      escalatedAt: escalated(10),
      urgency: 'normal',
      title: 'Fotos íntimas difundidas',
    });
    seeded.recent = await make({
      escalatedAt: escalated(5),
      urgency: 'high',
      title: 'Suplantación de perfil',
    });
    seeded.fresh = await make({
      escalatedAt: escalated(0),
      urgency: 'critical',
      title: 'Amenazas en directo',
    });
    seeded.martas = await make({
      escalatedAt: escalated(8),
      ownerId: marta.id,
      title: 'Doxeo de una periodista',
    });
    seeded.nobodys = await make({
      escalatedAt: escalated(7),
      ownerId: null,
      title: 'Acoso coordinado',
    });

    context = await newContext(browser, web, { locale: 'es-BO', screen: PHONE });
    page = await context.newPage();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'her queue shows her cases, the most overdue first, with how many days late each is',
    async () => {
      await signIn(page, lucia);
      expect(new URL(page.url()).pathname).toBe('/web/cases');
      await page.getByRole('link', { name: esText('ui.cases.view.mine') }).click();
      await page.waitForURL(/\/web\/cases\?view=mine$/);

      // The order, from the rows: open cases she owns, by how late, then urgency, then deadline.
      const now = Date.now();
      const rows = await web.db.query<
        {
          reference: string;
          due_at: Date | null;
          urgency: keyof typeof URGENCY_RANK;
          created_at: Date;
          paused_at: Date | null;
          status: string;
        }[]
      >(
        `SELECT reference, due_at, urgency, created_at, paused_at, status FROM cases
          WHERE owner_id = $1 AND status IN ('draft', 'escalated', 'acknowledged')`,
        [lucia.id],
      );
      const late = (r: (typeof rows)[number]) =>
        r.due_at &&
        !r.paused_at &&
        ['escalated', 'acknowledged'].includes(r.status) &&
        r.due_at.getTime() < now
          ? now - r.due_at.getTime()
          : -1;
      const expected = [...rows].sort(
        (a, b) =>
          late(b) - late(a) ||
          URGENCY_RANK[b.urgency] - URGENCY_RANK[a.urgency] ||
          (a.due_at?.getTime() ?? Infinity) - (b.due_at?.getTime() ?? Infinity) ||
          b.created_at.getTime() - a.created_at.getTime(),
      );
      expect(expected).toHaveLength(3);
      await expect(shownReferences()).resolves.toEqual(expected.map((r) => r.reference));

      // "N días de retraso" on the most overdue, N from its deadline in the row.
      const first = page.locator('table.queue tbody tr').first();
      const days = Math.floor(late(expected[0]) / DAY);
      expect(days).toBeGreaterThanOrEqual(2);
      await expect(first.locator('.badge').textContent()).resolves.toBe(
        esText('ui.cases.daysLate', { count: String(days) }),
      );
      // Status and deadline are on the screen, not beyond its right edge.
      for (const cell of [first.locator('td').nth(2), first.locator('td').nth(4)]) {
        const box = await cell.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.viewport.width);
      }
      await expect(first.locator('td').nth(4).locator('time').count()).resolves.toBe(1);
      await expectUsableInSpanishOnPhone(page, 'es-phone-queue-mine');

      // Nobody's case is under "Sin asignar", Marta's under neither of hers.
      await page.getByRole('link', { name: esText('ui.cases.view.unassigned') }).click();
      await page.waitForURL(/view=unassigned$/);
      const unassigned = await shownReferences();
      const [nobodys, martas] = await web.db.query<{ reference: string }[]>(
        'SELECT reference FROM cases WHERE id = ANY($1) ORDER BY created_at DESC',
        [[seeded.nobodys, seeded.martas]],
      );
      expect(unassigned).toEqual([nobodys.reference]);
      expect(unassigned).not.toContain(martas.reference);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'on the case she records the follow-up, the request for information, her answer and the response, each with its time',
    async () => {
      await page.goto('/web/cases?view=mine');
      await page.locator('table.queue tbody tr th a').first().click();
      await page.waitForURL(new RegExp(`/web/cases/${seeded.oldest}$`));
      await expectUsableInSpanishOnPhone(page, 'es-phone-case-before');

      // Sent yesterday evening, by e-mail rather than the partner form.
      const channels = await web.db.query<{ code: string; name: string }[]>(
        `SELECT ch.code, ch.name FROM channels ch JOIN platforms p ON p.id = ch.platform_id
          WHERE p.code = 'facebook' AND ch.code <> 'trusted_partner' ORDER BY ch.code LIMIT 1`,
      );
      // Times as a clock in La Paz reads them (UTC-4), to the minute, and the instants meant.
      const minute = (hoursAgo: number) =>
        new Date(Math.floor((Date.now() - hoursAgo * 3_600_000) / 60_000) * 60_000);
      const laPaz = (at: Date) => new Date(at.getTime() - 4 * 3_600_000).toISOString().slice(0, 16);
      const sent = minute(26);
      const followUp = page.locator('form:has(input[name="type"][value="follow_up_sent"])');
      await followUp.getByLabel(esText('ui.case.occurredAt')).fill(laPaz(sent));
      await followUp.getByLabel(esText('ui.case.followUpChannel')).selectOption(channels[0].code);
      await followUp
        .getByLabel(esText('ui.case.note'))
        .fill('Segundo correo a la persona de contacto.');
      await Promise.all([
        page.waitForURL(/\?done=step$/),
        followUp.getByRole('button', { name: esText('ui.step.follow_up_sent') }).click(),
      ]);

      // The platform asks for more information; she answers two hours later.
      const step = async (type: string, at: Date) => {
        const form = page.locator(`form:has(input[name="type"][value="${type}"])`);
        await form.getByLabel(esText('ui.case.occurredAt')).fill(laPaz(at));
        await Promise.all([
          page.waitForURL(/\?done=step$/),
          form.getByRole('button', { name: esText(`ui.step.${type}`) }).click(),
        ]);
      };
      const asked = minute(5);
      const answered = minute(3);
      await step('platform_requested_info', asked);
      await step('info_provided', answered);

      // The response, with how it was given.
      const responded = page.locator('form:has(input[name="type"][value="platform_responded"])');
      await responded.getByLabel(esText('ui.case.stepOutcome')).selectOption('content_removed');
      for (const [question, answer] of [
        ['reasonGiven', 'yes'],
        ['contextUnderstood', 'no'],
        ['harmRecognisedAsGendered', 'no'],
        ['retraumatisingProofRequested', 'yes'],
      ] as const) {
        await responded.getByLabel(esText(`ui.quality.${question}`)).selectOption(answer);
      }
      await responded.getByLabel(esText('ui.case.sorReceived')).selectOption('yes');
      await responded
        .getByLabel(esText('ui.case.sorGround'))
        .selectOption('DECISION_GROUND_INCOMPATIBLE_CONTENT');
      await Promise.all([
        page.waitForURL(/\?done=step$/),
        responded.getByRole('button', { name: esText('ui.step.platform_responded') }).click(),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        esText('ui.case.stepDone'),
      );

      // The rows hold what she entered, at the instants she meant (La Paz is UTC-4).
      const events = await web.db.query<
        {
          type: string;
          occurred_at: Date;
          details: Record<string, unknown>;
          quality: Record<string, string> | null;
          statement_of_reasons: Record<string, unknown> | null;
          actor_user_id: string;
        }[]
      >(
        `SELECT type, occurred_at, details, quality, statement_of_reasons, actor_user_id
           FROM case_events WHERE case_id = $1 AND type NOT IN ('created', 'escalated')
          ORDER BY occurred_at, seq`,
        [seeded.oldest],
      );
      // No worker runs here: the deadline's own `overdue` step may or may not be there.
      const steps = events.filter((e) => e.type !== 'overdue');
      expect(steps.map((e) => e.type)).toEqual([
        'follow_up_sent',
        'platform_requested_info',
        'info_provided',
        'platform_responded',
      ]);
      const byType = Object.fromEntries(steps.map((e) => [e.type, e]));
      expect(byType.follow_up_sent.occurred_at).toEqual(sent);
      expect(byType.platform_requested_info.occurred_at).toEqual(asked);
      expect(byType.info_provided.occurred_at).toEqual(answered);
      expect(byType.follow_up_sent.details).toEqual({ channelCode: channels[0].code });
      expect(byType.info_provided.details).toEqual({
        stoppedSeconds: (answered.getTime() - asked.getTime()) / 1000,
      });
      expect(byType.platform_responded.quality).toEqual({
        reasonGiven: 'yes',
        contextUnderstood: 'no',
        harmRecognisedAsGendered: 'no',
        retraumatisingProofRequested: 'yes',
      });
      expect(byType.platform_responded.statement_of_reasons).toEqual({
        received: true,
        decisionGround: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      });
      expect(new Set(steps.map((e) => e.actor_user_id))).toEqual(new Set([lucia.id]));

      // The timeline tells it in Spanish, with her name and the channel.
      const timeline = (await page.locator('.timeline').textContent()) ?? '';
      for (const text of [
        esText('ui.event.follow_up_sent'),
        `${esText('ui.case.followUpChannel')}: ${channels[0].name}`,
        esText('ui.event.platform_requested_info'),
        esText('ui.event.info_provided'),
        label('es', 'outcome', 'content_removed'),
        esText('ui.quality.retraumatisingProofRequested'),
        esText('ui.decisionGround.DECISION_GROUND_INCOMPATIBLE_CONTENT'),
        'Lucía Quispe',
      ]) {
        expect(timeline).toContain(text);
      }
      await expectUsableInSpanishOnPhone(page, 'es-phone-case-responded');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'she hands a case over to nobody and it leaves her queue for the unassigned one',
    async () => {
      await page.goto(`/web/cases/${seeded.recent}`);
      await page.getByLabel(esText('ui.case.owner')).selectOption('');
      await Promise.all([
        page.waitForURL(/\?done=owner$/),
        page.getByRole('button', { name: esText('ui.case.saveOwner') }).click(),
      ]);
      await expect(page.locator('dd.owner').textContent()).resolves.toBe(
        esText('ui.case.unassigned'),
      );
      await expect(page.locator('.timeline').textContent()).resolves.toContain(
        esText('ui.case.ownerChange', { from: 'Lucía Quispe', to: esText('ui.case.unassigned') }),
      );
      const [row] = await web.db.query<{ owner_id: string | null; reference: string }[]>(
        'SELECT owner_id, reference FROM cases WHERE id = $1',
        [seeded.recent],
      );
      expect(row.owner_id).toBeNull();

      await page.goto('/web/cases?view=unassigned');
      await expect(shownReferences()).resolves.toContain(row.reference);
      await page.goto('/web/cases?view=mine');
      await expect(shownReferences()).resolves.not.toContain(row.reference);
      await expectUsableInSpanishOnPhone(page, 'es-phone-queue-after-handover');
      await page.goto(`/web/cases/${seeded.recent}`);
      await expectUsableInSpanishOnPhone(page, 'es-phone-case-handed-over');
    },
    BROWSER_TIMEOUT_MS,
  );
});
