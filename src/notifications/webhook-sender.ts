import { lookup, LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { signatureHeader } from './webhook-signature';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookRequest {
  url: string;
  secret: string;
  /** The JSON body, exactly as signed and sent. */
  body: string;
  eventType: string;
  key: string;
  /** The signature's timestamp. */
  now: Date;
  timeoutMs?: number;
}

export interface WebhookAttempt {
  /** The receiver's HTTP status; null when none came. */
  status: number | null;
  /**
   * Why no usable answer came, in words the organisation may read: the status, or that none
   * came, or that the destination was refused. Never a network error code (refused, reset,
   * unknown name...): telling those apart would let an org_admin map hosts and ports.
   */
  error: string | null;
  /** For the service's own log only: the system error code, when there was one. */
  cause: string | null;
  durationMs: number;
}

/** Which resolved addresses a delivery may connect to (production: no internal network). */
export type AddressCheck = (address: string) => boolean;

export const NO_ANSWER = 'no answer';
export const DESTINATION_REFUSED = 'destination not allowed';

/** A name resolved to an address the check refuses: nothing is sent. */
class DestinationRefused extends Error {
  readonly code = 'EDESTINATION';
}

/**
 * One signed POST to the address the check accepted: the name is resolved once, every address
 * it gives is checked, and the connection goes to a checked one (no second resolution a DNS
 * answer could change in between). Redirects are not followed (a receiver moving must be
 * re-registered, and a redirect must not carry the delivery elsewhere); the response body is
 * never read.
 */
export async function postWebhook(
  request: WebhookRequest,
  allowed: AddressCheck = () => true,
): Promise<WebhookAttempt> {
  const timeoutMs = request.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(request.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !allowed(host)) {
    return { status: null, error: DESTINATION_REFUSED, cause: null, durationMs: elapsed() };
  }
  try {
    const status = await send(url, request, timeoutMs, allowed);
    const error =
      status >= 300 && status < 400
        ? 'redirect not followed'
        : status >= 200 && status < 300
          ? null
          : `answered ${status}`;
    return { status, error, cause: null, durationMs: elapsed() };
  } catch (error) {
    const refused = error instanceof DestinationRefused;
    return {
      status: null,
      error: refused ? DESTINATION_REFUSED : NO_ANSWER,
      cause: refused ? null : errorCode(error),
      durationMs: elapsed(),
    };
  }
}

function send(
  url: URL,
  request: WebhookRequest,
  timeoutMs: number,
  allowed: AddressCheck,
): Promise<number> {
  const body = Buffer.from(request.body);
  return new Promise<number>((resolve, reject) => {
    const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'escalation-tracker-webhooks',
          'x-escalation-event': request.eventType,
          'x-escalation-delivery': request.key,
          'x-escalation-signature': signatureHeader(
            request.secret,
            request.body,
            Math.floor(request.now.getTime() / 1000),
          ),
        },
        lookup: checkedLookup(allowed),
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (response) => {
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** dns.lookup, refusing the whole name when any address it resolves to is not allowed. */
function checkedLookup(allowed: AddressCheck): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      if (addresses.length === 0 || addresses.some((a) => !allowed(a.address))) {
        return callback(new DestinationRefused('destination not allowed'), '', 0);
      }
      if (options.all) return (callback as AllCallback)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

type AllCallback = (error: Error | null, addresses: LookupAddress[]) => void;

/** The system error code only (ECONNREFUSED...), never a message: messages quote addresses. */
function errorCode(error: unknown): string | null {
  const e = error as { name?: string; code?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'TIMEOUT';
  return typeof e?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : null;
}
