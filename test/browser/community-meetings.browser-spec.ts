import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call } from '../support/http';
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

/**
 * Issue 17, part 2: a Spanish-speaking helpline worker in Madrid opens the community meetings on
 * her phone. A weekly-looking call set on both sides of Europe's clock change (28 March 2027)
 * shows at ten o'clock both times, in her time zone; the meeting of a working group she is not
 * in is not there; she answers "Sí" from the page and the answer is stored.
 */
describe('web interface: community meetings in Spanish on a phone (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: TestUser;
  let worker: WebUser;
  const ids = { before: '', after: '', otherGroup: '' };

  const post = async (url: string, body: unknown): Promise<string> => {
    const answer = await call(web.app, 'POST', url, { token: admin.token, body });
    if (answer.status !== 201) throw new Error(`${url}: ${answer.status} ${answer.text}`);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const coordination = await createOrganization(web.app, { countries: [], languages: ['en'] });
    const helpline = await createOrganization(web.app, { countries: ['ES'], languages: ['es'] });
    admin = await createUser(web.app, coordination.id, 'admin');
    worker = await createWebUser(web, helpline.id, 'member', {
      language: 'es',
      timezone: 'Europe/Madrid',
      displayName: 'Lucía Fernández',
    });
    const advocacy = await post('/v1/working-groups', { name: 'Incidencia con plataformas' });
    await call(web.app, 'POST', `/v1/working-groups/${advocacy}/members`, {
      token: admin.token,
      body: { userId: worker.id },
    });
    const research = await post('/v1/working-groups', { name: 'Investigación' });
    ids.before = await post('/v1/meetings', {
      title: 'Llamada de la comunidad (marzo)',
      startsAt: '2027-03-24T09:00:00Z',
      endsAt: '2027-03-24T10:30:00Z',
      languages: ['es', 'en'],
      interpretation: ['es'],
      link: 'https://meet.example.org/comunidad',
      agenda: 'Presentación de nuevas iniciativas\nCalendario de abril',
    });
    ids.after = await post('/v1/meetings', {
      title: 'Grupo de incidencia (después del cambio de hora)',
      startsAt: '2027-03-31T08:00:00Z',
      endsAt: '2027-03-31T09:00:00Z',
      languages: ['es'],
      workingGroupId: advocacy,
    });
    ids.otherGroup = await post('/v1/meetings', {
      title: 'Reunión de investigación',
      startsAt: '2027-03-25T15:00:00Z',
      endsAt: '2027-03-25T16:00:00Z',
      workingGroupId: research,
    });
    context = await newContext(browser, web, { locale: 'es-ES', screen: PHONE });
    page = await context.newPage();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'shows her meetings at ten in Madrid on both sides of the clock change, and not the other group’s',
    async () => {
      await signIn(page, worker);
      await page.getByRole('link', { name: esText('ui.meetings.nav') }).click();
      await page.waitForURL(/\/web\/meetings$/);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        esText('ui.meetings.title'),
      );
      await expect(page.locator('main').textContent()).resolves.toContain('Europe/Madrid');

      const articles = page.locator('article.meeting');
      await expect(articles.evaluateAll((all) => all.map((a) => a.id))).resolves.toEqual([
        `meeting-${ids.before}`,
        `meeting-${ids.after}`,
      ]);
      const madrid = new Intl.DateTimeFormat('es', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'Europe/Madrid',
      });
      for (const [id, startsAt, ends] of [
        [ids.before, '2027-03-24T09:00:00Z', '11:30'],
        [ids.after, '2027-03-31T08:00:00Z', '11:00'],
      ] as const) {
        const times = page.locator(`#meeting-${id} .meeting-time time`);
        const start = (await times.first().textContent())!;
        expect(start).toBe(madrid.format(new Date(startsAt)));
        expect(start).toContain('10:00');
        await expect(times.nth(1).textContent()).resolves.toBe(ends);
      }
      const before = page.locator(`#meeting-${ids.before}`);
      await expect(before.textContent()).resolves.toContain(esText('ui.meetings.wholeCommunity'));
      await expect(before.textContent()).resolves.toContain('Presentación de nuevas iniciativas');
      await expect(page.locator(`#meeting-${ids.after}`).textContent()).resolves.toContain(
        'Incidencia con plataformas',
      );

      await expectUsableInSpanishOnPhone(page, 'es-phone-meetings');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'records her answer from the page',
    async () => {
      const meeting = page.locator(`#meeting-${ids.before}`);
      await meeting.getByRole('button', { name: esText('ui.meetings.answer.yes') }).click();
      await page.waitForURL(/\/web\/meetings\?done=answered/);
      await expect(page.getByText(esText('ui.meetings.answered')).count()).resolves.toBe(1);
      const yes = page
        .locator(`#meeting-${ids.before}`)
        .getByRole('button', { name: esText('ui.meetings.answer.yes') });
      await expect(yes.getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(page.locator(`#meeting-${ids.before}`).textContent()).resolves.toContain(
        esText('ui.meetings.yourAnswer', { answer: esText('ui.meetings.answer.yes') }),
      );
      await expect(
        web.db.query('SELECT answer FROM meeting_rsvps WHERE meeting_id = $1 AND user_id = $2', [
          ids.before,
          worker.id,
        ]),
      ).resolves.toEqual([{ answer: 'yes' }]);
      await expectUsableInSpanishOnPhone(page, 'es-phone-meetings-answered');
    },
    BROWSER_TIMEOUT_MS,
  );
});
