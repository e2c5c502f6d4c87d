import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';

/** One dependency a service needs to do its work. `check` throws when it is unusable. */
export interface Probe {
  readonly name: string;
  readonly check: (signal: AbortSignal) => Promise<void>;
}

export interface DependencyStatus {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly dependencies: Record<string, DependencyStatus>;
}

const ERROR_MESSAGE_LENGTH_MAX = 200;

function withTimeout(probe: Probe, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  return Promise.race([
    probe.check(signal),
    new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true });
    }),
  ]);
}

/** Checks every probe in parallel, each bounded by `timeoutMs`. */
export async function checkReadiness(probes: readonly Probe[], timeoutMs: number): Promise<Readiness> {
  const results = await Promise.all(
    probes.map(async (probe): Promise<[string, DependencyStatus]> => {
      const started = performance.now();
      try {
        await withTimeout(probe, timeoutMs);
        return [probe.name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [
          probe.name,
          { status: 'down', latencyMs: Math.round(performance.now() - started), error: message.slice(0, ERROR_MESSAGE_LENGTH_MAX) },
        ];
      }
    }),
  );
  return { ready: results.every(([, result]) => result.status === 'up'), dependencies: Object.fromEntries(results) };
}

export function postgresProbe(database: Knex): Probe {
  return { name: 'postgres', check: async () => void (await database.raw('SELECT 1')) };
}

export function redisProbe(redis: Redis): Probe {
  return {
    name: 'redis',
    check: async () => {
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(answer)}`);
    },
  };
}

/** The admin client must be connected; listing topics needs a live broker. */
export function kafkaProbe(admin: KafkaJS.Admin, timeoutMs: number): Probe {
  return { name: 'kafka', check: async () => void (await admin.listTopics({ timeout: timeoutMs })) };
}

/** Asks the registry for its global compatibility level: cheap, and proves the API answers. */
export function schemaRegistryProbe(registryUrl: URL): Probe {
  return {
    name: 'schemaRegistry',
    check: async (signal) => {
      const response = await fetch(new URL('config', `${registryUrl.toString().replace(/\/+$/, '')}/`), { signal });
      if (!response.ok) throw new Error(`registry answered HTTP ${response.status}`);
      await response.body?.cancel();
    },
  };
}
