import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FieldError } from '../common/errors/domain-error';
import { WEB_CSP_HEADER } from '../common/http/http-security';
import { Lang, pickLang } from '../i18n/labels';
import { WebI18n, webI18n } from './web-i18n';
import { WebSignedIn } from './web-sessions.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the web interface's preHandler on every /web route (see registerWeb). */
    web: WebState;
  }
}

/** What a /web route may declare in its `config` (read by registerWeb's preHandler). */
export interface WebRouteConfig {
  /** A page open without a session (sign-in). */
  webPublic?: boolean;
  /** A static asset: no session lookup at all. */
  webAsset?: boolean;
  /** Signing out: never refused by the write budget. */
  webSignOut?: boolean;
}

/** Who is asking, in which language, and the CSRF token their forms must carry. */
export interface WebState {
  lang: Lang;
  signedIn: WebSignedIn | null;
  /** The synchronizer token of this session (or of the pre-session cookie on the sign-in page). */
  csrfToken: string;
  /** The raw session cookie value, to end the session at sign-out. */
  sessionToken?: string;
}

/** Cookies of the web interface; path /web keeps them away from the API. */
export const SESSION_COOKIE = 'et_session';
/** A random value before sign-in, so that the sign-in form has a CSRF token too. */
export const PRE_SESSION_COOKIE = 'et_pre';
/** The name of the hidden CSRF field every form posts. */
export const CSRF_FIELD = '_csrf';

/** The CSRF token bound to a secret the browser holds in an HTTP-only cookie. */
export function csrfTokenFor(secret: string): string {
  return createHmac('sha256', secret).update('web-csrf').digest('base64url');
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  // Compared as bytes: a field as long as the token in characters may be longer in UTF-8
  // (timingSafeEqual throws on buffers of different lengths).
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where the asset files are served from; set once by registerWeb (the URL carries a content hash). */
export const assetUrls: Record<string, string> = {};

/** What every template receives besides its own data (see views/layout.eta). */
export interface PageContext extends WebI18n {
  title: string;
  user: WebSignedIn['user'] | null;
  /** May log cases and record steps (viewers read only): the menu offers only what works. */
  canWrite: boolean;
  csrfField: string;
  csrfToken: string;
  /** The current path, to mark the current navigation link. */
  path: string;
  assets: Record<string, string>;
  /** A one-line confirmation shown at the top of the page (after a redirect). */
  notice?: string;
}

export function pageContext(
  request: FastifyRequest,
  titleKey: string,
  titleParams = {},
): PageContext {
  const state = request.web;
  const i18n = webI18n(state.lang, state.signedIn?.user.timezone);
  return {
    ...i18n,
    title: i18n.t(titleKey, titleParams),
    user: state.signedIn?.user ?? null,
    canWrite: Boolean(state.signedIn && state.signedIn.actor.role !== 'viewer'),
    csrfField: CSRF_FIELD,
    csrfToken: state.csrfToken,
    path: request.url.split('?')[0],
    assets: assetUrls,
  };
}

/**
 * Renders a page of views/ with the layout. Pages are never cached (they show case data) and
 * carry the web CSP (also on error pages, which helmet's route configuration does not reach).
 */
export async function render(
  reply: FastifyReply,
  view: string,
  data: PageContext & Record<string, unknown>,
  status = 200,
): Promise<FastifyReply> {
  const html = await reply.viewAsync(view, data);
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', WEB_CSP_HEADER)
    .send(html);
}

/** 303 See Other: the answer to a successful form post (the browser then GETs the page). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').redirect(location, 303);
}

/** The signed-in user of a page that requires one (the preHandler guarantees it). */
export function signedIn(request: FastifyRequest): WebSignedIn {
  const who = request.web.signedIn;
  if (!who) throw new Error('signedIn() on a public web route');
  return who;
}

/** Field errors by field name, translated: a message key chosen from what was wrong. */
export function fieldErrors(
  i18n: WebI18n,
  errors: FieldError[],
  values: Record<string, string | undefined>,
  fieldOf: (apiField: string) => string = (f) => f,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) {
    const field = fieldOf(error.field);
    if (out[field]) continue;
    const value = values[field];
    const key = !value
      ? 'ui.error.required'
      : /longer|shorter|too long|at most/i.test(error.message)
        ? 'ui.error.tooLong'
        : 'ui.error.invalid';
    out[field] = i18n.t(key);
  }
  return out;
}

/**
 * The form field of a DTO path inside a list (`items.2.url`, `indicators.0.kind`): `rows` names,
 * per list, the form field of each property of a row (`{ items: { url: 'itemUrl' } }` gives
 * `itemUrl2`). Forms render rows in the order of the DTO's list, so the index carries over; a
 * path with no row (`items`, the list itself) is the first row's field. Other paths: undefined.
 */
export function rowField(
  apiField: string,
  rows: Record<string, Record<string, string>>,
): string | undefined {
  const [list, index, property] = apiField.split('.');
  const fields = Object.hasOwn(rows, list) ? rows[list] : undefined;
  if (!fields) return undefined;
  const names = Object.values(fields);
  const name = property && Object.hasOwn(fields, property) ? fields[property] : names[0];
  return /^\d+$/.test(index ?? '') ? `${name}${index}` : `${names[0]}0`;
}

/** A repeated form field (checkboxes, a multiple select) as its strings; absent is []. */
export function formStrings(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string');
}

/** A form field as a string (forms post strings; anything else counts as absent). */
export function formString(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The friendly page for a refusal or failure, in the reader's language; never a stack trace.
 * 403, 404, 410, 413 and 429 have their own texts (`messageKey` replaces the text), 5xx one for all,
 * other 4xx (an unreadable form) one too.
 */
export function errorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  messageKey?: string,
): Promise<FastifyReply> {
  const shown = [403, 404, 410, 413, 429].includes(status) ? status : status >= 500 ? 500 : 400;
  // Errors before the preHandler (an unreadable body) have no web state yet.
  request.web ??= {
    lang: pickLang(undefined, undefined, request.headers['accept-language']),
    signedIn: null,
    csrfToken: '',
  };
  return render(
    reply,
    'error',
    {
      ...pageContext(request, `ui.error.title.${shown}`),
      message: messageKey ?? `ui.error.text.${shown}`,
    },
    status >= 500 ? 500 : status,
  );
}

export interface CookieOptions {
  path: string;
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
}

/** The cookies of a request (the few ours: names and values are base64url, nothing to decode). */
export function readCookies(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

/** Adds a Set-Cookie (an empty value with Max-Age=0 deletes it). */
export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  options: CookieOptions,
): void {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
    ...(value === '' ? ['Max-Age=0'] : []),
  ];
  const previous = reply.getHeader('set-cookie');
  const list =
    previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  void reply.header('set-cookie', [...list, parts.join('; ')]);
}
