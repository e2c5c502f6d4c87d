import base from './openapi.json';
import accounting from './openapi/accounting.json';
import auth from './openapi/auth.json';
import identity from './openapi/identity.json';
import maintenance from './openapi/maintenance.json';
import rental from './openapi/rental.json';
import reporting from './openapi/reporting.json';

/**
 * The OpenAPI document of the whole HTTP surface: gateway/openapi.json (the gateway's own routes,
 * the fleet's, and the shared components) with each context's part from gateway/openapi/<context>.json
 * merged in. A path, schema or parameter declared twice is a mistake and stops the gateway at start.
 */
export interface OpenApiPart {
  readonly paths: Record<string, unknown>;
  readonly components?: Partial<Record<string, Record<string, unknown>>>;
}

export function mergeOpenApi<Document extends OpenApiPart>(document: Document, parts: readonly OpenApiPart[]): Document {
  const paths: Record<string, unknown> = { ...document.paths };
  const components: Record<string, Record<string, unknown>> = {};
  for (const [section, entries] of Object.entries(document.components ?? {})) components[section] = { ...entries };
  for (const part of parts) {
    for (const [path, operations] of Object.entries(part.paths)) {
      if (path in paths) throw new Error(`OpenAPI path ${path} is declared twice`);
      paths[path] = operations;
    }
    for (const [section, entries] of Object.entries(part.components ?? {})) {
      const merged = (components[section] ??= {});
      for (const [name, value] of Object.entries(entries ?? {})) {
        if (name in merged) throw new Error(`OpenAPI components.${section}.${name} is declared twice`);
        merged[name] = value;
      }
    }
  }
  return { ...document, paths, components };
}

export const OPENAPI_DOCUMENT = mergeOpenApi(base as OpenApiPart & typeof base, [rental, maintenance, identity, accounting, reporting, auth]);
