import Router from '@koa/router';
import { OPENAPI_DOCUMENT as openapi } from '../openapi-document';

/** Serves the OpenAPI document of the whole HTTP surface (gateway/openapi.json, checked by tests). */
export function openApiRoutes(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = openapi;
  });
  return router;
}
