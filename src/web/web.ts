import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import fastifyFormbody from '@fastify/formbody';
import fastifyView from '@fastify/view';
import { Logger } from '@nestjs/common';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { WEB_PATH } from '../common/http/http-security';
import { jsonBodyRefusals } from '../common/http/json-body';
import { pickLang } from '../i18n/labels';
import { registerAnnualReportPages } from './pages/annual-report.pages';
import { registerAuthPages } from './pages/auth.pages';
import { registerCasePages } from './pages/cases.pages';
import { registerCommunityPages } from './pages/community.pages';
import { registerChannelPages } from './pages/channels.pages';
import { registerDirectoryPages } from './pages/directory.pages';
import { registerInsightsPages } from './pages/insights.pages';
import { registerSettingsPages } from './pages/settings.pages';
import {
  assetUrls,
  CookieOptions,
  CSRF_FIELD,
  csrfMatches,
  csrfTokenFor,
  errorPage,
  PRE_SESSION_COOKIE,
  readCookies,
  SESSION_COOKIE,
  setCookie,
  WebRouteConfig,
} from './web-context';
import { WebDependencies } from './web-dependencies';

const VIEWS_DIR = join(__dirname, 'views');
const ASSETS_DIR = join(__dirname, 'assets');
const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};
/** Asset URLs change with their content, so browsers may keep them for a year. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** What the page modules get: the services WebModule declares, and the cookie options. */
export interface WebDeps {
  services: WebDependencies;
  cookie: CookieOptions;
}

const logger = new Logger('Web');

/** Refusals whose page says more than the status's own message. */
const ERROR_MESSAGES: Record<string, string | undefined> = {
  forbidden: 'ui.error.forbiddenRole',
  'tlp-red-not-exported': 'ui.error.redNotExported',
};

/**
 * The web interface: every Fastify registration of it, in one encapsulated plugin under /web.
 * Form bodies, cookies, templates, the session and CSRF checks and the HTML error pages exist
 * only inside it, so the API keeps its JSON-only parsers, its problem+json errors and its
 * bearer authentication. Call before app.init() (app.factory.ts does, with the app's Fastify
 * instance and WebModule's `WebDependencies`).
 */
export async function registerWeb(
  server: FastifyInstance,
  services: WebDependencies,
): Promise<void> {
  const { config, sessions, writeLimit } = services;
  const deps: WebDeps = {
    services,
    cookie: { path: WEB_PATH, httpOnly: true, sameSite: 'strict', secure: config.http.hsts },
  };

  server.get('/', { config: { webPublic: true } }, (_request, reply) =>
    reply.redirect(`${WEB_PATH}/`, 302),
  );

  await server.register(
    async (web) => {
      // application/x-www-form-urlencoded here only: the API answers 415 to form bodies.
      await web.register(fastifyFormbody);
      await web.register(fastifyView, {
        engine: { eta: new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true }) },
        templates: VIEWS_DIR,
        production: true,
      });
      web.decorateRequest('web', null as unknown as FastifyRequest['web']);

      registerAssets(web);

      web.addHook('preHandler', async (request, reply) => {
        const route = request.routeOptions.config as WebRouteConfig;
        if (route.webAsset) return;
        const cookies = readCookies(request);
        const sessionToken = cookies[SESSION_COOKIE];
        const signedIn = await sessions.resolve(sessionToken);
        let secret = signedIn ? sessionToken! : cookies[PRE_SESSION_COOKIE];
        if (!secret || secret.length > 100) {
          secret = randomBytes(32).toString('base64url');
          setCookie(reply, PRE_SESSION_COOKIE, secret, deps.cookie);
        }
        const query = request.query as Record<string, unknown> | undefined;
        request.web = {
          lang: pickLang(
            typeof query?.lang === 'string' ? query.lang : undefined,
            signedIn?.user.language,
            request.headers['accept-language'],
          ),
          signedIn,
          csrfToken: csrfTokenFor(secret),
          sessionToken: signedIn ? sessionToken : undefined,
        };
        if (request.method === 'POST') {
          const given = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
          if (!csrfMatches(request.web.csrfToken, given)) return errorPage(request, reply, 403);
        }
        // What PostgreSQL cannot store (NUL, unpaired surrogates): the API's JSON parser refuses
        // it, form bodies and query strings reach the services here, so it is refused here.
        if (jsonBodyRefusals(request.query).length || jsonBodyRefusals(request.body).length) {
          return errorPage(request, reply, 400);
        }
        if (!signedIn && !route.webPublic && !request.is404) {
          return reply.redirect(`${WEB_PATH}/sign-in`, 303);
        }
        // The API's per-user write budget counts the forms too (signing in and out aside: the
        // sign-in has its own throttle); beyond it, a 429 page with Retry-After.
        if (signedIn && request.method === 'POST' && !route.webPublic && !route.webSignOut) {
          await writeLimit.consume(signedIn.actor.userId);
        }
      });

      registerAuthPages(web, deps);
      registerCasePages(web, deps);
      registerDirectoryPages(web, deps);
      registerCommunityPages(web, deps);
      registerChannelPages(web, deps);
      registerInsightsPages(web, deps);
      registerAnnualReportPages(web, deps);
      registerSettingsPages(web, deps);

      web.setNotFoundHandler((request, reply) => errorPage(request, reply, 404));
      web.setErrorHandler((error: FastifyError, request, reply) => {
        const status =
          error instanceof DomainError
            ? error.status
            : typeof error.statusCode === 'number'
              ? error.statusCode
              : 500;
        if (status >= 500) {
          // The error's class and stack frames only: messages may quote what was entered.
          logger.error(
            `web request ${request.id} failed: ${error.name}`,
            error.stack?.split('\n').slice(1).join('\n'),
          );
        }
        if (error instanceof DomainError) void reply.headers(error.headers);
        const code = error instanceof DomainError ? error.code : undefined;
        return errorPage(request, reply, status, ERROR_MESSAGES[code ?? '']);
      });
    },
    { prefix: WEB_PATH },
  );
}

/** /web/assets/<content hash>/<file>: the few files of assets/, read once, cached for a year. */
function registerAssets(web: FastifyInstance): void {
  const files = new Map<string, { body: Buffer; type: string; version: string }>();
  for (const name of readdirSync(ASSETS_DIR)) {
    const type = ASSET_TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(ASSETS_DIR, name));
    const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
    files.set(name, { body, type, version });
    assetUrls[name] = `${WEB_PATH}/assets/${version}/${name}`;
  }
  web.get<{ Params: { version: string; name: string } }>(
    '/assets/:version/:name',
    { config: { webAsset: true, webPublic: true } },
    (request, reply) => {
      const file = files.get(request.params.name);
      if (!file || file.version !== request.params.version) {
        return reply.code(404).header('cache-control', 'no-store').type('text/plain').send('');
      }
      return reply.header('cache-control', ASSET_CACHE).type(file.type).send(file.body);
    },
  );
}
