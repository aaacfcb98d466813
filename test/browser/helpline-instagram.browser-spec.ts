import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOrganization, tokenFor } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
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
 * Journey 1 of issue 16, on a phone: a Spanish-speaking helpline worker in Guatemala logs an
 * intimate-image case on Instagram at night through the form, and writes to Meta's partner
 * manager, whose record is stored under Facebook. She first picks a contact who has left: the
 * form warns her, naming the successor, and logs nothing; she then picks the partner manager and
 * the case is stored with her. Every page she meets: axe finds no serious or critical violation,
 * nothing scrolls sideways or cuts a word at 390 or 320 px, and no English-only text (screenshots
 * for review).
 */
describe('web interface: a helpline worker escalates an intimate-image case on Instagram from her phone (Chromium, Spanish)', () => {
  let web: WebApp;
  let browser: Browser;
  let worker: WebUser;
  let context: BrowserContext;
  let page: Page;
  const people = {
    manager: { id: '', fullName: 'Lucía Ramírez' },
    successor: { id: '', fullName: 'Marta Gómez' },
    departed: { id: '', fullName: 'Paula Díaz' },
  };

  const expectUsable = (name: string) => expectUsableInSpanishOnPhone(page, `helpline-${name}`);

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const [coordination, helpline] = await Promise.all([
      createOrganization(web.app, { countries: [], languages: ['en'] }),
      createOrganization(web.app, { countries: ['GT'], languages: ['es'] }),
    ]);
    const [admin, colleague] = await Promise.all([
      createWebUser(web, coordination.id, 'admin'),
      createWebUser(web, helpline.id, 'member'),
    ]);
    worker = await createWebUser(web, helpline.id, 'member', {
      language: 'es',
      timezone: 'America/Guatemala',
      displayName: 'Ana Pérez',
    });
    // The working group's directory: Meta's partner manager, stored under Facebook and covering
    // the company's other apps; a colleague of hers who left, replaced by Marta.
    const token = await tokenFor(web.app, colleague.id);
    const meta = (fullName: string, extra: Record<string, unknown> = {}) =>
      createContact(web.app, token, {
        platformCode: 'facebook',
        otherPlatformCodes: ['instagram', 'messenger', 'threads', 'whatsapp'],
        fullName,
        countries: ['GT'],
        languages: ['es'],
        ...extra,
      });
    const manager = await meta(people.manager.fullName, { email: 'lucia@meta.example.com' });
    const successor = await meta(people.successor.fullName, { countries: ['MX'] });
    const departed = await meta(people.departed.fullName);
    Object.assign(people.manager, { id: manager.id });
    Object.assign(people.successor, { id: successor.id });
    Object.assign(people.departed, { id: departed.id });
    const left = await call(web.app, 'POST', `/v1/contacts/${departed.id}/departure`, {
      token,
      body: { leftOn: '2026-05-31', reason: 'Left Meta', successorContactId: successor.id },
    });
    expect(left.status).toBe(201);
    // The helpline is a trusted partner of Meta in Guatemala (its channel access).
    const [channel] = await web.db.query<{ id: string }[]>(
      `SELECT ch.id FROM channels ch JOIN platforms p ON p.id = ch.platform_id
        WHERE p.code = 'instagram' AND ch.code = 'trusted_partner'`,
    );
    const access = await call(web.app, 'POST', '/v1/channel-access', {
      token: await tokenFor(web.app, admin.id),
      body: {
        organizationId: helpline.id,
        channelId: channel.id,
        countries: ['GT'],
        since: '2026-01-01',
      },
    });
    expect(access.status).toBe(201);

    context = await newContext(browser, web, { locale: 'es-GT', screen: PHONE });
    page = await context.newPage();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'logs the case through the Meta partner manager stored under Facebook, after the warning about a contact who left',
    async () => {
      await signIn(page, worker);
      await expectUsable('cases');
      await Promise.all([
        page.waitForURL('**/web/cases/new'),
        page
          .getByRole('link', { name: esText('ui.nav.newCase') })
          .first()
          .click(),
      ]);

      // Her country is already chosen; her organisation's channel comes first, marked.
      await expect(page.locator('#country').inputValue()).resolves.toBe('GT');
      const firstChannel = page.locator('#channel option[value]:not([value=""])').first();
      await expect(firstChannel.getAttribute('value')).resolves.toBe('instagram/trusted_partner');
      await expect(firstChannel.textContent()).resolves.toContain(esText('ui.new.channelAccess'));
      await expectUsable('case-new');

      await page.locator('#channel').selectOption('instagram/trusted_partner');
      await page.locator('#categoryCode').selectOption('ncii');
      await page.locator('#subcategoryCode').selectOption('ncii_shared');
      await page
        .getByLabel(esText('ui.new.caseTitle'))
        .fill('Imágenes íntimas difundidas sin consentimiento');
      await page
        .getByLabel(esText('ui.new.summary'))
        .fill('Su expareja publicó fotos íntimas en una cuenta falsa de Instagram.');
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: esText('ui.new.suggest') }).click(),
      ]);

      // Who to write to now: the partner manager stored under Facebook; the departed contact
      // only among the others, with whom she was replaced by.
      const manager = page.locator(`#contact-${people.manager.id}`);
      const departed = page.locator(`#contact-${people.departed.id}`);
      const contactSection = page.locator('fieldset.contact');
      const text = (await contactSection.textContent()) ?? '';
      expect(text.indexOf(people.manager.fullName)).toBeLessThan(
        text.indexOf(esText('ui.new.otherContacts')),
      );
      expect(text.indexOf(people.departed.fullName)).toBeGreaterThan(
        text.indexOf(esText('ui.new.otherContacts')),
      );
      await expect(
        page.locator(`label[for="contact-${people.departed.id}"]`).textContent(),
      ).resolves.toContain(esText('ui.new.contactSuccessor', { name: people.successor.fullName }));
      await expectUsable('case-new-contacts');

      // She picks the contact who left: nothing is logged, the warning names the successor.
      await departed.check();
      const before = await web.db.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM cases WHERE created_by = $1',
        [worker.id],
      );
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: esText('ui.new.submit') }).click(),
      ]);
      const warning = page.locator('#departed-warning');
      await expect(warning.getAttribute('role')).resolves.toBe('alert');
      await expect(warning.textContent()).resolves.toContain(
        esText('ui.new.departedWarning', {
          name: people.departed.fullName,
          successor: people.successor.fullName,
        }),
      );
      await expect(
        web.db.query('SELECT count(*)::int AS n FROM cases WHERE created_by = $1', [worker.id]),
      ).resolves.toEqual(before);
      await expect(page.locator('#title').inputValue()).resolves.toBe(
        'Imágenes íntimas difundidas sin consentimiento',
      );
      await expectUsable('case-new-departed-warning');

      // She writes to the partner manager instead.
      await manager.check();
      await Promise.all([
        page.waitForURL(/\/web\/cases\/[0-9a-f-]{36}\?done=created$/),
        page.getByRole('button', { name: esText('ui.new.submit') }).click(),
      ]);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      const [stored] = await web.db.query<
        { platform: string; channel: string; contact_id: string; country: string }[]
      >(
        `SELECT p.code AS platform, ch.code AS channel, c.contact_id, c.country
           FROM cases c JOIN platforms p ON p.id = c.platform_id JOIN channels ch ON ch.id = c.channel_id
          WHERE c.id = $1`,
        [id],
      );
      expect(stored).toEqual({
        platform: 'instagram',
        channel: 'trusted_partner',
        contact_id: people.manager.id,
        country: 'GT',
      });
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        esText('ui.case.created'),
      );
      await expectUsable('case-created');
    },
    BROWSER_TIMEOUT_MS * 2,
  );
});
