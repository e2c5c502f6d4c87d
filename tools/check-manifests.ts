/**
 * `npm run k8s:check [-- DIR...]` (default: k8s/base and k8s/overlays/local): renders each
 * kustomization (tools/k8s/kustomize.ts) and validates every resource against the Kubernetes
 * API's OpenAPI schemas, as bundled by the kubernetes-models package (types, required fields,
 * enumerations, formats), and against its TypeScript types for field names the schemas let pass
 * (a misspelt `replica:`), without a cluster.
 *
 * Prints one line per resource (`ok` or `invalid` with the schema's complaints) and a summary.
 * Exit codes: 0 every resource valid, 3 some resource invalid or of a kind with no schema, 2 a
 * command line the tool refuses, 1 a kustomization that cannot be rendered.
 */
import path from 'node:path';
import { unknownFields } from './k8s/field-names';
import { KustomizeError, render, type Rendered } from './k8s/kustomize';

const USAGE = 'usage: npm run k8s:check [-- DIR...]';
const INVALID_EXIT_CODE = 3;
const ROOT = path.join(__dirname, '..');

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The kubernetes-models module of an apiVersion and kind: apps/v1 Deployment → kubernetes-models/apps/v1/Deployment. */
async function modelOf(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) return undefined;
  try {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>;
    return module[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

export interface Finding {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  /** Empty when the resource is valid. */
  readonly problems: readonly string[];
}

export async function check(rendered: readonly Rendered[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const models = await Promise.all(rendered.map(({ resource }) => modelOf(String(resource.apiVersion), String(resource.kind))));
  const typed = rendered.filter((_, index) => models[index] !== undefined);
  const typedComplaints = unknownFields(typed, ROOT);
  const unknown = new Map(typed.map((item, index) => [item, typedComplaints[index]!]));
  for (const [index, item] of rendered.entries()) {
    const { file, resource } = item;
    const model = models[index];
    const named = { file, kind: String(resource.kind), name: String(resource.metadata?.name) };
    if (model === undefined) {
      findings.push({ ...named, problems: [`no schema for apiVersion ${String(resource.apiVersion)} kind ${String(resource.kind)}`] });
      continue;
    }
    let problems: string[] = [];
    try {
      new model(resource).validate();
    } catch (error) {
      problems = schemaComplaints(error);
    }
    findings.push({ ...named, problems: [...problems, ...(unknown.get(item) ?? [])] });
  }
  return findings;
}

/** The validator's complaints, one per schema error, with the path into the resource. */
function schemaComplaints(error: unknown): string[] {
  const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map((entry) => `${entry.instancePath || '/'} ${entry.message ?? 'is invalid'}`);
  return [error instanceof Error ? error.message : String(error)];
}

async function main(): Promise<number> {
  const directories = process.argv.slice(2);
  if (directories.some((directory) => directory.startsWith('-'))) {
    console.error(USAGE);
    return 2;
  }
  let invalid = 0;
  let checked = 0;
  for (const directory of directories.length > 0 ? directories : ['k8s/base', 'k8s/overlays/local']) {
    let rendered: Rendered[];
    try {
      rendered = render(path.resolve(ROOT, directory), ROOT);
    } catch (error) {
      if (!(error instanceof KustomizeError)) throw error;
      console.error(`${directory}: ${error.message}`);
      return 1;
    }
    for (const finding of await check(rendered)) {
      checked += 1;
      const what = `${directory}: ${finding.kind}/${finding.name} (${finding.file})`;
      if (finding.problems.length === 0) {
        console.log(`ok       ${what}`);
        continue;
      }
      invalid += 1;
      console.log(`invalid  ${what}: ${finding.problems.join('; ')}`);
    }
  }
  console.log(`${checked} resources checked, ${invalid} invalid`);
  return invalid === 0 ? 0 : INVALID_EXIT_CODE;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
