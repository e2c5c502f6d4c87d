import Router from '@koa/router';
import type { Context } from 'koa';
import { principalOf, requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import {
  decodeCursor,
  DUE_STATUSES,
  isDueCursor,
  isJobCursor,
  JOB_STATUSES,
  PAGE_SIZE_MAX,
  type DueStatus,
  type JobStatus,
  type MaintenanceQueries,
} from '../queries/maintenance.queries';
import { uuidParameter } from '../validation';
import { invalidQuery, onlyKnownParameters, pageLimit, single, timestampParameter } from './query-parameters';

export interface MaintenanceQueryDependencies {
  readonly maintenance: MaintenanceQueries;
}

const JOB_PARAMETERS = new Set(['vehicleId', 'status', 'from', 'to', 'after', 'limit']);
const PLAN_PARAMETERS = new Set(['vehicleId', 'vehicleClass', 'includeSuperseded', 'after', 'limit']);
const DUE_PARAMETERS = new Set(['status', 'vehicleClass', 'after', 'limit']);
const ASSIGNMENT_PARAMETERS = new Set(['after', 'limit']);
/** The jobs a mechanic still has to do. */
const OPEN_JOB_STATUSES: readonly JobStatus[] = ['scheduled', 'in_progress'];
const VEHICLE_CLASS = /^[a-z][a-z0-9_]{0,49}$/;

function oneOf<T extends string>(ctx: Context, name: string, values: readonly T[]): T | undefined {
  const value = single(ctx, name);
  if (value !== undefined && !values.includes(value as T)) throw invalidQuery(name, `must be one of ${values.join(', ')}`);
  return value as T | undefined;
}

function vehicleClassParameter(ctx: Context): string | undefined {
  const value = single(ctx, 'vehicleClass');
  if (value !== undefined && !VEHICLE_CLASS.test(value)) throw invalidQuery('vehicleClass', 'must be a vehicle class such as compact');
  return value;
}

function cursorParameter<T>(ctx: Context, check: (candidate: unknown) => candidate is T): T | undefined {
  const value = single(ctx, 'after');
  if (value === undefined) return undefined;
  const cursor = value.length <= 500 ? decodeCursor(value) : undefined;
  if (!check(cursor)) throw invalidQuery('after', 'must be the cursor of a previous page (links.next)');
  return cursor;
}

/** The next page's link: the same filters, the new cursor. */
function nextLink(path: string, filters: Record<string, string | undefined>, after: string | null, limit: number): string | null {
  if (after === null) return null;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, value);
  query.set('after', after);
  query.set('limit', String(limit));
  return `${path}?${query.toString()}`;
}

/**
 * Whose jobs the caller may read: everyone's with maintenance.read, only those assigned to them
 * with maintenance.read_own (a mechanic), none otherwise (403).
 */
function readableJobs(ctx: Context): { mechanicId?: string } {
  const principal = principalOf(ctx);
  if (principal.permissions.has('maintenance.read')) return {};
  if (principal.permissions.has('maintenance.read_own')) return { mechanicId: principal.subject };
  throw new ProblemError(403, 'forbidden', 'Permission denied', 'This operation needs the permission maintenance.read, or maintenance.read_own for the jobs assigned to you.', {
    permission: 'maintenance.read',
  });
}

/**
 * Reads of the maintenance context's published views: workshop jobs (maintenance.read for all,
 * maintenance.read_own for one's own), service plans and the due list (maintenance.read), and the
 * caller's own open assignments (any authenticated user).
 */
