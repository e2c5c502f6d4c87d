import Router from '@koa/router';
import type { Context } from 'koa';
import { createHash } from 'node:crypto';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import {
  AVAILABILITY_PAGE_SIZE_MAX,
  PLAN_STATUSES,
  RENTAL_PAGE_SIZE_MAX,
  RENTAL_STATUSES,
  type PlanStatus,
  type RentalQueries,
  type RentalStatus,
} from '../queries/rental.queries';
import { uuidParameter } from '../validation';
import { cursorParameter, invalidQuery, nextLink, onlyKnownParameters, pageLimit, paged, single, timestampParameter } from './query-parameters';
import { VEHICLE_CLASS_PATTERN, WINDOW_DAYS_MAX } from './rental-fields';

export interface RentalQueryDependencies {
  readonly rentals: RentalQueries;
}

const NO_PARAMETERS = new Set<string>();
const PLAN_PARAMETERS = new Set(['vehicleClass', 'status']);
const RENTAL_PARAMETERS = new Set(['vehicleId', 'status', 'from', 'to', 'after', 'limit']);
const AVAILABILITY_PARAMETERS = new Set(['from', 'to', 'location', 'class', 'after', 'limit']);
const DAY_MS = 24 * 60 * 60 * 1000;

function vehicleClassParameter(ctx: Context, name: string): string | undefined {
  const vehicleClass = single(ctx, name);
  if (vehicleClass !== undefined && (!VEHICLE_CLASS_PATTERN.test(vehicleClass) || vehicleClass.length > 50)) {
    throw invalidQuery(name, 'must be a vehicle class such as compact');
  }
  return vehicleClass;
}

function oneOf<Value extends string>(ctx: Context, name: string, values: readonly Value[]): Value | undefined {
  const value = single(ctx, name);
  if (value !== undefined && !values.includes(value as Value)) throw invalidQuery(name, `must be one of ${values.join(', ')}`);
  return value as Value | undefined;
}

function optionalUuid(ctx: Context, name: string): string | undefined {
  const value = single(ctx, name);
  return value === undefined ? undefined : uuidParameter(name, value);
}

/** Whether an If-None-Match header names `etag` (or is `*`), compared weakly as RFC 9110 §13.1.2 asks for GET. */
export function noneMatch(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * A strong ETag of the answer: a client that sends it back in If-None-Match gets 304 while nothing
 * changed. Evaluated here rather than with Koa's ctx.fresh, which treats the request as stale when
 * it carries Cache-Control: no-cache (as fetch adds to every conditional request): that directive
 * is for caches on the way, and an origin server still answers the condition.
 */
function answerWithEtag(ctx: Context, body: unknown): void {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  ctx.set('ETag', etag);
  const condition = ctx.get('If-None-Match');
  if (condition !== '' && noneMatch(condition, etag)) {
    ctx.status = 304;
    return;
  }
  ctx.body = body;
}

/** Reads of the rental context's published views (permission rentals.read). */
export function rentalQueryRoutes(dependencies: RentalQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('rentals.read');
  const queries = dependencies.rentals;

  router.get('/v1/locations', canRead, async (ctx) => {
    onlyKnownParameters(ctx, NO_PARAMETERS);
    ctx.body = { items: await queries.locations() };
  });

  router.get('/v1/pricing-plans', canRead, async (ctx) => {
    onlyKnownParameters(ctx, PLAN_PARAMETERS);
    const vehicleClass = vehicleClassParameter(ctx, 'vehicleClass');
    const status = oneOf<PlanStatus>(ctx, 'status', PLAN_STATUSES);
    ctx.body = { items: await queries.pricingPlans({ ...(vehicleClass === undefined ? {} : { vehicleClass }), ...(status === undefined ? {} : { status }) }) };
  });

  router.get('/v1/quotes/:quoteId', canRead, async (ctx) => {
    const quoteId = uuidParameter('quoteId', ctx.params.quoteId);
    onlyKnownParameters(ctx, NO_PARAMETERS);
    const quote = await queries.quote(quoteId);
    if (quote === undefined) throw new ProblemError(404, 'quote-not-found', 'No such quote', `There is no quote ${quoteId}.`);
    answerWithEtag(ctx, { ...quote, links: { self: `/v1/quotes/${quote.id}` } });
  });

  router.get('/v1/rentals', canRead, async (ctx) => {
    onlyKnownParameters(ctx, RENTAL_PARAMETERS);
    const vehicleId = optionalUuid(ctx, 'vehicleId');
    const status = oneOf<RentalStatus>(ctx, 'status', RENTAL_STATUSES);
    const from = timestampParameter(ctx, 'from');
    const to = timestampParameter(ctx, 'to');
    if (from !== undefined && to !== undefined && to <= from) throw invalidQuery('to', 'must be after from');
    const after = cursorParameter(ctx);
    const limit = pageLimit(ctx, RENTAL_PAGE_SIZE_MAX);
    const page = await paged(() =>
      queries.rentals({
        ...(vehicleId === undefined ? {} : { vehicleId }),
        ...(status === undefined ? {} : { status }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(after === undefined ? {} : { after }),
        limit,
      }),
    );
    ctx.body = { items: page.items, links: { next: nextLink(ctx, '/v1/rentals', page.nextCursor) } };
  });

  router.get('/v1/rentals/:rentalId', canRead, async (ctx) => {
    const rentalId = uuidParameter('rentalId', ctx.params.rentalId);
    onlyKnownParameters(ctx, NO_PARAMETERS);
    const rental = await queries.rental(rentalId);
    if (rental === undefined) throw new ProblemError(404, 'rental-not-found', 'No such rental', `There is no rental ${rentalId}.`);
    answerWithEtag(ctx, { ...rental, links: { self: `/v1/rentals/${rental.id}` } });
  });

  router.get('/v1/availability', canRead, async (ctx) => {
    onlyKnownParameters(ctx, AVAILABILITY_PARAMETERS);
    const from = timestampParameter(ctx, 'from');
    const to = timestampParameter(ctx, 'to');
    if (from === undefined) throw invalidQuery('from', 'is required');
    if (to === undefined) throw invalidQuery('to', 'is required');
    if (to <= from) throw invalidQuery('to', 'must be after from');
    if (to.getTime() - from.getTime() > WINDOW_DAYS_MAX * DAY_MS) throw invalidQuery('to', `must be at most ${WINDOW_DAYS_MAX} days after from`);
    const locationId = optionalUuid(ctx, 'location');
    const vehicleClass = vehicleClassParameter(ctx, 'class');
    const after = cursorParameter(ctx);
    const limit = pageLimit(ctx, AVAILABILITY_PAGE_SIZE_MAX);
    const page = await paged(() =>
      queries.available({
        from,
        to,
        ...(locationId === undefined ? {} : { locationId }),
        ...(vehicleClass === undefined ? {} : { vehicleClass }),
        ...(after === undefined ? {} : { after }),
        limit,
      }),
    );
    ctx.body = { from: from.toISOString(), to: to.toISOString(), items: page.items, links: { next: nextLink(ctx, '/v1/availability', page.nextCursor) } };
  });

  return router;
}
