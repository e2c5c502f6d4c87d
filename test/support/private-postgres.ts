import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);
const STACK_SCRIPT = path.join(__dirname, '../../infra/stack.sh');

/**
 * A PostgreSQL server of a test's own, started by the stack script in a private directory on a
 * free port, that the test may stop and start again (an outage) without touching the stack the
 * other suites use.
 */
export class PrivatePostgres {
  private readonly stackDir = mkdtempSync(path.join(tmpdir(), 'fleet-private-postgres-'));
  private environment: NodeJS.ProcessEnv = {};
  adminUrl!: URL;

  async start(): Promise<void> {
    this.environment = { ...process.env, STACK_DIR: this.stackDir, STACK_POSTGRES_PORT: String(await freePort()) };
    await this.up();
    const line = readFileSync(path.join(this.stackDir, 'env'), 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('DATABASE_ADMIN_URL='));
    if (line === undefined) throw new Error(`the stack script wrote no DATABASE_ADMIN_URL in ${this.stackDir}/env`);
    this.adminUrl = new URL(line.slice('DATABASE_ADMIN_URL='.length));
  }

  /** Stops the server (its data is kept): clients lose their connections and new ones are refused. */
  async stop(): Promise<void> {
    await run('bash', [STACK_SCRIPT, 'down', 'postgres'], { env: this.environment });
  }

  async up(): Promise<void> {
    await run('bash', [STACK_SCRIPT, 'up', 'postgres'], { env: this.environment });
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.stackDir, { recursive: true, force: true });
  }
}
