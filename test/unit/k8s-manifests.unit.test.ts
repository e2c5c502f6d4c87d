import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { runtimeVariables } from '../../platform/config/variables';
import { CONTEXTS, TOPICS } from '../../schemas/topics';
import { readDocuments, render, type Rendered } from '../../tools/k8s/kustomize';

/**
 * The Kubernetes manifests, checked without a cluster: the base and the local overlay render (as
 * `kubectl kustomize` would), every resource is valid against the Kubernetes API's schemas, and
 * every workload follows the rules an operator relies on (k8s/README.md, "Checked without a
 * cluster").
 */
const ROOT = path.join(__dirname, '../..');
const K8S = path.join(ROOT, 'k8s');

interface Resource {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
  readonly data?: unknown;
  readonly stringData?: unknown;
  readonly [field: string]: unknown;
}

interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly securityContext?: { readonly readOnlyRootFilesystem?: boolean; readonly allowPrivilegeEscalation?: boolean; readonly capabilities?: { readonly drop?: readonly string[] } };
  readonly startupProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
}

interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
}

interface PodTemplate {
  readonly spec: { readonly terminationGracePeriodSeconds?: number; readonly securityContext?: { readonly runAsNonRoot?: boolean }; readonly containers: readonly Container[] };
}

const kustomizationOf = (directory: string) =>
  readDocuments(path.join(K8S, directory, 'kustomization.yaml'))[0] as { resources: string[]; images: { name: string; newName?: string; newTag?: string }[] };
const templateOf = (resource: Resource) => (resource.spec as { template: PodTemplate }).template;
const SHUTDOWN_SECONDS = Number(runtimeVariables.shutdownTimeoutMs.defaultValue) / 1000;

/** Runs `npm run k8s:check`'s tool on the given directories. */
function checkManifests(...directories: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/check-manifests.ts', ...directories], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the Kubernetes schemas', () => {
  it('accept every resource the base and the local overlay render', () => {
    const rendered = render(path.join(K8S, 'base')).length + render(path.join(K8S, 'overlays/local')).length;
    const run = checkManifests();

    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/^invalid/m);
    expect(run.stdout).toContain(`${rendered} resources checked, 0 invalid`);
    expect(run.status).toBe(0);
  }, 30_000);

  it('refuse a Deployment whose probe names no port, an HPA whose replicas are not a number, and a misspelt field', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-k8s-'));
    try {
      cpSync(path.join(K8S, 'base'), scratch, { recursive: true });
      const gateway = readFileSync(path.join(scratch, 'gateway.yaml'), 'utf8');
      expect(gateway).toMatch(/path: \/health\/live\n\s+port: \w+/);
      writeFileSync(path.join(scratch, 'gateway.yaml'), gateway.replace(/(path: \/health\/live)\n\s+port: \w+/, '$1').replace(/maxReplicas: \d+/, 'maxReplicas: six'));
      const fleet = readFileSync(path.join(scratch, 'fleet-processor.yaml'), 'utf8');
      expect(fleet).toMatch(/^ {6}terminationGracePeriodSeconds:/m);
      writeFileSync(path.join(scratch, 'fleet-processor.yaml'), fleet.replace(/^( {6})terminationGracePeriodSeconds:/m, '$1terminationGracePeriod:'));
      const run = checkManifests(scratch);

      expect(run.status).toBe(3);
      expect(run.stdout).toMatch(/^invalid +.*Deployment\/gateway.*startupProbe\/httpGet must have required property port/m);
      expect(run.stdout).toMatch(/^invalid +.*HorizontalPodAutoscaler\/gateway.*\/spec\/maxReplicas must be integer/m);
      expect(run.stdout).toMatch(/^invalid +.*Deployment\/fleet-processor.*'"terminationGracePeriod"' does not exist in type 'IPodSpec'/m);
      expect(run.stdout).toMatch(/^ok +.*Deployment\/rental-processor/m);
      expect(run.stdout).toContain('3 invalid');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 30_000);
});

