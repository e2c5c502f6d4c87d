import { randomUUID } from 'node:crypto';
import rentalOpenApi from '../../gateway/openapi/rental.json';
import { SystemHarness, type Answer } from '../support/system';

/**
 * The rental commands through HTTP and back: each route's request becomes an Avro command, the
 * rental processor decides it in PostgreSQL, and the gateway answers with the outcome (Prefer:
 * wait): 201/200 when accepted, 409 or 422 with the reason code when rejected, 400 before
 * anything is produced when the request itself is wrong.
 */
const harness = new SystemHarness();
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** An instant `ms` from now, whole seconds, as RFC 3339. */
const fromNow = (ms: number) => new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString();

function outcome(answer: Answer): { status: number; commandStatus: unknown; reasonCode: unknown } {
  return { status: answer.status, commandStatus: answer.body.status, reasonCode: answer.body.reasonCode };
}

const accepted = (status: number) => ({ status, commandStatus: 'accepted', reasonCode: undefined });
const rejected = (status: number, reasonCode: string) => ({ status, commandStatus: 'rejected', reasonCode });

describe('rental commands through the gateway', () => {
  const vehicleClass = `e2e_${randomUUID().slice(0, 8)}`;
  const depot = randomUUID();
  const city = randomUUID();
  const planId = randomUUID();
  let vehicleId: string;

  beforeAll(async () => {
    await harness.start();
    vehicleId = await harness.registerVehicle('RC-100', vehicleClass);
  }, 180_000);

  afterAll(() => harness.stop(), 60_000);

  it('configures the context: two locations, a class buffer, where the vehicle stands, a pricing plan', async () => {
    const defined = await harness.send('POST', '/v1/locations', { locationId: depot, name: 'RC depot', type: 'depot', address: 'Depot road 1', timeZone: 'Europe/Berlin' });
    expect(outcome(defined)).toEqual(accepted(201));
    expect(defined.headers.get('location')).toBe('/v1/locations');
    expect(outcome(await harness.send('POST', '/v1/locations', { locationId: city, name: 'RC city', type: 'city', timeZone: 'Europe/Berlin' }))).toEqual(accepted(201));
    // The same location again is harmless.
    expect(outcome(await harness.send('POST', '/v1/locations', { locationId: depot, name: 'RC depot', type: 'depot', address: 'Depot road 1', timeZone: 'Europe/Berlin' })).status).toBe(201);

    expect(outcome(await harness.send('PUT', `/v1/vehicle-classes/${vehicleClass}/policy`, { bufferMinutes: 60 }))).toEqual(accepted(200));
    expect(outcome(await harness.send('PUT', `/v1/vehicles/${vehicleId}/home-location`, { locationId: depot }))).toEqual(accepted(200));
    expect(outcome(await harness.send('PUT', `/v1/vehicles/${randomUUID()}/home-location`, { locationId: depot }))).toEqual(rejected(422, 'RENTAL.VEHICLE_NOT_FOUND'));

    const plan = {
      planId,
      name: `RC ${vehicleClass}`,
      vehicleClass,
      currency: 'EUR',
      dailyRateMinor: 5_000,
      hourlyRateMinor: 1_000,
      includedKmPerDay: 100,
      extraKmPriceMinor: 20,
      lateFeePerHourMinor: 1_500,
      lateGraceMinutes: 30,
      cancellationFeeMinor: 2_500,
      cancellationWindowHours: 48,
      depositMinor: 30_000,
    };
    expect(outcome(await harness.send('POST', '/v1/pricing-plans', plan))).toEqual(accepted(201));

    const rows = await harness.rental('rental.vehicle_projection').where('vehicle_id', vehicleId).select('location_id');
    expect(rows).toEqual([{ location_id: depot }]);
    expect(await harness.rental('rental.vehicle_class_policies').where('vehicle_class', vehicleClass).select('buffer_minutes')).toEqual([{ buffer_minutes: 60 }]);
  });

  describe('a rental from quote to return', () => {
    const quoteId = randomUUID();
    const rentalId = randomUUID();
    const deposit = randomUUID();
    const payment = randomUUID();

    it('quotes a window, reserves from the quote, and refuses the used quote (409)', async () => {
      const startAt = fromNow(10 * MINUTE_MS);
      const endAt = fromNow(10 * MINUTE_MS + 2 * DAY_MS);
      const quoted = await harness.send('POST', '/v1/quotes', { quoteId, vehicleId, originLocationId: depot, destinationLocationId: city, startAt, endAt });
      expect(outcome(quoted)).toEqual(accepted(201));
      const quote = await harness.get(`/v1/quotes/${quoteId}`);
      expect(quote).toMatchObject({ status: 200, body: { id: quoteId, vehicleId, status: 'open', currency: 'EUR', totalMinor: 10_000, startAt: new Date(startAt).toISOString() } });
      expect((quote.body.breakdown as { amountMinor: number }[]).reduce((sum, line) => sum + line.amountMinor, 0)).toBe(10_000);

      const reserved = await harness.send('POST', '/v1/rentals', { rentalId, vehicleId, quoteId, customerId: randomUUID() });
      expect(outcome(reserved)).toEqual(accepted(201));
      expect(reserved.headers.get('location')).toBe(`/v1/rentals/${rentalId}`);
      expect(outcome(await harness.send('POST', '/v1/rentals', { vehicleId, quoteId }))).toEqual(rejected(409, 'RENTAL.QUOTE_ALREADY_USED'));
      expect((await harness.get(`/v1/quotes/${quoteId}`)).body).toMatchObject({ status: 'used', usedByRentalId: rentalId });
    });

    it('refuses the hand-over until the deposit is captured, then activates; an active rental cannot be cancelled', async () => {
      const handOver = { odometerOutKm: 1_000, activatedAt: fromNow(0) };
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/activate`, handOver))).toEqual(rejected(422, 'RENTAL.DEPOSIT_NOT_HELD'));

      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/payments`, { paymentId: deposit, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR' }))).toEqual(
        accepted(201),
      );
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/payments/${deposit}/capture`, {}))).toEqual(accepted(200));
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/activate`, { ...handOver, activatedAt: fromNow(0) }))).toEqual(accepted(200));
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/cancel`, { reason: 'Changed plans.' }))).toMatchObject(rejected(422, 'RENTAL.INVALID_STATE'));
      expect((await harness.get(`/v1/rentals/${rentalId}`)).body).toMatchObject({ status: 'active', odometerOutKm: 1_000, depositRequiredMinor: 30_000 });
    });

    it('takes charges, payments and refunds, refusing another currency and a refund above what was captured', async () => {
      const route = `/v1/rentals/${rentalId}`;
      expect(outcome(await harness.send('POST', `${route}/charges`, { type: 'discount', description: 'Loyalty', amountMinor: 500, currency: 'EUR' }))).toEqual(accepted(201));
      expect(outcome(await harness.send('POST', `${route}/charges`, { type: 'late_fee', description: 'x', amountMinor: 500, currency: 'USD' }))).toEqual(
        rejected(422, 'RENTAL.CURRENCY_MISMATCH'),
      );
      expect(outcome(await harness.send('POST', `${route}/payments`, { paymentId: payment, provider: 'cash', amountMinor: 4_000, currency: 'EUR' }))).toEqual(accepted(201));
      expect(outcome(await harness.send('POST', `${route}/payments/${payment}/refunds`, { amountMinor: 100, currency: 'EUR', reason: 'Early' }))).toEqual(
        rejected(422, 'RENTAL.PAYMENT_NOT_CAPTURED'),
      );
      expect(outcome(await harness.send('POST', `${route}/payments/${payment}/capture`, {}))).toEqual(accepted(200));
      expect(outcome(await harness.send('POST', `${route}/payments/${payment}/refunds`, { amountMinor: 4_001, currency: 'EUR', reason: 'Too much' }))).toEqual(
        rejected(422, 'RENTAL.REFUND_EXCEEDS_CAPTURED'),
      );
      const refundId = randomUUID();
      expect(outcome(await harness.send('POST', `${route}/payments/${payment}/refunds`, { refundId, amountMinor: 1_000, currency: 'EUR', reason: 'Goodwill' }))).toEqual(accepted(201));
      // The same refund id again is refused: the money went back once.
      expect(outcome(await harness.send('POST', `${route}/payments/${payment}/refunds`, { refundId, amountMinor: 1_000, currency: 'EUR', reason: 'Goodwill' }))).toEqual(
        rejected(409, 'RENTAL.REFUND_ALREADY_RECORDED'),
      );

      const declined = randomUUID();
      await harness.send('POST', `${route}/payments`, { paymentId: declined, provider: 'card', amountMinor: 2_000, currency: 'EUR' });
      expect(outcome(await harness.send('POST', `${route}/payments/${declined}/fail`, { reason: 'Card declined.' }))).toEqual(accepted(200));
      expect(outcome(await harness.send('POST', `${route}/payments/${declined}/capture`, {}))).toMatchObject({ status: 422, reasonCode: 'RENTAL.PAYMENT_NOT_PENDING' });
      expect(outcome(await harness.send('POST', `${route}/payments`, { provider: 'card', amountMinor: 2_000, currency: 'GBP' }))).toEqual(
        rejected(422, 'RENTAL.CURRENCY_MISMATCH'),
      );
    });

    it('completes the return with damages and reads the rental with its money and the deposit split; the vehicle moves to the destination', async () => {
      const returned = await harness.send('POST', `/v1/rentals/${rentalId}/complete`, {
        odometerInKm: 1_150,
        returnedAt: fromNow(0),
        damages: [{ description: 'Scratched bumper', amountMinor: 12_000 }],
        currency: 'EUR',
      });
      expect(outcome(returned)).toEqual(accepted(200));
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/complete`, { odometerInKm: 1_150, returnedAt: fromNow(0) }))).toMatchObject(
        rejected(422, 'RENTAL.INVALID_STATE'),
      );

      const read = await harness.get(`/v1/rentals/${rentalId}`);
      expect(read.status).toBe(200);
      const rental = read.body as {
        status: string;
        odometerInKm: number;
        charges: { type: string; amountMinor: number }[];
        payments: { id: string; status: string; refunds: { amountMinor: number }[] }[];
        depositAppliedMinor: number;
        depositReleasedMinor: number;
        totals: Record<string, number | string>;
      };
      expect(rental).toMatchObject({ status: 'completed', odometerInKm: 1_150 });
      expect(rental.charges.map((charge) => [charge.type, charge.amountMinor])).toEqual(
        expect.arrayContaining([
          ['base', 10_000],
          ['discount', 500],
          ['damage', 12_000],
        ]),
      );
      const charged = rental.charges.reduce((sum, charge) => sum + (charge.type === 'discount' ? -charge.amountMinor : charge.amountMinor), 0);
      // Owed at the return: the charges less the cash kept (4,000 captured, 1,000 refunded); the deposit covers it up to its 30,000.
      const owed = charged - 3_000;
      expect({ applied: rental.depositAppliedMinor, released: rental.depositReleasedMinor }).toEqual({ applied: Math.min(owed, 30_000), released: 30_000 - Math.min(owed, 30_000) });
      expect(rental.totals).toEqual({
        currency: 'EUR',
        chargedMinor: charged,
        capturedMinor: 4_000,
        refundedMinor: 1_000,
        depositHeldMinor: 30_000,
        depositAppliedMinor: rental.depositAppliedMinor,
        balanceDueMinor: charged - 3_000 - rental.depositAppliedMinor,
      });
      expect(rental.payments.find((entry) => entry.id === payment)).toMatchObject({ status: 'captured', refunds: [{ amountMinor: 1_000 }] });
      await harness.projected(vehicleId, (row) => row?.location_id === city);
    });
  });

  it('cancels a reservation with the fee as a charge inside the 48-hour cancellation window, and free of charge before it', async () => {
    const cancel = async (startInMs: number) => {
      const rentalId = randomUUID();
      const trip = { originLocationId: city, destinationLocationId: city, startAt: fromNow(startInMs), endAt: fromNow(startInMs + DAY_MS) };
      expect(outcome(await harness.send('POST', '/v1/rentals', { rentalId, vehicleId, ...trip }))).toEqual(accepted(201));
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/cancel`, { reason: 'Flight cancelled.' }))).toEqual(accepted(200));
      const read = await harness.get(`/v1/rentals/${rentalId}`);
      expect(read.body).toMatchObject({ status: 'cancelled', cancellationReason: 'Flight cancelled.' });
      expect(outcome(await harness.send('POST', `/v1/rentals/${rentalId}/cancel`, { reason: 'Again.' }))).toMatchObject(rejected(422, 'RENTAL.INVALID_STATE'));
      return (read.body.charges as { type: string; amountMinor: number }[]).filter((charge) => charge.type === 'cancellation_fee').map((charge) => charge.amountMinor);
    };
    expect(await cancel(DAY_MS)).toEqual([2_500]);
    expect(await cancel(5 * DAY_MS)).toEqual([]);
    expect(outcome(await harness.send('POST', `/v1/rentals/${randomUUID()}/activate`, { odometerOutKm: 1, activatedAt: fromNow(0) }))).toEqual(
      rejected(422, 'RENTAL.RENTAL_NOT_FOUND'),
    );
  });

  it('refuses a reservation overlapping a scheduled maintenance window, and accepts one that ends where the window starts', async () => {
    const windowStart = new Date(Date.parse(fromNow(20 * DAY_MS)));
    const windowEnd = new Date(windowStart.getTime() + DAY_MS);
    await harness.scheduleMaintenance(vehicleId, windowStart, windowEnd);
    const base = { vehicleId, originLocationId: city, destinationLocationId: city };
    const overlapping = { ...base, startAt: new Date(windowStart.getTime() - DAY_MS).toISOString(), endAt: new Date(windowStart.getTime() + 60 * MINUTE_MS).toISOString() };
    expect(outcome(await harness.send('POST', '/v1/rentals', overlapping))).toEqual(rejected(409, 'RENTAL.VEHICLE_IN_MAINTENANCE'));
    // Its one-hour class buffer must end by the window's start too.
    const adjacent = { ...base, startAt: new Date(windowStart.getTime() - DAY_MS).toISOString(), endAt: new Date(windowStart.getTime() - 60 * MINUTE_MS).toISOString() };
    expect(outcome(await harness.send('POST', '/v1/rentals', adjacent))).toEqual(accepted(201));
    const after = { ...base, startAt: windowEnd.toISOString(), endAt: new Date(windowEnd.getTime() + DAY_MS).toISOString() };
    expect(outcome(await harness.send('POST', '/v1/rentals', after))).toEqual(accepted(201));
  });

  it('of 50 concurrent overlapping reservations of one vehicle accepts exactly one; the others are 409 VEHICLE_ALREADY_BOOKED', async () => {
    const contested = await harness.registerVehicle('RC-200', vehicleClass);
    const startAt = fromNow(40 * DAY_MS);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        harness.send('POST', '/v1/rentals', {
          vehicleId: contested,
          originLocationId: depot,
          destinationLocationId: depot,
          startAt,
          endAt: new Date(Date.parse(startAt) + DAY_MS + index * MINUTE_MS).toISOString(),
        }),
      ),
    );
    const tally: Record<string, number> = {};
    for (const answer of answers) {
      const key = `${answer.status} ${String(answer.body.reasonCode ?? answer.body.status)}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally).toEqual({ '201 accepted': 1, '409 RENTAL.VEHICLE_ALREADY_BOOKED': 49 });
    expect(await harness.rental('rental.rentals').where({ vehicle_id: contested }).whereIn('status', ['reserved', 'active']).count({ count: '*' })).toEqual([{ count: 1 }]);
  }, 180_000);

  it('refuses reservations of a decommissioned vehicle (409), without a plan (422), with the start in the past (422)', async () => {
    const base = { originLocationId: depot, destinationLocationId: depot, startAt: fromNow(60 * DAY_MS), endAt: fromNow(61 * DAY_MS) };
    const unpriced = await harness.registerVehicle('RC-300', `${vehicleClass}_x`);
    expect(outcome(await harness.send('POST', '/v1/rentals', { vehicleId: unpriced, ...base }))).toEqual(rejected(422, 'RENTAL.NO_PRICING_PLAN'));
    expect(outcome(await harness.send('POST', '/v1/rentals', { vehicleId, ...base, startAt: fromNow(-DAY_MS) }))).toEqual(rejected(422, 'RENTAL.START_IN_PAST'));

    const retiring = await harness.registerVehicle('RC-301', vehicleClass);
    expect(outcome(await harness.send('POST', `/v1/vehicles/${retiring}/decommission`, { reason: 'Sold.' }))).toEqual(accepted(200));
    await harness.projected(retiring, (row) => row?.status === 'decommissioned');
    expect(outcome(await harness.send('POST', '/v1/rentals', { vehicleId: retiring, ...base }))).toEqual(rejected(409, 'RENTAL.VEHICLE_DECOMMISSIONED'));
  });

  it('retires a pricing plan once (a second retirement is 409) and prices nothing with it afterwards', async () => {
    expect(outcome(await harness.send('POST', `/v1/pricing-plans/${planId}/retire`, {}))).toEqual(accepted(200));
    expect(outcome(await harness.send('POST', `/v1/pricing-plans/${planId}/retire`, {}))).toEqual(rejected(409, 'RENTAL.PRICING_PLAN_ALREADY_RETIRED'));
    const quote = { vehicleClass, originLocationId: depot, destinationLocationId: depot, startAt: fromNow(70 * DAY_MS), endAt: fromNow(71 * DAY_MS) };
    expect(outcome(await harness.send('POST', '/v1/quotes', quote))).toEqual(rejected(422, 'RENTAL.NO_PRICING_PLAN'));
  });

  it("sends every request example of the rental part of the OpenAPI document as it is: one rental's story, each step's expected outcome", async () => {
    type Parameter = { name?: string; in?: string; example?: string };
    type Operation = { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { example: unknown }> } };
    const examples = Object.entries(rentalOpenApi.paths as Record<string, Record<string, Operation>>).flatMap(([route, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody !== undefined)
        .map(([method, operation]) => ({ route, method, operation, example: operation.requestBody!.content['application/json']!.example })),
    );
    // The examples tell one story on one vehicle, set in the future: configure, quote, reserve, pay, refund.
    // A few cannot be accepted in that story (a hand-over dated ahead, a return before it, failing a captured
    // payment): they must still pass the gateway and get the processor's reason.
    const expected: [string, number, string?][] = [
      ['DefineLocation', 201],
      ['AssignVehicleLocation', 200],
      ['SetVehicleClassPolicy', 200],
      ['DefinePricingPlan', 201],
      ['QuoteRental', 201],
      ['ReserveRental', 201],
      ['AddCharge', 201],
      ['RecordPayment', 201],
      ['CapturePayment', 200],
      ['RefundPayment', 201],
      ['FailPayment', 422, 'RENTAL.PAYMENT_NOT_PENDING'],
      ['ActivateRental', 422, 'RENTAL.TIME_IN_FUTURE'],
      ['CompleteRental', 422, 'RENTAL.INVALID_STATE'],
      ['CancelRental', 200],
      ['RetirePricingPlan', 200],
    ];
    const order = expected.map(([operationId]) => operationId);
    expect(examples.map((example) => example.operation.operationId).sort()).toEqual([...order].sort());
    examples.sort((a, b) => order.indexOf(a.operation.operationId) - order.indexOf(b.operation.operationId));
    const exampleOf = (operationId: string) => examples.find((example) => example.operation.operationId === operationId)!;
    const vehicleOf = exampleOf('AssignVehicleLocation').operation.parameters!.find((parameter) => parameter.name === 'vehicleId')!.example!;
    await harness.announceVehicle(vehicleOf, 'RC-EXAMPLE', (exampleOf('SetVehicleClassPolicy').operation.parameters![0]!.example as string));

    const outcomes: [string, number, string?][] = [];
    for (const { route, method, operation, example } of examples) {
      const url = route.replace(/\{(\w+)\}/g, (_, name: string) => operation.parameters!.find((parameter) => parameter.in === 'path' && parameter.name === name)!.example!);
      const answer = await harness.send(method.toUpperCase(), url, example);
      outcomes.push(answer.body.reasonCode === undefined ? [operation.operationId, answer.status] : [operation.operationId, answer.status, answer.body.reasonCode as string]);
    }
    expect(outcomes).toEqual(expected);
  });

  describe('refuses before producing anything', () => {
    async function refusedWithNothingProduced(method: string, route: string, body: unknown, roles?: string[]): Promise<Answer> {
      const before = await harness.commandsProduced('rental');
      const answer = await harness.send(method, route, body, { ...(roles === undefined ? {} : { roles }) });
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(await harness.commandsProduced('rental')).toBe(before);
      return answer;
    }
    const fieldsOf = (answer: Answer) => ({ status: answer.status, fields: ((answer.body.errors ?? []) as { field: string }[]).map((error) => error.field) });

    it('bad windows, money, currencies, time zones and ids: 400 naming each field', async () => {
      const place = { originLocationId: depot, destinationLocationId: city };
      const start = fromNow(DAY_MS);
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/quotes', { vehicleClass, ...place, startAt: start, endAt: start }))).toEqual({ status: 400, fields: ['endAt'] });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/quotes', { vehicleClass, ...place, startAt: start, endAt: fromNow(400 * DAY_MS) }))).toEqual({
        status: 400,
        fields: ['endAt'],
      });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/quotes', { ...place, startAt: start, endAt: fromNow(2 * DAY_MS) }))).toEqual({ status: 400, fields: ['vehicleId'] });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/rentals', { vehicleId, ...place, startAt: '2027-01-01T10:00:00', endAt: '2027-01-02 10:00' }))).toEqual({
        status: 400,
        fields: ['startAt', 'endAt'],
      });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/rentals', { vehicleId, originLocationId: depot }))).toEqual({ status: 400, fields: ['destinationLocationId'] });
      expect(
        fieldsOf(await refusedWithNothingProduced('POST', '/v1/rentals/not-a-uuid/payments', { provider: 'card', amountMinor: 10, currency: 'EUR' })),
      ).toEqual({ status: 400, fields: ['rentalId'] });
      expect(
        fieldsOf(await refusedWithNothingProduced('POST', `/v1/rentals/${randomUUID()}/payments`, { provider: 'bitcoin', amountMinor: 10.5, currency: 'eur', kind: 'tip' })),
      ).toEqual({ status: 400, fields: ['kind', 'provider', 'amountMinor', 'currency'] });
      expect(
        fieldsOf(await refusedWithNothingProduced('POST', `/v1/rentals/${randomUUID()}/charges`, { type: 'base', description: 'x', amountMinor: 20_000_000_000, currency: 'EUR' })),
      ).toEqual({ status: 400, fields: ['amountMinor'] });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/locations', { name: 'Nowhere', type: 'depot', timeZone: 'Mars/Olympus_Mons' }))).toEqual({
        status: 400,
        fields: ['timeZone'],
      });
      expect(fieldsOf(await refusedWithNothingProduced('PUT', '/v1/vehicle-classes/Not-A-Class/policy', { bufferMinutes: 10 }))).toEqual({ status: 400, fields: ['vehicleClass'] });
      expect(fieldsOf(await refusedWithNothingProduced('PUT', `/v1/vehicle-classes/${vehicleClass}/policy`, { bufferMinutes: 20_000 }))).toEqual({
        status: 400,
        fields: ['bufferMinutes'],
      });
      expect(fieldsOf(await refusedWithNothingProduced('POST', '/v1/pricing-plans', { name: 'No target', currency: 'EUR' }))).toMatchObject({ status: 400 });
      expect(fieldsOf(await refusedWithNothingProduced('POST', `/v1/pricing-plans/${planId}/retire`, { reason: 'x' }))).toEqual({ status: 400, fields: ['reason'] });
    });

    it('a return with malformed or too many damage lines: 400 naming each line', async () => {
      const route = `/v1/rentals/${randomUUID()}/complete`;
      const returnedAt = fromNow(0);
      expect(
        fieldsOf(await refusedWithNothingProduced('POST', route, { odometerInKm: -1, returnedAt, damages: [{ description: 'ok', amountMinor: 1 }, { description: '', amountMinor: 0, colour: 'red' }] })),
      ).toEqual({ status: 400, fields: ['odometerInKm', 'damages[1].colour', 'damages[1].description', 'damages[1].amountMinor'] });
      const many = Array.from({ length: 51 }, () => ({ description: 'dent', amountMinor: 100 }));
      expect(fieldsOf(await refusedWithNothingProduced('POST', route, { odometerInKm: 10, returnedAt, damages: many }))).toEqual({ status: 400, fields: ['damages'] });
      expect(fieldsOf(await refusedWithNothingProduced('POST', route, { odometerInKm: 10, returnedAt, damages: 'none' }))).toEqual({ status: 400, fields: ['damages'] });
      expect(fieldsOf(await refusedWithNothingProduced('POST', route, ['not', 'an', 'object']))).toMatchObject({ status: 400 });
    });

    it('a role without the permission: 403', async () => {
      const answer = await refusedWithNothingProduced('POST', '/v1/pricing-plans', {}, ['rental_agent']);
      expect(answer).toMatchObject({ status: 403, body: { permission: 'rentals.configure' } });
      expect((await refusedWithNothingProduced('POST', `/v1/rentals/${randomUUID()}/payments/${randomUUID()}/refunds`, {}, ['rental_agent'])).status).toBe(403);
    });
  });
});
