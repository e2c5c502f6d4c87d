import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LoginLimitOptions {
  /** Failed sign-ins one account may have in a window before it is refused for the rest of it. */
  readonly accountFailuresMax: number;
  /** Sign-in attempts (right or wrong) one client address may make in a window. */
  readonly addressAttemptsMax: number;
  readonly windowSeconds: number;
}

/** Too many attempts: answered 429 with Retry-After. */
export class LoginRateLimited extends Error {
  constructor(
    readonly scope: 'account' | 'address',
    readonly retryAfterSeconds: number,
  ) {
    super(scope === 'account' ? 'too many failed sign-ins for this account' : 'too many sign-in attempts from this address');
    this.name = 'LoginRateLimited';
  }
}

/** Redis could not count: sign-ins are refused (503) rather than let through unlimited. */
export class LoginLimitsUnavailable extends Error {
  constructor(cause: unknown) {
    super('the sign-in rate limits cannot be checked', { cause });
    this.name = 'LoginLimitsUnavailable';
  }
}

const KEY_PREFIX = 'auth:login';

/** Keys never hold the account name or address itself, only a digest of it. */
function keyOf(scope: 'account' | 'address', value: string): string {
  return `${KEY_PREFIX}:${scope}:${createHash('sha256').update(value).digest('base64url')}`;
}

/**
 * Sign-in rate limits in Redis, in fixed windows that start at the first attempt (the counter's
 * TTL is set only when it is created, so hammering does not extend it). An address is charged for
 * every attempt, an account only for failures, and a success clears its account's failures. Redis
 * holds nothing else here: losing it forgets the counts, never a credential.
 */
export class LoginLimits {
  constructor(
    private readonly redis: Redis,
    private readonly options: LoginLimitOptions,
  ) {}

  /** Counts this attempt for the address; throws LoginRateLimited when either limit is spent. */
  async admit(account: string, address: string): Promise<void> {
    const addressKey = keyOf('address', address);
    const accountKey = keyOf('account', account);
    const replies = await this.redis
      .multi()
      .incr(addressKey)
      .expire(addressKey, this.options.windowSeconds, 'NX')
      .ttl(addressKey)
      .get(accountKey)
      .ttl(accountKey)
      .exec()
      .catch((error: unknown) => {
        throw new LoginLimitsUnavailable(error);
      });
    if (replies === null) throw new Error('the sign-in rate limit transaction was discarded');
    for (const [error] of replies) if (error !== null) throw error;
    const [addressAttempts, , addressTtl, accountFailures, accountTtl] = replies.map(([, value]) => value) as [number, number, number, string | null, number];
    if (addressAttempts > this.options.addressAttemptsMax) throw new LoginRateLimited('address', retryAfter(addressTtl, this.options.windowSeconds));
    if (Number(accountFailures ?? 0) >= this.options.accountFailuresMax) throw new LoginRateLimited('account', retryAfter(accountTtl, this.options.windowSeconds));
  }

  async recordFailure(account: string): Promise<void> {
    const key = keyOf('account', account);
    await this.redis
      .multi()
      .incr(key)
      .expire(key, this.options.windowSeconds, 'NX')
      .exec()
      .catch((error: unknown) => {
        throw new LoginLimitsUnavailable(error);
      });
  }

  async recordSuccess(account: string): Promise<void> {
    await this.redis.del(keyOf('account', account));
  }
}

/** Seconds until a window ends (a key without TTL, -1, or gone, -2, waits a whole window). */
function retryAfter(ttl: number, windowSeconds: number): number {
  return ttl > 0 ? ttl : windowSeconds;
}
