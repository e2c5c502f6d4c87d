/**
 * What the availability and reservations benchmarks share: a database of their own (created,
 * migrated, dropped also when the run fails), logins of the contexts on it, latency figures, and
 * progress lines for the steps that take long.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import { knexConfig } from '../knexfile';
import type { BenchSetup } from './bench-services';

/** The value at `fraction` (0.5 for the median) of ascending `sorted`; NaN when there is none. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** Closed loop: `concurrency` workers send back to back for `seconds`; counts 202 answers and the rest. */
export async function closedLoop(send: () => Promise<Response>, concurrency: number, seconds: number): Promise<{ accepted: number; failed: number }> {
  const deadline = Date.now() + seconds * 1000;
  let accepted = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const response = await send();
        await response.arrayBuffer();
        if (response.status === 202) accepted += 1;
        else failed += 1;
      }
    }),
  );
  return { accepted, failed };
}

export interface LatencySummary {
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const rounded = (ms: number): number => Math.round(ms * 100) / 100;

/** p50, p99 and max of latencies in milliseconds, to a hundredth of a millisecond. */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { calls: sorted.length, p50Ms: rounded(percentile(sorted, 0.5)), p99Ms: rounded(percentile(sorted, 0.99)), maxMs: rounded(sorted.at(-1) ?? Number.NaN) };
}

/** A whole number from the environment variable `name`, or `fallback` when it is unset; anything else stops the run. */
export function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  return value;
}

/** How many times `numerator` is `denominator`, to three decimals. */
export function ratio(numerator: number, denominator: number): number {
  return Number((numerator / denominator).toFixed(3));
}

/** PostgreSQL's md5(text)::uuid in JavaScript: the ids a bulk load derives from a text, known here too. */
export function md5Uuid(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A unique suffix for the run's database, topics and consumer groups (letters, digits, underscore). */
export function runSuffix(): string {
  return `${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
}

/** Prints `label` when it starts and its duration when it ends, with a line every 15 s meanwhile. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  console.error(`… ${label}`);
  const ticker = setInterval(() => console.error(`  ${label}: ${seconds()} s so far`), 15_000);
  try {
    const result = await work();
    console.error(`✓ ${label} (${seconds()} s)`);
    return result;
  } finally {
    clearInterval(ticker);
  }
}

/**
 * The services of bench/bench-services.ts, each in a process of its own; `start` resolves with the
 * URL (or name) a service prints once it serves, and rejects when the process exits before.
 */
export class BenchServices {
  private readonly processes = new Map<string, ChildProcess>();
  private readonly stats = new Map<string, number>();

  /** `profileDir`: where each service writes a V8 CPU profile (<role>.cpuprofile) when it stops. */
  constructor(
    private readonly setup: BenchSetup,
    private readonly profileDir?: string,
  ) {}

  start(role: string): Promise<string> {
    const profile = this.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(this.profileDir)}`, `--cpu-prof-name=${role}.cpuprofile`];
    return new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(__dirname, 'bench-services.ts'), role], {
        env: { ...process.env, BENCH_SETUP: JSON.stringify(this.setup) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      this.processes.set(role, child);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('READY ')) resolve(line.slice(6));
        const stat = /^STAT (\S+) (-?\d+)$/.exec(line);
        if (stat !== null) this.stats.set(`${role}.${stat[1]}`, Number(stat[2]));
      });
      child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    });
  }

  /** The last value a service printed for a figure it counts (`STAT <name> <value>`); NaN before any. */
  stat(role: string, name: string): number {
    return this.stats.get(`${role}.${name}`) ?? Number.NaN;
  }

  /** Every figure a service printed whose name starts with `prefix`, by the rest of its name. */
  statsOf(role: string, prefix: string): Record<string, number> {
    const start = `${role}.${prefix}`;
    return Object.fromEntries([...this.stats].filter(([name]) => name.startsWith(start)).map(([name, value]) => [name.slice(start.length), value]));
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) a service, so that another one has the cores to itself. */
  pause(role: string): void {
    this.process(role).kill('SIGSTOP');
  }

  resume(role: string): void {
    this.process(role).kill('SIGCONT');
  }

  /** Ends every service (a paused one is resumed first, or it would not see SIGTERM) and waits for them. */
  async stop(): Promise<void> {
    const running = [...this.processes.values()].filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(
      running.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        return exited;
      }),
    );
  }

  private process(role: string): ChildProcess {
    const child = this.processes.get(role);
    if (child === undefined) throw new Error(`no ${role} service was started`);
    return child;
  }
}

/**
 * A database for one benchmark run on the stack's PostgreSQL, migrated to the latest schema. The
 * superuser connection (`admin`) loads data; `loginUrl` gives a context's or the gateway's login.
 */
export class BenchDatabase {
  readonly name: string;
  readonly adminUrl: URL;
  private migrator: Knex | undefined;

  /** `name`: fleet_bench_ and a suffix (runSuffix()); nothing else is accepted. */
  constructor(
    private readonly serverAdminUrl: URL,
    name: string,
  ) {
    if (!/^fleet_bench_[a-z0-9_]{1,40}$/.test(name)) throw new Error(`'${name}' is not a benchmark database's name (fleet_bench_<letters, digits, _>)`);
    this.name = name;
    this.adminUrl = new URL(serverAdminUrl);
    this.adminUrl.pathname = `/${this.name}`;
  }

  /** Creates and migrates the database; returns a superuser connection to it. Ctrl-C drops it too. */
  async create(): Promise<Knex> {
    await this.onServer((server) => server.query(`CREATE DATABASE ${this.name}`));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`${signal}: dropping ${this.name}`);
        void this.drop().finally(() => process.exit(130));
      });
    }
    this.migrator = knex(knexConfig({ DATABASE_ADMIN_URL: this.adminUrl.toString() }));
    await this.migrator.migrate.latest();
    return this.migrator;
  }

  /** The database's URL with a login of the stack (its password from DB_PASSWORD_<ROLE>). */
  loginUrl(role: string): URL {
    const password = process.env[`DB_PASSWORD_${role.toUpperCase()}`];
    if (!password) throw new Error(`DB_PASSWORD_${role.toUpperCase()} is not set: run the benchmark with 'npm run bench'`);
    const url = new URL(this.adminUrl);
    url.username = role;
    url.password = password;
    return url;
  }

  /** Closes the superuser connection and leaves the database in place. */
  async disconnect(): Promise<void> {
    await this.migrator?.destroy();
    this.migrator = undefined;
  }

  /** Drops the database, whoever is still connected to it. */
  async drop(): Promise<void> {
    await this.disconnect();
    await this.onServer((server) => server.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }

  private async onServer(work: (server: pg.Client) => Promise<unknown>): Promise<void> {
    const server = new pg.Client({ connectionString: this.serverAdminUrl.toString() });
    await server.connect();
    try {
      await work(server);
    } finally {
      await server.end();
    }
  }
}
