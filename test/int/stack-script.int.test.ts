import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/ports';

/**
 * `npm run stack -- up|down` on a second, private stack (its own directory and ports), so that the
 * stack the other suites use keeps running while this one is started twice and taken down.
 */
const run = promisify(execFile);
const STACK_SCRIPT = path.join(__dirname, '../../infra/stack.sh');
const COMPONENTS = ['postgres', 'redis', 'kafka', 'registry'] as const;

/** Pids of live processes whose command line mentions `marker` (the stack directory). */
function processesMentioning(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function pidFiles(stackDir: string): Record<string, number> {
  return Object.fromEntries(COMPONENTS.map((name) => [name, Number(readFileSync(path.join(stackDir, name, 'pid'), 'utf8'))]));
}

describe('the stack script', () => {
  const stackDir = mkdtempSync(path.join(tmpdir(), 'fleet-stack-test-'));
  let environment: NodeJS.ProcessEnv;
  let blocker: Server | undefined;

  beforeAll(async () => {
    environment = {
      ...process.env,
      STACK_DIR: stackDir,
      STACK_POSTGRES_PORT: String(await freePort()),
      STACK_REDIS_PORT: String(await freePort()),
      STACK_KAFKA_PORT: String(await freePort()),
      STACK_KAFKA_CONTROLLER_PORT: String(await freePort()),
      STACK_REGISTRY_PORT: String(await freePort()),
      STACK_REGISTRY_MANAGEMENT_PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    blocker?.close();
    await run('bash', [STACK_SCRIPT, 'down'], { env: environment }).catch(() => undefined);
    rmSync(stackDir, { recursive: true, force: true });
  });

  it('starts one instance of each component however often `up` runs, and `down` leaves none behind', async () => {
    await run('bash', [STACK_SCRIPT, 'up'], { env: environment });
    const firstPids = pidFiles(stackDir);
    expect(processesMentioning(stackDir).sort()).toEqual(Object.values(firstPids).sort());

    await run('bash', [STACK_SCRIPT, 'up'], { env: environment });
    expect(pidFiles(stackDir)).toEqual(firstPids);
    expect(processesMentioning(stackDir).sort()).toEqual(Object.values(firstPids).sort());

    const envFile = readFileSync(path.join(stackDir, 'env'), 'utf8');
    for (const name of ['DATABASE_URL', 'DATABASE_ADMIN_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL']) {
      expect(envFile).toMatch(new RegExp(`^${name}=\\S+$`, 'm'));
    }

    const { stdout: status } = await run('bash', [STACK_SCRIPT, 'status'], { env: environment });
    expect(status.split('\n').filter((line) => line.includes(' running '))).toHaveLength(COMPONENTS.length);

    await run('bash', [STACK_SCRIPT, 'down'], { env: environment });
    expect(processesMentioning(stackDir)).toEqual([]);
    for (const pid of Object.values(firstPids)) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
    await expect(run('bash', [STACK_SCRIPT, 'status'], { env: environment })).rejects.toMatchObject({ code: 3 });
  }, 300_000);

  it('refuses to start on a port another process holds, naming the variable, and starts nothing', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(Number(environment.STACK_REDIS_PORT), '127.0.0.1', resolve));

    const failure = await run('bash', [STACK_SCRIPT, 'up'], { env: environment }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`redis: port ${environment.STACK_REDIS_PORT} is already in use`);
    expect(failure?.stderr).toContain('STACK_REDIS_PORT');
    expect(processesMentioning(stackDir)).toEqual([]);
  }, 60_000);
});
