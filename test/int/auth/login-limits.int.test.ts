import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LoginLimits, LoginLimitsUnavailable, LoginRateLimited } from '../../../gateway/auth/login-limits';
import { stackEnv } from '../../support/stack-env';

/** Sign-in rate limits on the real Redis: what is counted, when it refuses, and when Redis is away. */
describe('LoginLimits', () => {
  const redis = new Redis(stackEnv().redisUrl.toString());
  afterAll(() => redis.quit());
  const limits = new LoginLimits(redis, { accountFailuresMax: 2, addressAttemptsMax: 3, windowSeconds: 60 });

  it('refuses an account after its failures, whatever the address, until a success clears them', async () => {
    const account = `user:${randomUUID()}`;
    await limits.admit(account, randomUUID());
    await limits.recordFailure(account);
    await limits.admit(account, randomUUID());
    await limits.recordFailure(account);
    const refusal = await limits.admit(account, randomUUID()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(LoginRateLimited);
    expect(refusal).toMatchObject({ scope: 'account' });
    expect((refusal as LoginRateLimited).retryAfterSeconds).toBeGreaterThan(0);
    expect((refusal as LoginRateLimited).retryAfterSeconds).toBeLessThanOrEqual(60);
    await limits.recordSuccess(account);
    await expect(limits.admit(account, randomUUID())).resolves.toBeUndefined();
  });

  it('counts every attempt of an address, and keeps no address in clear', async () => {
    const address = randomUUID();
    for (let attempt = 0; attempt < 3; attempt += 1) await limits.admit(`user:${randomUUID()}`, address);
    await expect(limits.admit(`user:${randomUUID()}`, address)).rejects.toMatchObject({ scope: 'address' });
    const keys = await redis.keys('auth:login:address:*');
    expect(keys.some((key) => key.includes(address))).toBe(false);
  });

  it('refuses rather than lets a sign-in through unlimited when Redis cannot count', async () => {
    const unreachable = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const blind = new LoginLimits(unreachable, { accountFailuresMax: 2, addressAttemptsMax: 3, windowSeconds: 60 });
    await expect(blind.admit('user:x', 'address')).rejects.toBeInstanceOf(LoginLimitsUnavailable);
    await expect(blind.recordFailure('user:x')).rejects.toBeInstanceOf(LoginLimitsUnavailable);
    unreachable.disconnect();
  });
});
