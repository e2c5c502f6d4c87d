import path from 'node:path';
import ts from 'typescript';
import type { Rendered } from './kustomize';

/**
 * The fields of each resource that its Kubernetes type does not have (`replica:` for `replicas:`,
 * a probe's `httpGets:`), which the OpenAPI schemas let pass. Each resource is written as an
 * object literal typed with the kubernetes-models interface of its kind, and TypeScript's
 * excess-property check names a field the type lacks, at any depth (the first of each object).
 *
 * Returns the complaints per resource, in the order given (empty when every field is known).
 * Every resource must be of a kind kubernetes-models has; a type it cannot read throws.
 */
export function unknownFields(rendered: readonly Rendered[], root: string): string[][] {
  const fileName = path.join(root, '__manifests__.ts');
  const source: string[] = [];
  const startLines: number[] = [];
  rendered.forEach(({ resource }, index) => {
    source.push(`import type { I${resource.kind} as T${index} } from 'kubernetes-models/${resource.apiVersion}/${resource.kind}';`);
  });
  let line = source.length;
  rendered.forEach(({ resource }, index) => {
    const literal = `export const r${index}: T${index} = ${JSON.stringify(resource, null, 2)};`;
    startLines.push(line);
    source.push(literal);
    line += literal.split('\n').length;
  });
  const text = source.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, create) =>
    path.resolve(name) === fileName ? ts.createSourceFile(name, text, languageVersion, true) : getSourceFile(name, languageVersion, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);

  const complaints = rendered.map((): string[] => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file === undefined || path.resolve(diagnostic.file.fileName) !== fileName || diagnostic.start === undefined) continue;
    const owner = ownerOf(startLines, diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    // An import that fails would type every literal as `any` and let everything pass.
    if (owner < 0) throw new Error(`the kubernetes-models types cannot be read: ${message}`);
    complaints[owner]!.push(message);
  }
  return complaints;
}

/** The resource whose literal holds `line` (-1 for the imports). */
function ownerOf(startLines: readonly number[], line: number): number {
  let owner = -1;
  startLines.forEach((start, index) => {
    if (start <= line) owner = index;
  });
  return owner;
}
