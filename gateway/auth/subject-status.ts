import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';

/** Where a subject's status comes from when it is not cached: the identity views. */
export interface SubjectStatusSource {
  subjectStatus(subject: string): Promise<'active' | 'disabled' | 'unknown'>;
}

const KEY_PREFIX = 'auth:subject-status';

/**
 * The revocation check behind every authenticated request: is the token's subject (a user or a
 * client) disabled now? A signed token stays valid until it expires, so without this a disabled
 * user could act for a whole token lifetime. The answer is cached in Redis for `cacheSeconds`,
 * which bounds how long a disabled subject's token still works (plus the time DisableUser takes
 * to be applied). Redis unreachable, the source is asked directly: slower, never less strict.
 */
export class SubjectStatusCheck {
  constructor(
    private readonly redis: Redis,
    private readonly source: SubjectStatusSource,
    private readonly cacheSeconds: number,
    private readonly logger: Logger,
  ) {}

  async isDisabled(subject: string): Promise<boolean> {
    const key = `${KEY_PREFIX}:${createHash('sha256').update(subject).digest('base64url')}`;
    const cached = await this.redis.get(key).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'subject status cache unreachable; asking the database');
      return null;
    });
    if (cached !== null) return cached === 'disabled';
    const status = await this.source.subjectStatus(subject);
    await this.redis.set(key, status, 'EX', this.cacheSeconds).catch(() => undefined);
    return status === 'disabled';
  }
}
