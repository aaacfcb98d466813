import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOrganization, tokenFor } from '../factories/community.factory';
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
 * Issue 17 on a phone, in Spanish: a helpline worker in Bolivia looks up who is a trusted
 * partner of Instagram in her country (the registry names the approved partner only; a claim
 * waiting for approval is only counted), opens the channel and writes what works into its
 * playbook. Every page: in Spanish, no serious axe finding, nothing scrolls sideways or cuts a
 * word at 390 or 320 px (screenshots for review).
 */
describe('web interface: the partner registry and a channel playbook on a phone (Chromium, Spanish)', () => {
  let web: WebApp;
  let browser: Browser;
  let worker: WebUser;
  let context: BrowserContext;
  let page: Page;
  let partnerName: string;

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const [coordination, helpline, claimant] = await Promise.all([
      createOrganization(web.app, { countries: [], languages: ['en'] }),
      createOrganization(web.app, { countries: ['BO'], languages: ['es'], name: 'Línea Violeta' }),
      createOrganization(web.app, { countries: ['BO'], languages: ['es'], name: 'Red Segura' }),
    ]);
    partnerName = helpline.name;
    const [admin, claimantAdmin] = await Promise.all([
      createWebUser(web, coordination.id, 'admin'),
      createWebUser(web, claimant.id, 'org_admin'),
    ]);
    worker = await createWebUser(web, helpline.id, 'member', {
      language: 'es',
      timezone: 'America/La_Paz',
      displayName: 'Rosa Quispe',
    });
    const [channel] = await web.db.query<{ id: string }[]>(
      `SELECT ch.id FROM channels ch JOIN platforms p ON p.id = ch.platform_id
        WHERE p.code = 'instagram' AND ch.code = 'trusted_partner'`,
    );
    const approved = await call(web.app, 'POST', '/v1/channel-access', {
      token: await tokenFor(web.app, admin.id),
      body: {
        organizationId: helpline.id,
        channelId: channel.id,
        countries: ['BO'],
        since: '2026-01-01',
      },
    });
    expect(approved.status).toBe(201);
    const claimed = await call(web.app, 'POST', '/v1/channel-access', {
      token: await tokenFor(web.app, claimantAdmin.id),
      body: {
        organizationId: claimant.id,
        channelId: channel.id,
        countries: ['BO'],
        since: '2026-01-01',
        evidenceNote: 'Correo de bienvenida',
      },
    });
    expect(claimed.status).toBe(201);
    context = await newContext(browser, web, { locale: 'es-BO', screen: PHONE });
    page = await context.newPage();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'finds the approved partner of Instagram in Bolivia, the claim only counted',
    async () => {
      await signIn(page, worker);
      await Promise.all([
        page.waitForURL('**/web/registry'),
        page
          .getByRole('link', { name: esText('ui.registry.nav') })
          .first()
          .click(),
      ]);
      await page.getByLabel(esText('ui.col.platform')).selectOption('instagram');
      await page.getByLabel(esText('ui.directory.country')).selectOption('BO');
      await Promise.all([
        page.waitForURL(/country=BO/),
        page.getByRole('button', { name: esText('ui.directory.show') }).click(),
      ]);
      const row = page.locator('tbody tr').filter({ hasText: 'Instagram' });
      await expect(row.count()).resolves.toBe(1);
      const cells = await row.locator('td').allTextContents();
      expect(cells[0].trim()).toBe('Bolivia');
      expect(cells[1]).toContain(partnerName);
      expect(cells[1]).not.toContain('Red Segura');
      expect(cells[2].trim()).toBe('1');
      await expectUsableInSpanishOnPhone(page, 'registry-es-phone');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'opens the channel and saves a new version of its playbook',
    async () => {
      await Promise.all([
        page.waitForURL('**/web/channels/instagram/trusted_partner'),
        page.locator('tbody a[href="/web/channels/instagram/trusted_partner"]').click(),
      ]);
      await expect(page.getByText(esText('ui.channel.noPlaybook')).count()).resolves.toBe(1);
      await page
        .getByLabel(esText('ui.channel.field.evidence'))
        .fill('Capturas con la URL visible y la fecha');
      await page
        .getByLabel(esText('ui.channel.field.subjectLine'))
        .fill('[URGENTE] Difusión de imágenes íntimas');
      await page
        .getByLabel(esText('ui.channel.field.eligibility'))
        .fill('Líneas de ayuda con trabajo documentado en violencia digital');
      await page.getByLabel(esText('ui.channel.changeNote')).fill('Primera versión');
      await Promise.all([
        page.waitForURL(/done=saved/),
        page.getByRole('button', { name: esText('ui.channel.save') }).click(),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        esText('ui.channel.saved'),
      );
      await expect(page.locator('dl.playbook').textContent()).resolves.toContain(
        '[URGENTE] Difusión de imágenes íntimas',
      );
      const [stored] = await web.db.query<
        { version: number; subject_line: string; author_id: string }[]
      >(
        `SELECT v.version, v.subject_line, v.author_id FROM channel_playbook_versions v
           JOIN channels ch ON ch.id = v.channel_id JOIN platforms p ON p.id = ch.platform_id
          WHERE p.code = 'instagram' AND ch.code = 'trusted_partner'`,
      );
      expect(stored).toEqual({
        version: 1,
        subject_line: '[URGENTE] Difusión de imágenes íntimas',
        author_id: worker.id,
      });
      await expectUsableInSpanishOnPhone(page, 'channel-playbook-es-phone');
    },
    BROWSER_TIMEOUT_MS,
  );
});
