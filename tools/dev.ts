/**
 * `npm run dev` (after the stack, migrations and topics are up): runs the gateway and every
 * processor that exists (processors/<context>/main.ts) as child processes of this one, prints their
 * JSON logs as readable lines prefixed with the service name, and stops them all on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { formatLogLine } from './dev-log-format';

const ROOT = path.resolve(__dirname, '..');
const STOP_GRACE_MS = 20_000;
const EXAMPLE_SUBJECT = '0b9d6c1e-2f4a-4e8b-9c3d-5a6b7c8d9e0f';

interface Service {
  readonly name: string;
  readonly entry: string;
  /** The service's operations endpoint (health and metrics), each on its own port here. */
  readonly opsPort: number;
}

/** The gateway's operations port (OPS_PORT's default); the processors' follow it. */
const OPS_PORT_FIRST = Number(process.env.OPS_PORT ?? 9464);

function discoverServices(): Service[] {
  const processorsDir = path.join(ROOT, 'processors');
  const processors = existsSync(processorsDir)
    ? readdirSync(processorsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(path.join(processorsDir, entry.name, 'main.ts')))
        .map((entry, index) => ({ name: entry.name, entry: path.join(processorsDir, entry.name, 'main.ts'), opsPort: OPS_PORT_FIRST + 1 + index }))
    : [];
  return [{ name: 'gateway', entry: path.join(ROOT, 'gateway', 'main.ts'), opsPort: OPS_PORT_FIRST }, ...processors];
}

function gatewayUrl(): string {
  const host = process.env.HOST && process.env.HOST !== '0.0.0.0' ? process.env.HOST : '127.0.0.1';
  return `http://${host}:${process.env.PORT ?? '8080'}`;
}

/** The database login each service runs as (the ledger context owns the accounting schema). */
const SERVICE_ROLES: Record<string, string> = {
  gateway: 'gateway_svc',
  fleet: 'fleet_svc',
  rental: 'rental_svc',
  maintenance: 'maintenance_svc',
  identity: 'identity_svc',
  ledger: 'accounting_svc',
  reporting: 'reporting_svc',
};

/** A login on the stack's database, built from the admin URL and the login's generated password. */
function loginUrl(role: string): string | undefined {
  const password = process.env[`DB_PASSWORD_${role.toUpperCase()}`];
  if (password === undefined || process.env.DATABASE_ADMIN_URL === undefined) return undefined;
  const url = new URL(process.env.DATABASE_ADMIN_URL);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** A service connects as its own login; the gateway's queries also get the read-only one. */
function environmentFor(service: Service): NodeJS.ProcessEnv {
  const role = SERVICE_ROLES[service.name];
  const databaseUrl = role === undefined ? undefined : loginUrl(role);
  const ops = { OPS_PORT: String(service.opsPort) };
  if (databaseUrl === undefined) return { ...process.env, ...ops };
  const readDatabaseUrl = service.name === 'gateway' ? loginUrl('gateway_reader') : undefined;
  return { ...process.env, ...ops, DATABASE_URL: databaseUrl, ...(readDatabaseUrl === undefined ? {} : { READ_DATABASE_URL: readDatabaseUrl }) };
}

function start(service: Service, width: number, onListening: () => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', service.entry], {
    cwd: ROOT,
    env: environmentFor(service),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${formatLogLine(service.name.padEnd(width), line)}\n`);
      if (service.name === 'gateway' && line.includes('"gateway listening"')) onListening();
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${service.name.padEnd(width)} | exited (${signal ?? `code ${code}`})\n`);
  });
  return child;
}

function main(): void {
  const services = discoverServices();
  const width = Math.max(...services.map((service) => service.name.length));
  const url = gatewayUrl();
  const children = services.map((service) =>
    start(service, width, () => {
      process.stdout.write(
        [
          '',
          `Gateway ready at ${url}`,
          `Try:  curl -s ${url}/health/ready`,
          `      TOKEN=$(npm run -s token -- --sub ${EXAMPLE_SUBJECT} --roles fleet_manager | tail -n 1)`,
          `      curl -s -X POST ${url}/v1/vehicles -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
          `           -H 'Prefer: wait=5' -d '{"plateNumber":"B-FC 101","make":"Renault","model":"Zoe","year":2024}'`,
          `Sign in as a user or a service through ${url}/oauth/token: docs/auth.md`,
          `Health and metrics (/health/ready, /metrics): ${services.map((service) => `${service.name} :${service.opsPort}`).join(', ')}`,
          "Stop: Ctrl-C (the stack keeps running; 'npm run stack -- down' stops it)",
          '',
          '',
        ].join('\n'),
      );
    }),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      process.exit(1);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let running = children.length;
  for (const child of children) {
    child.on('exit', () => {
      running -= 1;
      if (running === 0) process.exit(stopping ? 0 : 1);
    });
  }
}

main();
