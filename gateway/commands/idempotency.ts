import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { ProblemError } from '../middleware/problem';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
const REPLY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a first request may hold its key before a retry may take it over. */
const IN_PROGRESS_TTL_MS = 60 * 1000;
/** Headers of the first reply that a replay repeats. */
const REPLAYED_HEADERS = ['location', 'preference-applied'];

interface StoredReply {
  readonly fingerprint: string;
  readonly state: 'in-progress' | 'done';
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Idempotency-Key for command requests: the same key with the same body within 24 hours gets the
 * first reply again and produces nothing; the same key with another body is a 422. Keys are
 * scoped to the caller and the route. The replies live in Redis with a TTL: a cache of answers,
 * never the record of a command (that is the gateway's status table and the processors' inbox).
 * When Redis cannot be asked, a request that carries a key is refused with 503 rather than risk a
 * second command.
 */
export class IdempotencyStore {
  constructor(private readonly redis: Redis) {}

  async run(ctx: Context, subject: string, body: unknown, handle: () => Promise<void>): Promise<void> {
    const key = ctx.get(IDEMPOTENCY_KEY_HEADER);
    if (key === '') return handle();
    if (!KEY_PATTERN.test(key)) {
      throw new ProblemError(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'An Idempotency-Key has 1 to 255 visible ASCII characters.');
    }
    const storeKey = `idempotency:${sha256(`${subject}\n${ctx.method}\n${ctx.path}\n${key}`)}`;
    const fingerprint = sha256(JSON.stringify(body));
    const claimed = await this.ask(() => this.redis.set(storeKey, JSON.stringify({ fingerprint, state: 'in-progress' }), 'PX', IN_PROGRESS_TTL_MS, 'NX'));
    if (claimed === null) {
      const stored = JSON.parse((await this.ask(() => this.redis.get(storeKey))) ?? 'null') as StoredReply | null;
      if (stored === null) throw new ProblemError(409, 'idempotency-key-in-use', 'Request in progress', 'Retry: the first request with this key just finished.');
      if (stored.fingerprint !== fingerprint) {
        throw new ProblemError(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This key was used with a different request body.');
      }
      if (stored.state === 'in-progress') {
        throw new ProblemError(409, 'idempotency-key-in-use', 'Request in progress', 'A request with this key is still being handled.', {}, { 'Retry-After': '1' });
      }
      ctx.status = stored.status!;
      for (const [name, value] of Object.entries(stored.headers ?? {})) ctx.set(name, value);
      ctx.set('Idempotent-Replayed', 'true');
      ctx.body = stored.body;
      return;
    }
    try {
      await handle();
    } catch (error) {
      // Nothing was produced, or the failure is known to the status table: let a retry try again.
      await this.redis.del(storeKey).catch(() => undefined);
      throw error;
    }
    const headers = Object.fromEntries(REPLAYED_HEADERS.filter((name) => ctx.response.get(name) !== '').map((name) => [name, ctx.response.get(name)]));
    const reply: StoredReply = { fingerprint, state: 'done', status: ctx.status, headers, body: ctx.body };
    await this.ask(() => this.redis.set(storeKey, JSON.stringify(reply), 'PX', REPLY_TTL_MS));
  }

  private async ask<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch {
      throw new ProblemError(503, 'idempotency-unavailable', 'Idempotency store unavailable', 'Requests with an Idempotency-Key cannot be handled safely right now; retry later.', {}, {
        'Retry-After': '5',
      });
    }
  }
}
