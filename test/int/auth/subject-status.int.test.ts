import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LOCAL_REUSE_MS, SubjectStatusCheck, type SubjectStatusSource } from '../../../gateway/auth/subject-status';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The disabled-subject check against the real Redis: how often it asks the identity views, and
 * that a change there is seen once the caches have lapsed. The source stands in for the views
 * (the end-to-end tests read the real ones) so that each lookup can be counted.
 */
class CountingSource implements SubjectStatusSource {
  lookups = 0;
  status: 'active' | 'disabled' | 'unknown' = 'active';
  async subjectStatus(): Promise<'active' | 'disabled' | 'unknown'> {
    this.lookups += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return this.status;
  }
}

describe('SubjectStatusCheck', () => {
  const redis = new Redis(stackEnv().redisUrl.toString());
  afterAll(() => redis.quit());

  it('shares one lookup between concurrent requests and reuses it in-process for a second', async () => {
    const source = new CountingSource();
    const clock = { now: 1_000_000 };
    const check = new SubjectStatusCheck(redis, source, 30, silentLogger, () => clock.now);
    const subject = randomUUID();
    expect(await Promise.all(Array.from({ length: 20 }, () => check.isDisabled(subject)))).toEqual(Array(20).fill(false));
    expect(source.lookups).toBe(1);
    clock.now += LOCAL_REUSE_MS - 1;
    expect(await check.isDisabled(subject)).toBe(false);
    expect(source.lookups).toBe(1);
  });

  it('sees a disabled subject once the Redis entry has expired, and another process shares the Redis answer', async () => {
    const source = new CountingSource();
    const clock = { now: 2_000_000 };
    const check = new SubjectStatusCheck(redis, source, 1, silentLogger, () => clock.now);
    const subject = randomUUID();
    expect(await check.isDisabled(subject)).toBe(false);
    source.status = 'disabled';
    // Past the in-process reuse but within the Redis TTL: still the cached answer.
    clock.now += LOCAL_REUSE_MS;
    expect(await check.isDisabled(subject)).toBe(false);
    const otherProcess = new SubjectStatusCheck(redis, source, 1, silentLogger, () => clock.now);
    expect(await otherProcess.isDisabled(subject)).toBe(false);
    expect(source.lookups).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    clock.now += LOCAL_REUSE_MS;
    expect(await check.isDisabled(subject)).toBe(true);
    expect(source.lookups).toBe(2);
  });

  it('asks the source directly while Redis is unreachable, and does not remember a failed lookup', async () => {
    const unreachable = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const source = new CountingSource();
    source.status = 'disabled';
    const check = new SubjectStatusCheck(unreachable, source, 30, silentLogger);
    expect(await check.isDisabled(randomUUID())).toBe(true);

    let calls = 0;
    const failingOnce: SubjectStatusSource = { subjectStatus: () => (++calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve('disabled')) };
    const clock = { now: 3_000_000 };
    const strict = new SubjectStatusCheck(unreachable, failingOnce, 30, silentLogger, () => clock.now);
    const subject = randomUUID();
    await expect(strict.isDisabled(subject)).rejects.toThrow('database down');
    // Within the reuse time, yet asked again: a failure is never the remembered answer.
    expect(await strict.isDisabled(subject)).toBe(true);
    unreachable.disconnect();
  });
});
