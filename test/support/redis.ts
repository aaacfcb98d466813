import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';
import { TEST_REDIS_URL } from './env';

/** Deletes every key under a prefix (a test file's or a bench's queues and counters). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis({
    ...redisOptionsFromUrl(TEST_REDIS_URL),
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // failures surface through the commands
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
