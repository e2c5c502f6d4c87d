import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';

/** Where a subject's status comes from when it is not cached: the identity views. */
export interface SubjectStatusSource {
  subjectStatus(subject: string): Promise<'active' | 'disabled' | 'unknown'>;
}

const KEY_PREFIX = 'auth:subject-status';
/**
 * How long this process reuses an answer before asking Redis again. A client sends many requests
 * a second with one token; without this each paid a Redis round trip (a quarter of the gateway's
 * throughput in the pipeline benchmark). It adds at most this much to the bound.
 */
export const LOCAL_REUSE_MS = 1_000;
/** Subjects remembered in-process at most; the oldest leaves first. */
const LOCAL_ENTRIES_MAX = 10_000;

/**
 * The revocation check behind every authenticated request: is the token's subject (a user or a
 * client) disabled now? A signed token stays valid until it expires, so without this a disabled
 * user could act for a whole token lifetime. The answer is cached in Redis for `cacheSeconds`
 * and reused in-process for LOCAL_REUSE_MS, which together bound how long a disabled subject's
 * token still works (plus the time DisableUser takes to be applied). Concurrent requests of one
 * subject share one lookup. Redis unreachable, the source is asked directly: slower, never less
 * strict.
 */
export class SubjectStatusCheck {
  private readonly recent = new Map<string, { disabled: Promise<boolean>; untilMs: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly source: SubjectStatusSource,
    private readonly cacheSeconds: number,
    private readonly logger: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  isDisabled(subject: string): Promise<boolean> {
    const now = this.nowMs();
    const remembered = this.recent.get(subject);
    if (remembered !== undefined && now < remembered.untilMs) return remembered.disabled;
    this.recent.delete(subject);
    if (this.recent.size >= LOCAL_ENTRIES_MAX) this.recent.delete(this.recent.keys().next().value!);
    const disabled = this.lookUp(subject);
    this.recent.set(subject, { disabled, untilMs: now + LOCAL_REUSE_MS });
    // A failed lookup is not remembered: the next request asks again.
    disabled.catch(() => {
      if (this.recent.get(subject)?.disabled === disabled) this.recent.delete(subject);
    });
    return disabled;
  }

  private async lookUp(subject: string): Promise<boolean> {
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
