import type Router from '@koa/router';
import { apiRouter, type ApiDependencies } from '../../gateway/app';
import { mergeOpenApi, OPENAPI_DOCUMENT as openapi } from '../../gateway/openapi-document';
import { healthRoutes } from '../../gateway/routes/health.routes';
import { oauthRoutes, type OAuthDependencies } from '../../gateway/routes/oauth.routes';
import { openApiRoutes } from '../../gateway/routes/openapi.routes';
import { COMMAND_PERMISSIONS } from '../../platform/access';

/**
 * The OpenAPI document and the routers describe the same HTTP surface. The routers are only
 * built here, never called, so their dependencies are left empty.
 */
function routesOf(router: Router): string[] {
  return router.stack
    .filter((layer) => layer.methods.length > 0)
    .flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`));
}

describe('the OpenAPI document', () => {
  const documented = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );

  it('lists every route the gateway serves, and nothing else', () => {
    const served = [
      ...routesOf(healthRoutes([], 1)),
      ...routesOf(openApiRoutes()),
      ...routesOf(oauthRoutes({} as OAuthDependencies)),
      ...routesOf(apiRouter({ topics: {} } as unknown as ApiDependencies)),
    ];
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it("names each command route's operation after its command, and documents every command", () => {
    // Command routes take JSON; the token service's form-encoded endpoints are not commands.
    const operations = Object.values(openapi.paths as Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, unknown> } }>>)
      .flatMap((operations) => Object.values(operations))
      .filter((operation) => operation.requestBody?.content['application/json'] !== undefined);
    const commands = Object.keys(COMMAND_PERMISSIONS).map((command) => command.slice(command.indexOf('.') + 1));
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(commands.sort());
  });

  it('refuses a part that declares a path or component twice', () => {
    const part = { paths: { '/v1/x': {} }, components: { schemas: { X: {} } } };
    expect(() => mergeOpenApi({ paths: {} }, [part, { paths: { '/v1/x': {} } }])).toThrow('OpenAPI path /v1/x is declared twice');
    expect(() => mergeOpenApi({ paths: {} }, [part, { paths: {}, components: { schemas: { X: {} } } }])).toThrow('components.schemas.X is declared twice');
  });

});
