/**
 * A deadlines worker that takes one case-due job, says so on stdout and then hangs: the test
 * kills its process (SIGKILL) to leave the job mid-run, as a crash would.
 * Arguments: redis URL, queue prefix, lock duration in ms.
 */
import { Worker } from 'bullmq';
import { JobName, QueueName } from '../../src/queue/queues';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';

const [url, prefix, lockDuration] = process.argv.slice(2);
new Worker(
  QueueName.Deadlines,
  async (job) => {
    if (job.name !== JobName.CaseDue) return;
    process.stdout.write(`taken ${job.id}\n`);
    await new Promise(() => undefined);
  },
  {
    connection: { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null },
    prefix,
    lockDuration: Number(lockDuration),
    // Finding stalled jobs is the surviving worker's part.
    skipStalledCheck: true,
  },
);