describe.each([
  ['base', render(path.join(K8S, 'base'), K8S)],
  ['overlays/local', render(path.join(K8S, 'overlays/local'), K8S)],
])('the Kubernetes manifests of k8s/%s', (directory: string, rendered: Rendered[]) => {
  const kustomization = kustomizationOf(directory);
  const applied: { file: string; resource: Resource }[] = rendered;
  const ofKind = (kind: string) => applied.filter(({ resource }) => resource.kind === kind).map(({ resource }) => resource);
  const deployments = ofKind('Deployment');

  it('apply only files that exist and parse, each resource named and in the fleet namespace', () => {
    for (const file of kustomization.resources) expect(existsSync(path.join(K8S, directory, file))).toBe(true);
    expect(applied.length).toBeGreaterThan(0);
    for (const { file, resource } of applied) {
      expect({ file, kind: typeof resource.kind, name: typeof resource.metadata?.name }).toEqual({ file, kind: 'string', name: 'string' });
      if (resource.kind !== 'Namespace') expect({ file, name: resource.metadata.name, namespace: resource.metadata.namespace }).toEqual({ file, name: resource.metadata.name, namespace: 'fleet' });
    }
  });

  it('deploy the gateway and a processor per context, each running its own entry point', () => {
    const names = deployments.map((deployment) => deployment.metadata.name);
    expect(names).toContain('gateway');
    for (const context of CONTEXTS) {
      const deployment = deployments.find((candidate) => candidate.metadata.name === `${context}-processor`);
      expect({ context, deployed: deployment !== undefined }).toEqual({ context, deployed: true });
      expect(templateOf(deployment!).spec.containers[0]!.command).toEqual(['node', `dist/processors/${context}/main.js`]);
      expect(existsSync(path.join(__dirname, `../../processors/${context}/main.ts`))).toBe(true);
    }
  });

  it('run every workload as non-root, read-only, without capabilities, with requests and limits', () => {
    const workloads = [...deployments, ...ofKind('Job')];
    for (const workload of workloads) {
      const pod = templateOf(workload).spec;
      expect({ workload: workload.metadata.name, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({ workload: workload.metadata.name, runAsNonRoot: true });
      for (const container of [...pod.containers, ...(((pod as { initContainers?: Container[] }).initContainers) ?? [])]) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect({ where, readOnly: container.securityContext?.readOnlyRootFilesystem, escalation: container.securityContext?.allowPrivilegeEscalation, drop: container.securityContext?.capabilities?.drop }).toEqual({
          where,
          readOnly: true,
          escalation: false,
          drop: ['ALL'],
        });
        for (const side of ['requests', 'limits'] as const) {
          expect({ where, side, cpu: typeof container.resources?.[side]?.cpu, memory: typeof container.resources?.[side]?.memory }).toEqual({ where, side, cpu: 'string', memory: 'string' });
        }
      }
    }
  });

  it('probe every Deployment on a port it declares, stop it gracefully, and keep a disruption budget for it', () => {
    const budgets = ofKind('PodDisruptionBudget');
    for (const deployment of deployments) {
      const pod = templateOf(deployment).spec;
      const where = deployment.metadata.name;
      expect({ where, grace: (pod.terminationGracePeriodSeconds ?? 30) > SHUTDOWN_SECONDS }).toEqual({ where, grace: true });
      for (const container of pod.containers) {
        const ports = new Set((container.ports ?? []).flatMap((port) => [port.name, port.containerPort]));
        for (const [probe, route] of [
          ['startupProbe', '/health/live'],
          ['livenessProbe', '/health/live'],
          ['readinessProbe', '/health/ready'],
        ] as const) {
          const httpGet = container[probe]?.httpGet;
          expect({ where, probe, path: httpGet?.path, declared: httpGet !== undefined && ports.has(httpGet.port) }).toEqual({ where, probe, path: route, declared: true });
        }
      }
      const labels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      const budget = budgets.find((candidate) => JSON.stringify((candidate.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels) === JSON.stringify(labels));
      expect({ where, budget: budget !== undefined }).toEqual({ where, budget: true });
    }
  });

  it("scale no processor beyond the partitions of its commands topic", () => {
    const partitions = new Map(TOPICS.map((topic) => [topic.name, topic.partitions]));
    for (const autoscaler of ofKind('HorizontalPodAutoscaler')) {
      const spec = autoscaler.spec as { scaleTargetRef: { name: string }; minReplicas: number; maxReplicas: number };
      expect(spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(spec.maxReplicas).toBeGreaterThanOrEqual(spec.minReplicas);
      const context = CONTEXTS.find((candidate) => spec.scaleTargetRef.name === `${candidate}-processor`);
      if (context === undefined) continue;
      expect({ context, within: spec.maxReplicas <= partitions.get(`${context}.commands`)! }).toEqual({ context, within: true });
    }
  });

  it('apply no secret values and no image tagged latest', () => {
    expect(ofKind('Secret')).toEqual([]);
    for (const { file, resource } of applied) {
      if (resource.kind !== 'ConfigMap') {
        expect({ file, data: resource.data, stringData: resource.stringData }).toEqual({ file, data: undefined, stringData: undefined });
        continue;
      }
      // Settings only: no key that names a secret, no URL that carries a login.
      for (const [key, value] of Object.entries(resource.data as Record<string, string>)) {
        expect({ file, key, secretLooking: /PASSWORD|SECRET|TOKEN|PRIVATE/.test(key) || /:\/\/[^/@\s]+@/.test(value) }).toEqual({ file, key, secretLooking: false });
      }
    }
    for (const image of kustomization.images) expect(image.newTag === undefined || image.newTag === '' || image.newTag === 'latest').toBe(false);
    // As rendered: every container's image carries a tag, never latest.
    for (const workload of [...deployments, ...ofKind('Job')]) {
      const pod = templateOf(workload).spec as PodTemplate['spec'] & { initContainers?: Container[] };
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect({ container: container.name, image: container.image, pinned: /:[^:/]+$/.test(container.image) && !container.image.endsWith(':latest') }).toEqual({ container: container.name, image: container.image, pinned: true });
      }
    }
    // The template of the Secrets lists keys with placeholders only.
    const template = readFileSync(path.join(K8S, 'base/secret.example.yaml'), 'utf8');
    for (const line of template.split('\n').filter((text) => /^\s+[A-Z_]+:\s/.test(text))) expect(line).toMatch(/REPLACE_ME/);
  });
});

describe('the local overlay', () => {
  const overlay = readDocuments(path.join(K8S, 'overlays/local/kustomization.yaml'))[0] as {
    resources: string[];
    images: { name: string; newTag?: string }[];
    patches: { target: { kind: string; name: string }; patch: string }[];
  };
  const base = render(path.join(K8S, 'base'), K8S);
  const local = render(path.join(K8S, 'overlays/local'), K8S);

  it('builds on the base beside it, pins its image, and patches only resources the base has', () => {
    expect(overlay.resources).toEqual(['../../base']);
    expect(overlay.images.every((image) => image.newTag !== undefined && image.newTag !== '' && image.newTag !== 'latest')).toBe(true);
    for (const { target, patch } of overlay.patches) {
      const patched = base.find(({ resource }) => resource.kind === target.kind && resource.metadata.name === target.name);
      expect({ target, found: patched !== undefined }).toEqual({ target, found: true });
      expect(parseAllDocuments(patch).every((document) => document.errors.length === 0)).toBe(true);
    }
    // The same resources as the base, every Deployment with one replica and the locally built image.
    expect(local.map(({ resource }) => `${resource.kind}/${resource.metadata.name}`)).toEqual(base.map(({ resource }) => `${resource.kind}/${resource.metadata.name}`));
    for (const { resource } of local.filter(({ resource }) => resource.kind === 'Deployment')) {
      const spec = resource.spec as { replicas: number; template: PodTemplate };
      expect({ name: resource.metadata.name, replicas: spec.replicas, images: spec.template.spec.containers.map((container) => container.image) }).toEqual({
        name: resource.metadata.name,
        replicas: 1,
        images: spec.template.spec.containers.map(() => 'fleet-command-streams:dev'),
      });
    }
  });

  it('is refused when it lies inside its base, as kustomize refuses it', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-k8s-'));
    try {
      cpSync(path.join(K8S, 'base'), scratch, { recursive: true });
      cpSync(path.join(K8S, 'overlays'), path.join(scratch, 'overlays'), { recursive: true });
      writeFileSync(path.join(scratch, 'overlays/local/kustomization.yaml'), readFileSync(path.join(K8S, 'overlays/local/kustomization.yaml'), 'utf8').replace('../../base', '../..'));
      expect(() => render(path.join(scratch, 'overlays/local'), scratch)).toThrow(/contains this kustomization; kustomize refuses the cycle/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }>;
  };

  it('runs the gateway and the set-up jobs by component name', () => {
    expect(compose.services.gateway?.command).toEqual(['gateway']);
    expect(compose.services.migrate?.command).toEqual(['migrate']);
    expect(compose.services.topics?.command).toEqual(['topics']);
  });

  it('runs a processor per context, as its own login, health-checked on its operations port, after the migrations', () => {
    const migrations = compose.services.migrate!.environment!;
    for (const context of CONTEXTS) {
      const service = compose.services[`${context}-processor`];
      // By name, through the image's entry point (test/unit/container-image.unit.test.ts runs each name).
      expect({ context, command: service?.command }).toEqual({ context, command: [context] });
      const login = /^postgres:\/\/([a-z_]+):\$\{(DB_PASSWORD_[A-Z_]+):/.exec(service!.environment!.DATABASE_URL ?? '');
      expect({ context, login: login?.[1] }).toEqual({ context, login: expect.stringMatching(/_svc$/) });
      // The migrations give that login the password the service connects with.
      expect(migrations[login![2]!]).toBeDefined();
      expect(service!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${service!.environment!.OPS_PORT}/health/ready`);
      expect(service!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
  });
});
