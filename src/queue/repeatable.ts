import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';

/** Settles with `work`, or rejects after `ms`: Redis may be away and we do not wait for it. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis did not answer in time')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** How often a registered scheduler is checked for (Redis may have lost it). */
const RECHECK_MS = 60_000;

/**
 * Registers repeatable jobs (one BullMQ job scheduler each, id = job name, so every worker may
 * register the same ones). Never holds up start-up: while Redis is unreachable it retries in the
 * background with a growing pause. Afterwards it checks every minute that the schedulers are
 * still there and puts back any that a Redis restart or flush lost: a sweep that rebuilds lost
 * jobs must not be lost itself. Returns a function that stops it (shutdown).
 */
export function registerRepeatable(
  queue: Queue,
  jobs: { name: string; everyMs: number }[],
  logger: Logger,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const upsert = (job: { name: string; everyMs: number }) =>
    queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, data: {} });
  const attempt = async (backoffMs: number, check: boolean): Promise<void> => {
    let next = RECHECK_MS;
    let nextBackoff = 1000;
    try {
      await withTimeout(
        Promise.all(
          jobs.map(async (job) => {
            if (!check || !(await queue.getJobScheduler(job.name))) await upsert(job);
          }),
        ),
        5000,
      );
    } catch (error) {
      if (stopped) return;
      logger.warn(
        `could not register ${jobs.map((j) => j.name).join(', ')} (${(error as Error).message}); retrying`,
      );
      next = backoffMs;
      nextBackoff = Math.min(backoffMs * 2, 60_000);
    }
    if (!stopped) timer = setTimeout(() => void attempt(nextBackoff, true), next);
  };
  void attempt(1000, false);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
