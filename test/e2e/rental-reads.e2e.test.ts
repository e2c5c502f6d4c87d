import { randomUUID } from 'node:crypto';
import { SystemHarness, type Answer } from '../support/system';

/**
 * The rental reads through HTTP, over what the rental processor wrote from real commands and
 * events: availability (booked, buffered, in the workshop, decommissioned vehicles excluded),
 * pages of rentals followed through links.next, filters, ETags, and the 400/403/404 answers.
 */
const harness = new SystemHarness();
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Whole hours from now, so every window in this file lines up. */
const base = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
const at = (ms: number) => new Date(base + ms).toISOString();

async function accepted(answer: Promise<Answer>): Promise<Answer> {
  const settled = await answer;
  if (settled.status >= 300) throw new Error(`expected the command to be accepted: ${settled.status} ${JSON.stringify(settled.body)}`);
  return settled;
}

describe('rental reads through the gateway', () => {
  const compact = `e2e_${randomUUID().slice(0, 8)}`;
  const van = `${compact}_van`;
  const depot = randomUUID();
  const city = randomUUID();
  const window = { from: at(10 * DAY_MS), to: at(12 * DAY_MS) };
  const vehicles: Record<string, string> = {};
  const listed: string[] = [];

  const plates = (answer: Answer) => (answer.body.items as { plateNumber: string }[]).map((item) => item.plateNumber);
  const availability = (query: Record<string, string>) => harness.get(`/v1/availability?${new URLSearchParams(query).toString()}`);
  const reserve = (vehicleId: string, startAt: string, endAt: string, rentalId = randomUUID()) =>
    accepted(harness.send('POST', '/v1/rentals', { rentalId, vehicleId, originLocationId: depot, destinationLocationId: depot, startAt, endAt })).then(() => rentalId);

  beforeAll(async () => {
    await harness.start();
    await accepted(harness.send('POST', '/v1/locations', { locationId: depot, name: 'RR depot', type: 'depot', timeZone: 'Europe/Berlin' }));
    await accepted(harness.send('POST', '/v1/locations', { locationId: city, name: 'RR city', type: 'city', timeZone: 'Europe/Berlin' }));
    await accepted(harness.send('PUT', `/v1/vehicle-classes/${compact}/policy`, { bufferMinutes: 120 }));
    const plan = { currency: 'EUR', dailyRateMinor: 4_000, hourlyRateMinor: 800, includedKmPerDay: 0, extraKmPriceMinor: 0, lateFeePerHourMinor: 0 };
    const rest = { lateGraceMinutes: 0, cancellationFeeMinor: 0, cancellationWindowHours: 0, depositMinor: 0 };
    await accepted(harness.send('POST', '/v1/pricing-plans', { name: `RR ${compact}`, vehicleClass: compact, ...plan, ...rest }));
    await accepted(harness.send('POST', '/v1/pricing-plans', { name: `RR ${van}`, vehicleClass: van, ...plan, ...rest }));
    for (const [plate, vehicleClass, location] of [
      ['RR-01', compact, depot],
      ['RR-02', compact, depot],
      ['RR-03', compact, depot],
      ['RR-04', compact, depot],
      ['RR-05', compact, depot],
      ['RR-06', van, city],
    ] as const) {
      vehicles[plate] = await harness.registerVehicle(plate, vehicleClass);
      await accepted(harness.send('PUT', `/v1/vehicles/${vehicles[plate]}/home-location`, { locationId: location }));
    }
    // RR-02 is booked inside the window; RR-03's rental ends an hour before it, within its two-hour buffer.
    await reserve(vehicles['RR-02']!, at(11 * DAY_MS), at(11 * DAY_MS + 4 * HOUR_MS));
    await reserve(vehicles['RR-03']!, at(9 * DAY_MS), at(10 * DAY_MS - HOUR_MS));
    await harness.scheduleMaintenance(vehicles['RR-04']!, new Date(base + 11 * DAY_MS), new Date(base + 13 * DAY_MS));
    await accepted(harness.send('POST', `/v1/vehicles/${vehicles['RR-05']}/decommission`, { reason: 'Written off.' }));
    await harness.projected(vehicles['RR-05']!, (row) => row?.status === 'decommissioned');
    // Five rentals of RR-01 well after the window, for the pages below.
    for (let index = 0; index < 5; index += 1) listed.push(await reserve(vehicles['RR-01']!, at((20 + 2 * index) * DAY_MS), at((21 + 2 * index) * DAY_MS)));
  }, 240_000);

  afterAll(() => harness.stop(), 60_000);

  describe('availability', () => {
    it('answers the vehicles free for the whole window, by plate; booked, buffered, in-maintenance and decommissioned ones are left out', async () => {
      const answer = await availability(window);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        items: [
          { vehicleId: vehicles['RR-01'], plateNumber: 'RR-01', vehicleClass: compact, locationId: depot },
          { vehicleId: vehicles['RR-06'], plateNumber: 'RR-06', vehicleClass: van, locationId: city },
        ],
        links: { next: null },
      });
    });

    it('frees the buffered vehicle from the end of its buffer, and narrows to a class and a location', async () => {
      // RR-03's rental ends an hour before the window; its buffer two hours after that end.
      expect(plates(await availability({ ...window, from: at(10 * DAY_MS + HOUR_MS), class: compact }))).toEqual(['RR-01', 'RR-03']);
      expect(plates(await availability({ ...window, class: van }))).toEqual(['RR-06']);
      expect(plates(await availability({ ...window, location: city }))).toEqual(['RR-06']);
      expect(plates(await availability({ ...window, location: depot, class: van }))).toEqual([]);
    });

    it('pages with links.next', async () => {
      const first = await availability({ ...window, limit: '1' });
      const next = (first.body.links as { next: string | null }).next;
      expect(plates(first)).toEqual(['RR-01']);
      expect(next).toMatch(/^\/v1\/availability\?/);
      const second = await harness.get(next!);
      expect(plates(second)).toEqual(['RR-06']);
      expect((second.body.links as { next: string | null }).next).toBeNull();
    });

    it('refuses malformed, reversed, oversized and unknown queries with 400 naming the parameter', async () => {
      const field = async (query: Record<string, string>) => {
        const answer = await availability(query);
        return { status: answer.status, fields: (answer.body.errors as { field: string }[] | undefined)?.map((error) => error.field) };
      };
      expect(await field({ to: window.to })).toEqual({ status: 400, fields: ['from'] });
      expect(await field({ from: window.from })).toEqual({ status: 400, fields: ['to'] });
      expect(await field({ from: window.to, to: window.from })).toEqual({ status: 400, fields: ['to'] });
      expect(await field({ from: window.from, to: at(400 * DAY_MS) })).toEqual({ status: 400, fields: ['to'] });
      expect(await field({ from: '2027-01-01T10:00:00', to: window.to })).toEqual({ status: 400, fields: ['from'] });
      expect(await field({ ...window, class: 'Vans!' })).toEqual({ status: 400, fields: ['class'] });
      expect(await field({ ...window, location: 'depot' })).toEqual({ status: 400, fields: ['location'] });
      expect(await field({ ...window, limit: '201' })).toEqual({ status: 400, fields: ['limit'] });
      expect(await field({ ...window, after: 'forged' })).toEqual({ status: 400, fields: ['after'] });
      expect(await field({ ...window, colour: 'red' })).toEqual({ status: 400, fields: ['colour'] });
    });
  });

  describe('rentals', () => {
    it('walks every page of a vehicle’s rentals through links.next, each once and in start order', async () => {
      const seen: string[] = [];
      let route: string | null = `/v1/rentals?vehicleId=${vehicles['RR-01']}&limit=2`;
      for (let pages = 0; route !== null && pages < 10; pages += 1) {
        const page: Answer = await harness.get(route);
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as { id: string }[]).map((item) => item.id));
        route = (page.body.links as { next: string | null }).next;
      }
      expect(seen).toEqual(listed);
    });

    it('filters by status and by a period the rentals overlap', async () => {
      await accepted(harness.send('POST', `/v1/rentals/${listed[1]}/cancel`, { reason: 'No longer needed.' }));
      const ids = (answer: Answer) => (answer.body.items as { id: string }[]).map((item) => item.id);
      expect(ids(await harness.get(`/v1/rentals?vehicleId=${vehicles['RR-01']}&status=cancelled`))).toEqual([listed[1]]);
      expect(ids(await harness.get(`/v1/rentals?vehicleId=${vehicles['RR-01']}&status=reserved`))).toEqual([listed[0], listed[2], listed[3], listed[4]]);
      const period = new URLSearchParams({ from: at(22 * DAY_MS + HOUR_MS), to: at(24 * DAY_MS + HOUR_MS) });
      expect(ids(await harness.get(`/v1/rentals?${period.toString()}`))).toEqual([listed[1], listed[2]]);
    });

    it('answers a rental with its ETag, 304 while it is unchanged, and a new ETag once money is added', async () => {
      const route = `/v1/rentals/${listed[0]}`;
      const first = await harness.get(route);
      expect(first).toMatchObject({ status: 200, body: { id: listed[0], vehicleId: vehicles['RR-01'], status: 'reserved', currency: 'EUR', bufferMinutes: 120 } });
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect((await harness.get(route, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      await accepted(harness.send('POST', `${route}/charges`, { type: 'damage', description: 'Chipped windscreen', amountMinor: 7_500, currency: 'EUR' }));
      const changed = await harness.get(route, { headers: { 'If-None-Match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(changed.body.totals).toMatchObject({ currency: 'EUR', chargedMinor: 4_000 + 7_500, balanceDueMinor: 4_000 + 7_500 });
    });

    it('answers 404 for an unknown rental or quote, 400 for a malformed id, filter or cursor, and 403 without rentals.read', async () => {
      expect((await harness.get(`/v1/rentals/${randomUUID()}`)).status).toBe(404);
      expect((await harness.get(`/v1/quotes/${randomUUID()}`)).status).toBe(404);
      expect((await harness.get('/v1/rentals/R-1')).status).toBe(400);
      expect((await harness.get('/v1/rentals?status=parked')).status).toBe(400);
      expect((await harness.get('/v1/rentals?vehicleId=x')).status).toBe(400);
      expect((await harness.get(`/v1/rentals?from=${encodeURIComponent(window.to)}&to=${encodeURIComponent(window.from)}`)).status).toBe(400);
      expect((await harness.get('/v1/rentals?after=bm90IGEgY3Vyc29y')).status).toBe(400);
      expect((await harness.get('/v1/rentals?limit=101')).status).toBe(400);
      expect((await harness.get('/v1/rentals', { roles: ['mechanic'] })).status).toBe(403);
      expect((await harness.get(`/v1/availability?from=${window.from}&to=${window.to}`, { roles: ['mechanic'] })).status).toBe(403);
    });
  });

  it('lists locations by name and pricing plans by class and status', async () => {
    const locations = await harness.get('/v1/locations');
    expect((locations.body.items as { id: string; name: string; timeZone: string }[]).map((location) => [location.id, location.name, location.timeZone])).toEqual([
      [city, 'RR city', 'Europe/Berlin'],
      [depot, 'RR depot', 'Europe/Berlin'],
    ]);
    const plans = await harness.get(`/v1/pricing-plans?vehicleClass=${van}&status=active`);
    expect(plans.body.items).toEqual([expect.objectContaining({ name: `RR ${van}`, vehicleClass: van, currency: 'EUR', dailyRateMinor: 4_000, status: 'active' })]);
    expect((await harness.get('/v1/pricing-plans?status=retired')).body.items).toEqual([]);
    expect((await harness.get('/v1/pricing-plans?status=archived')).status).toBe(400);
    expect((await harness.get('/v1/locations?name=x')).status).toBe(400);
  });
});
