/** How webhook and e-mail jobs are retried and kept. */
export interface NotificationRetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  /** Exponential backoff: the n-th retry waits backoffMs * 2^(n-1). */
  backoffMs: number;
  /** How long a done job is kept, during which the same key is not delivered again. */
  keepCompletedSeconds: number;
}

/** Injection token: the policy is a constructor seam, so tests can retry in milliseconds. */
export const NOTIFICATION_RETRY = Symbol('NOTIFICATION_RETRY');

/**
 * 11 tries: retries after 1.5, 3, 6, 12, 24, 48 minutes, then 1.6, 3.2, 6.4 and 12.8 hours,
 * the last about 25.6 hours after the first. Done jobs are kept a week.
 */
export const DEFAULT_NOTIFICATION_RETRY: NotificationRetryPolicy = {
  attempts: 11,
  backoffMs: 90_000,
  keepCompletedSeconds: 7 * 24 * 3600,
};

/** The time from the first try to the last, in ms (for the README and its test). */
export function retrySpanMs(policy: NotificationRetryPolicy): number {
  return policy.backoffMs * (2 ** (policy.attempts - 1) - 1);
}
