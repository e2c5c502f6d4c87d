import { Redis } from 'ioredis';

export interface RedisOptions {
  readonly url: URL;
  readonly connectTimeoutMs: number;
}

/**
 * The Redis client. Redis holds only ephemeral data here (idempotency replies, rate limits,
 * caches), so commands fail fast while it is down instead of queueing without bound: callers
 * decide whether a missing cache entry matters.
 */
export function createRedis(options: RedisOptions): Redis {
  return new Redis(options.url.toString(), {
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
  });
}
