import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { runtimeVariables } from '../../platform/config/variables';
import { CONTEXTS, TOPICS } from '../../schemas/topics';

/**
 * The Kubernetes manifests, checked without a cluster: what the kustomization applies parses, and
 * every workload follows the rules an operator relies on (k8s/README.md, "Checked without a
 * cluster").
 */
const K8S = path.join(__dirname, '../../k8s');

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

function parseFile(file: string): Resource[] {
  const documents = parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8'));
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    return document.toJS() as Resource;
  });
}

const kustomization = parseFile('kustomization.yaml')[0] as unknown as { resources: string[]; images: { name: string; newName?: string; newTag?: string }[] };
const applied = kustomization.resources.flatMap((file) => parseFile(file).map((resource) => ({ file, resource })));
const ofKind = (kind: string) => applied.filter(({ resource }) => resource.kind === kind).map(({ resource }) => resource);
const deployments = ofKind('Deployment');
const templateOf = (resource: Resource) => (resource.spec as { template: PodTemplate }).template;
const SHUTDOWN_SECONDS = Number(runtimeVariables.shutdownTimeoutMs.defaultValue) / 1000;

describe('the Kubernetes manifests', () => {
  it('apply only files that exist and parse, each resource named and in the fleet namespace', () => {
    for (const file of kustomization.resources) expect(existsSync(path.join(K8S, file))).toBe(true);
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
    for (const deployment of deployments) {
      for (const container of templateOf(deployment).spec.containers) {
        const named = kustomization.images.some((image) => image.name === container.image);
        expect({ container: container.name, pinned: named || (/:[^:/]+$/.test(container.image) && !container.image.endsWith(':latest')) }).toEqual({ container: container.name, pinned: true });
      }
    }
    // The template of the Secrets lists keys with placeholders only.
    const template = readFileSync(path.join(K8S, 'secret.example.yaml'), 'utf8');
    for (const line of template.split('\n').filter((text) => /^\s+[A-Z_]+:\s/.test(text))) expect(line).toMatch(/REPLACE_ME/);
  });
});

describe('the local overlay', () => {
  const overlay = parseFile('overlays/local/kustomization.yaml')[0] as unknown as {
    resources: string[];
    images: { name: string; newTag?: string }[];
    patches: { target: { kind: string; name: string }; patch: string }[];
  };

  it('builds on the base, pins its image, and patches only resources the base has', () => {
    expect(overlay.resources).toEqual(['../..']);
    expect(overlay.images.every((image) => image.newTag !== undefined && image.newTag !== '' && image.newTag !== 'latest')).toBe(true);
    for (const { target, patch } of overlay.patches) {
      const patched = applied.find(({ resource }) => resource.kind === target.kind && resource.metadata.name === target.name);
      expect({ target, found: patched !== undefined }).toEqual({ target, found: true });
      // Every patch is YAML (a JSON patch list or a partial resource).
      expect(parseAllDocuments(patch).every((document) => document.errors.length === 0)).toBe(true);
    }
    // Every Deployment of the base runs one replica locally.
    const singled = overlay.patches.filter(({ target, patch }) => target.kind === 'Deployment' && patch.includes('/spec/replicas')).map(({ target }) => target.name);
    expect(singled.sort()).toEqual(deployments.map((deployment) => deployment.metadata.name).sort());
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }>;
  };

  it('runs a processor per context, as its own login, health-checked on its operations port, after the migrations', () => {
    const migrations = compose.services.migrate!.environment!;
    for (const context of CONTEXTS) {
      const service = compose.services[`${context}-processor`];
      expect({ context, command: service?.command }).toEqual({ context, command: ['node', `dist/processors/${context}/main.js`] });
      const login = /^postgres:\/\/([a-z_]+):\$\{(DB_PASSWORD_[A-Z_]+):/.exec(service!.environment!.DATABASE_URL ?? '');
      expect({ context, login: login?.[1] }).toEqual({ context, login: expect.stringMatching(/_svc$/) });
      // The migrations give that login the password the service connects with.
      expect(migrations[login![2]!]).toBeDefined();
      expect(service!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${service!.environment!.OPS_PORT}/health/ready`);
      expect(service!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
  });
});
