import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTEXTS } from '../../schemas/topics';

/**
 * The container image, checked without a Docker engine: the Dockerfile's stages and user, and the
 * entry point that runs a component by name (run here with a `node` on PATH that prints what it
 * was asked to run).
 */
const ROOT = path.join(__dirname, '../..');
const ENTRY_POINT = path.join(ROOT, 'infra/docker/run-component.sh');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

/** The compiled file a `dist/…js` path comes from. */
const sourceOf = (compiled: string) => path.join(ROOT, compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

describe('the Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((match) => ({ image: match[1]!, name: match[2]! }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage (librdkafka compiled there) and runs from a slim one with production dependencies only', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(stages[1]!.image).toMatch(/-slim$/);
    for (const stage of stages) expect(stage.image).not.toMatch(/:latest$/);
    const build = dockerfile.slice(dockerfile.indexOf('AS build'), dockerfile.indexOf('AS runtime'));
    expect(build).toMatch(/build-essential/);
    expect(build).toMatch(/CKJS_LINKING=dynamic npm install/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(runtime).not.toMatch(/build-essential|npm (ci|install)/);
  });

  it('runs as a non-root user given by number, through the entry point, the gateway by default', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(runtime);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(Number(user?.[2])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^COPY --chmod=0755 infra\/docker\/run-component\.sh \/usr\/local\/bin\/run-component$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["run-component"\]$/m);
    expect(runtime).toMatch(/^CMD \["gateway"\]$/m);
  });
});

describe('the entry point', () => {
  let bin: string;

  beforeAll(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'fleet-entry-'));
    writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho "node $*"\n');
    chmodSync(path.join(bin, 'node'), 0o755);
  });

  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  function run(...args: string[]) {
    const result = spawnSync('sh', [ENTRY_POINT, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  }

  it('runs the gateway when given nothing', () => {
    expect(run()).toEqual({ status: 0, stdout: 'node dist/gateway/main.js', stderr: '' });
    expect(existsSync(sourceOf('dist/gateway/main.js'))).toBe(true);
  });

  it.each(CONTEXTS.map((context) => [context]))('runs the %s processor by name, passing the arguments after it on', (context) => {
    expect(run(context, '--inspect')).toEqual({ status: 0, stdout: `node dist/processors/${context}/main.js --inspect`, stderr: '' });
    expect(existsSync(sourceOf(`dist/processors/${context}/main.js`))).toBe(true);
  });

  it.each([
    [['migrate'], 'node --import tsx tools/migrate.ts'],
    [['topics'], 'node dist/tools/topics.js'],
    [['replay', '--dlq', 'fleet.dlq'], 'node dist/tools/replay.js --dlq fleet.dlq'],
    [['reconcile', '--verify-chain'], 'node dist/tools/reconcile.js --verify-chain'],
    [['reporting-rebuild'], 'node dist/tools/reporting-rebuild.js'],
    [['node', 'dist/processors/fleet/main.js'], 'node dist/processors/fleet/main.js'],
  ])('runs %j as %j', (args, command) => {
    expect(run(...args)).toEqual({ status: 0, stdout: command, stderr: '' });
    const file = command.split(' ').find((part) => part.endsWith('.js') || part.endsWith('.ts'))!;
    expect(existsSync(file.endsWith('.js') ? sourceOf(file) : path.join(ROOT, file))).toBe(true);
  });

  it('prints its usage on help and fails on a name that is no component or command', () => {
    const help = run('help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('docker run IMAGE fleet');
    const unknown = run('fleeet');
    expect(unknown.status).toBe(127);
    expect(unknown.stderr).toContain('fleeet');
  });
});