export function maintenanceQueryRoutes(dependencies: MaintenanceQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('maintenance.read');

  router.get('/v1/maintenance/jobs', async (ctx) => {
    const readable = readableJobs(ctx);
    onlyKnownParameters(ctx, JOB_PARAMETERS);
    const vehicleId = single(ctx, 'vehicleId');
    if (vehicleId !== undefined) uuidParameter('vehicleId', vehicleId);
    const status = oneOf<JobStatus>(ctx, 'status', JOB_STATUSES);
    const from = timestampParameter(ctx, 'from');
    const to = timestampParameter(ctx, 'to');
    if (from !== undefined && to !== undefined && to <= from) throw invalidQuery('to', 'must be after from');
    const after = cursorParameter(ctx, isJobCursor);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);
    const page = await dependencies.maintenance.list({
      ...readable,
      ...(vehicleId === undefined ? {} : { vehicleId }),
      ...(status === undefined ? {} : { status }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(after === undefined ? {} : { after }),
      limit,
    });
    const filters = { vehicleId, status, from: single(ctx, 'from'), to: single(ctx, 'to') };
    ctx.body = { items: page.items, links: { next: nextLink('/v1/maintenance/jobs', filters, page.next, limit) } };
  });

  router.get('/v1/maintenance/jobs/:jobId', async (ctx) => {
    const readable = readableJobs(ctx);
    const jobId = uuidParameter('jobId', ctx.params.jobId);
    // Another mechanic's job is answered as if it did not exist, so that job ids tell nothing.
    const job = await dependencies.maintenance.find(jobId, readable.mechanicId);
    if (job === undefined) throw new ProblemError(404, 'maintenance-job-not-found', 'No such maintenance job', `There is no maintenance job ${jobId}.`);
    ctx.set('ETag', `"${job.version}"`);
    ctx.body = { ...job, links: { self: `/v1/maintenance/jobs/${job.id}`, vehicle: `/v1/vehicles/${job.vehicleId}` } };
  });

  router.get('/v1/maintenance/service-plans', canRead, async (ctx) => {
    onlyKnownParameters(ctx, PLAN_PARAMETERS);
    const vehicleId = single(ctx, 'vehicleId');
    if (vehicleId !== undefined) uuidParameter('vehicleId', vehicleId);
    const vehicleClass = vehicleClassParameter(ctx);
    const includeSuperseded = oneOf(ctx, 'includeSuperseded', ['true', 'false'] as const);
    const after = single(ctx, 'after');
    if (after !== undefined) uuidParameter('after', after);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);
    const page = await dependencies.maintenance.plans({
      ...(vehicleId === undefined ? {} : { vehicleId }),
      ...(vehicleClass === undefined ? {} : { vehicleClass }),
      includeSuperseded: includeSuperseded === 'true',
      ...(after === undefined ? {} : { afterId: after }),
      limit,
    });
    ctx.body = { items: page.items, links: { next: nextLink('/v1/maintenance/service-plans', { vehicleId, vehicleClass, includeSuperseded }, page.nextAfterId, limit) } };
  });

  router.get('/v1/maintenance/due', canRead, async (ctx) => {
    onlyKnownParameters(ctx, DUE_PARAMETERS);
    const status = oneOf<DueStatus>(ctx, 'status', DUE_STATUSES);
    const vehicleClass = vehicleClassParameter(ctx);
    const after = cursorParameter(ctx, isDueCursor);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);
    const now = new Date();
    const page = await dependencies.maintenance.due({
      now,
      ...(status === undefined ? {} : { status }),
      ...(vehicleClass === undefined ? {} : { vehicleClass }),
      ...(after === undefined ? {} : { after }),
      limit,
    });
    ctx.body = { asOf: now.toISOString(), items: page.items, links: { next: nextLink('/v1/maintenance/due', { status, vehicleClass }, page.next, limit) } };
  });

  // Drivers' trip assignments will join this list (with their own `type`) once the product has trips.
  router.get('/v1/me/assignments', async (ctx) => {
    onlyKnownParameters(ctx, ASSIGNMENT_PARAMETERS);
    const after = cursorParameter(ctx, isJobCursor);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);
    const page = await dependencies.maintenance.list({ mechanicId: principalOf(ctx).subject, statuses: OPEN_JOB_STATUSES, ...(after === undefined ? {} : { after }), limit });
    ctx.body = {
      items: page.items.map((job) => ({ type: 'maintenance_job', job, links: { job: `/v1/maintenance/jobs/${job.id}` } })),
      links: { next: nextLink('/v1/me/assignments', {}, page.next, limit) },
    };
  });

  return router;
}
