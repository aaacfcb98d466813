import fastifyCors from '@fastify/cors';
import fastifyHelmet, { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Where Swagger UI is served (SwaggerModule.setup's path). */
export const DOCS_PATH = '/docs';

/**
 * A JSON API loads nothing, runs nothing and is never framed: every fetch directive falls back
 * to `default-src 'none'`. A response rendered by mistake as HTML (an error echoing input, a
 * sniffing browser) can then run no script and reach nothing.
 */
const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Swagger UI (bundled by @nestjs/swagger, served from DOCS_PATH) loads its scripts and styles
 * from this origin, sets inline styles, draws data: images and calls this API ("Try it out").
 * Nothing from another origin, and no inline script.
 */
const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/** Where the server-rendered web interface lives (src/web). */
export const WEB_PATH = '/web';

/**
 * The web pages load their own stylesheet and script (served from WEB_PATH/assets) and post
 * forms to this origin: no inline script or style, nothing from elsewhere, never framed.
 */
const WEB_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/**
 * WEB_CSP as a header value, for answers helmet's route configuration does not reach (the web
 * interface's 404 and error pages).
 */
export const WEB_CSP_HEADER = Object.entries(WEB_CSP.directives)
  .map(([name, values]) => `${kebab(name)} ${values.join(' ')}`)
  .join('; ');

export interface HttpSecurityOptions {
  /** Send Strict-Transport-Security: only when clients reach the service over HTTPS. */
  hsts: boolean;
  /** Exact origins (scheme://host[:port]) whose browser pages may call the API. */
  corsOrigins: readonly string[];
}

/** Headers the API reads from browsers (CORS preflight) and those they may read back. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'idempotency-key',
];
export const CORS_EXPOSED_HEADERS = ['etag', 'location', 'x-request-id', 'retry-after'];
// The methods the API's routes use (it has no PUT).
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/**
 * Security headers on every answer (routes, problem+json errors, 404s: helmet's hook runs on
 * request, before any of them), and CORS closed to all but the configured origins. Register
 * before any route: the docs routes get their own CSP as they are added.
 */
export async function registerHttpSecurity(
  fastify: FastifyInstance,
  options: HttpSecurityOptions,
): Promise<void> {
  fastify.addHook('onRoute', (route) => {
    if (route.url === DOCS_PATH || route.url.startsWith(`${DOCS_PATH}/`)) {
      route.config = { ...route.config, helmet: { contentSecurityPolicy: DOCS_CSP } };
    } else if (route.url === WEB_PATH || route.url.startsWith(`${WEB_PATH}/`)) {
      route.config = { ...route.config, helmet: { contentSecurityPolicy: WEB_CSP } };
    }
  });

  const helmetOptions: FastifyHelmetOptions = {
    contentSecurityPolicy: API_CSP,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Browsers ignore HSTS over plain HTTP, and a deployment reached over HTTP (development,
    // a private network) must not pin itself to HTTPS: only behind TLS. No includeSubDomains:
    // the service may share a domain with sites this setting must not decide for.
    strictTransportSecurity: options.hsts
      ? { maxAge: 31_536_000, includeSubDomains: false }
      : false,
  };
  await fastify.register(fastifyHelmet, helmetOptions);

  const allowed = new Set(options.corsOrigins);
  await fastify.register(fastifyCors, {
    // An origin not listed gets no CORS header at all (and its preflight a 404), rather than
    // the plugin's preflight headers without Allow-Origin.
    origin: (origin, callback) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Bearer tokens, never cookies: credentialed requests are not needed.
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  });
}
