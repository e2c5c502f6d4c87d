import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kustomize build` does, for the part of kustomize that k8s/
 * uses: `resources` (files, or directories holding a kustomization), `images` (newName, newTag)
 * and `patches` aimed at one resource by kind and name, either JSON 6902 operations (add,
 * replace, remove) or a partial resource merged into it. Anything else in a kustomization is
 * refused by name rather than ignored, so that a render here never differs silently from the
 * cluster's.
 */

export interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export interface Rendered {
  /** The file each resource came from, relative to the repository, for messages. */
  readonly file: string;
  readonly resource: Resource;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'images', 'patches']);

interface Kustomization {
  readonly resources?: readonly string[];
  readonly images?: readonly { readonly name: string; readonly newName?: string; readonly newTag?: string }[];
  readonly patches?: readonly { readonly target: { readonly kind: string; readonly name: string }; readonly patch: string }[];
}

export class KustomizeError extends Error {}

/** Every document of a YAML file, refusing one that does not parse. */
export function readDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new KustomizeError(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    return document.toJS() as unknown;
  });
}

export function render(directory: string, root: string = directory): Rendered[] {
  const file = path.join(directory, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeError(`${shown(root, directory) || '.'} has no kustomization.yaml`);
  const kustomization = readDocuments(file)[0] as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED_FIELDS.has(field));
  if (unsupported.length > 0) throw new KustomizeError(`${shown(root, file)}: ${unsupported.join(', ')} is not rendered here`);

  let rendered: Rendered[] = (kustomization.resources ?? []).flatMap((entry) => {
    const target = path.resolve(directory, entry);
    if (!existsSync(target)) throw new KustomizeError(`${shown(root, file)}: resource ${entry} does not exist`);
    if (statSync(target).isDirectory()) {
      // As kustomize does: a base may not contain the kustomization that uses it.
      if (directory.startsWith(`${target}${path.sep}`)) throw new KustomizeError(`${shown(root, file)}: resource ${entry} contains this kustomization; kustomize refuses the cycle`);
      return render(target, root);
    }
    return readDocuments(target)
      .filter((document) => document !== null)
      .map((document) => ({ file: shown(root, target), resource: document as Resource }));
  });
  for (const image of kustomization.images ?? []) rendered = rendered.map((item) => ({ ...item, resource: withImage(item.resource, image) }));
  for (const patch of kustomization.patches ?? []) {
    const matches = rendered.filter(({ resource }) => resource.kind === patch.target.kind && resource.metadata.name === patch.target.name);
    if (matches.length !== 1) throw new KustomizeError(`${shown(root, file)}: the patch of ${patch.target.kind}/${patch.target.name} matches ${matches.length} resources`);
    const patched = applyPatch(matches[0]!.resource, patch.patch, `${patch.target.kind}/${patch.target.name}`);
    rendered = rendered.map((item) => (item === matches[0] ? { ...item, resource: patched } : item));
  }
  return rendered;
}

/** A path as messages show it: relative to the root when inside it. */
function shown(root: string, target: string): string {
  const relative = path.relative(root, target);
  return relative.startsWith('..') ? target : relative;
}

/** Sets the name and tag of every container (and init container) running `image.name`. */
function withImage(resource: Resource, image: NonNullable<Kustomization['images']>[number]): Resource {
  const copy = structuredClone(resource) as Resource & { spec?: { template?: { spec?: PodSpec } } };
  const podSpec = copy.spec?.template?.spec;
  for (const container of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]) {
    const [name, tag] = splitImage(container.image);
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
  }
  return copy;
}

interface PodSpec {
  containers?: { image: string }[];
  initContainers?: { image: string }[];
}

function splitImage(image: string): [string, string | undefined] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}

function applyPatch(resource: Resource, text: string, what: string): Resource {
  const patch = readYamlText(text, what);
  if (Array.isArray(patch)) return patch.reduce((current: Resource, operation: unknown) => applyOperation(current, operation, what), resource);
  if (typeof patch !== 'object' || patch === null) throw new KustomizeError(`the patch of ${what} is neither a resource nor a list of operations`);
  return merge(resource, patch, '') as Resource;
}

function readYamlText(text: string, what: string): unknown {
  const documents = parseAllDocuments(text);
  if (documents.length !== 1 || documents[0]!.errors.length > 0) throw new KustomizeError(`the patch of ${what} is not one YAML document`);
  return documents[0]!.toJS() as unknown;
}

/** A JSON 6902 operation on a copy of `resource` (RFC 6901 paths). */
function applyOperation(resource: Resource, operation: unknown, what: string): Resource {
  const { op, path: pointer, value } = operation as { op?: string; path?: string; value?: unknown };
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new KustomizeError(`the patch of ${what}: operation ${String(op)} is not rendered here`);
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) throw new KustomizeError(`the patch of ${what}: ${String(pointer)} is not a JSON pointer`);
  const copy = structuredClone(resource) as unknown as Record<string, unknown>;
  const keys = pointer.slice(1).split('/').map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop()!;
  let parent: unknown = copy;
  for (const key of keys) {
    parent = (parent as Record<string, unknown> | undefined)?.[key];
    if (typeof parent !== 'object' || parent === null) throw new KustomizeError(`the patch of ${what}: ${pointer} does not exist`);
  }
  if (Array.isArray(parent)) {
    const container = parent as unknown[];
    const index = last === '-' ? container.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > container.length || (op !== 'add' && index === container.length)) {
      throw new KustomizeError(`the patch of ${what}: ${pointer} does not exist`);
    }
    if (op === 'add') container.splice(index, 0, value);
    else if (op === 'replace') container[index] = value;
    else container.splice(index, 1);
  } else {
    const container = parent as Record<string, unknown>;
    if (op !== 'add' && !(last in container)) throw new KustomizeError(`the patch of ${what}: ${pointer} does not exist`);
    if (op === 'remove') delete container[last];
    else container[last] = value;
  }
  return copy as unknown as Resource;
}

/**
 * A partial resource merged into another: objects key by key, values replaced. A list is refused:
 * kustomize merges some lists by key (containers by name), which is not rendered here.
 */
function merge(target: unknown, patch: unknown, at = ''): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) throw new KustomizeError(`a merge patch sets the list ${at}; use JSON 6902 operations for lists`);
  if (typeof target !== 'object' || target === null || Array.isArray(target) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return structuredClone(patch);
  }
  const merged: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) merged[key] = value === null ? undefined : merge(merged[key], value, `${at}/${key}`);
  return JSON.parse(JSON.stringify(merged)) as unknown;
}
