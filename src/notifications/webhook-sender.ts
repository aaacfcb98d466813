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
  /** A few words on why no usable answer came; never the response body. */
  error: string | null;
  durationMs: number;
}

/**
 * One signed POST. Redirects are not followed (a receiver moving must be re-registered, and a
 * redirect must not carry the delivery elsewhere); the response body is never read.
 */
export async function postWebhook(request: WebhookRequest): Promise<WebhookAttempt> {
  const timeoutMs = request.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'escalation-tracker-webhooks',
        'x-escalation-event': request.eventType,
        'x-escalation-delivery': request.key,
        'x-escalation-signature': signatureHeader(
          request.secret,
          request.body,
          Math.floor(request.now.getTime() / 1000),
        ),
      },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    const error =
      status >= 300 && status < 400
        ? 'redirect not followed'
        : status >= 200 && status < 300
          ? null
          : `answered ${status}`;
    return { status, error, durationMs: elapsed() };
  } catch (error) {
    return { status: null, error: describeFetchError(error, timeoutMs), durationMs: elapsed() };
  }
}

/** Error name and system code only: messages may quote addresses or URLs. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: unknown; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const code = e?.cause?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return `network error ${code}`;
  return 'network error';
}
