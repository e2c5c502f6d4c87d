import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, hoursFromNow, RentalHarness } from '../../support/rental-harness';

/**
 * The rental context's commands through CommandProcessor on the real PostgreSQL (as the rental
 * login) and registry: the catalog (locations, class buffers, vehicle locations, pricing plans),
 * quotes, reservations (quotes used once, expiry, the buffer, maintenance windows, the exclusion
 * constraint), pick-up with the deposit held, return with its final charges and deposit split,
 * cancellation with its fee, charges and payments with refunds. Each case checks the outcome and
 * reason code, the rows, and the events, whose payloads the registry must encode.
 */
describe('the rental commands on the real stack', () => {
  const harness = new RentalHarness();
  let locationId: string;

  beforeAll(async () => {
    await harness.start();
    locationId = await harness.location('UTC');
  }, 60_000);

  afterAll(() => harness.stop());

  afterEach(() => {
    harness.now = undefined;
  });

  const rentalRow = (rentalId: string) =>
    harness.rental('rental.rentals').where('id', rentalId).first<Record<string, unknown>>('status', 'currency', 'buffer_minutes', 'blocked_until', 'deposit_required_cents', 'deposit_applied_cents', 'deposit_released_cents', 'quote_id', 'overdue_at');
  const chargesOf = (rentalId: string) =>
    harness.rental('rental.rental_charges').where('rental_id', rentalId).orderBy(['created_at', 'type']).select<{ type: string; quantity: number; amount_cents: number; source: string }[]>('type', 'quantity', 'amount_cents', 'source');

  describe('the catalog', () => {
    it('defines a location, accepts the same definition again without an event, and refuses a taken name or an unknown zone', async () => {
      const id = randomUUID();
      const definition = { locationId: id, name: `Airport ${id.slice(0, 6)}`, type: 'custom', address: ' Terminal 2 ', timeZone: 'Europe/Lisbon' };

      const events = await harness.accepted('DefineLocation', definition);

      expect(events).toEqual([
        { type: 'rental.LocationDefined', key: id, payload: { locationId: id, name: definition.name, type: 'custom', address: 'Terminal 2', timeZone: 'Europe/Lisbon', definedAt: expect.any(Number) as number } },
      ]);
      expect(await harness.accepted('DefineLocation', definition)).toEqual([]);
      await harness.rejected('DefineLocation', { ...definition, locationId: randomUUID() }, 'RENTAL.LOCATION_NAME_TAKEN');
      await harness.rejected('DefineLocation', { ...definition, locationId: randomUUID(), name: 'Elsewhere', timeZone: 'Mars/Olympus' }, 'RENTAL.INVALID_TIME_ZONE');
      await harness.rejected('DefineLocation', { ...definition, locationId: randomUUID(), name: 'Elsewhere', type: 'harbour' }, 'RENTAL.INVALID_LOCATION');
    });

    it('sets a class buffer within a week, keyed by the class', async () => {
      const events = await harness.accepted('SetVehicleClassPolicy', { vehicleClass: 'van', bufferMinutes: 90 });

      expect(events).toEqual([{ type: 'rental.VehicleClassPolicySet', key: 'van', payload: { vehicleClass: 'van', bufferMinutes: 90, setAt: expect.any(Number) as number } }]);
      expect(await harness.rental('rental.vehicle_class_policies').where('vehicle_class', 'van').first('buffer_minutes')).toEqual({ buffer_minutes: 90 });
      await harness.rejected('SetVehicleClassPolicy', { vehicleClass: 'van', bufferMinutes: 10_081 }, 'RENTAL.INVALID_BUFFER');
      await harness.rejected('SetVehicleClassPolicy', { vehicleClass: 'Van!', bufferMinutes: 10 }, 'RENTAL.INVALID_VEHICLE_CLASS');
    });

    it('places a known vehicle at a known location', async () => {
      const vehicleId = await harness.vehicle();

      const events = await harness.accepted('AssignVehicleLocation', { vehicleId, locationId });

      expect(events).toEqual([
        { type: 'rental.VehicleLocationAssigned', key: vehicleId, payload: { vehicleId, locationId, previousLocationId: null, assignedAt: expect.any(Number) as number } },
      ]);
      expect(await harness.rental('rental.vehicles_view').where('vehicle_id', vehicleId).first('location_id')).toEqual({ location_id: locationId });
      await harness.rejected('AssignVehicleLocation', { vehicleId: randomUUID(), locationId }, 'RENTAL.VEHICLE_NOT_FOUND');
      await harness.rejected('AssignVehicleLocation', { vehicleId, locationId: randomUUID() }, 'RENTAL.LOCATION_NOT_FOUND');
    });

    it('defines a plan once, refuses bad terms, and retires it once', async () => {
      const planId = await harness.plan('suv', { depositMinor: 30_000 });
      const plan = { planId, name: 'Again', vehicleClass: 'suv', vehicleId: null, currency: 'EUR', dailyRateMinor: 1, hourlyRateMinor: 0, includedKmPerDay: 0, extraKmPriceMinor: 0, lateFeePerHourMinor: 0, lateGraceMinutes: 0, cancellationFeeMinor: 0, cancellationWindowHours: 0, depositMinor: 0, validFrom: null, validTo: null };

      expect(await harness.rental('rental.pricing_plans').where('id', planId).first('deposit_cents', 'status')).toEqual({ deposit_cents: 30_000, status: 'active' });
      await harness.rejected('DefinePricingPlan', plan, 'RENTAL.PRICING_PLAN_ALREADY_DEFINED');
      await harness.rejected('DefinePricingPlan', { ...plan, planId: randomUUID(), vehicleClass: null }, 'RENTAL.INVALID_PRICING_PLAN');
      await harness.rejected('DefinePricingPlan', { ...plan, planId: randomUUID(), dailyRateMinor: -1 }, 'RENTAL.INVALID_PRICING_PLAN');
      await harness.rejected('DefinePricingPlan', { ...plan, planId: randomUUID(), currency: 'eur' }, 'RENTAL.INVALID_CURRENCY');
      expect(await harness.accepted('RetirePricingPlan', { planId })).toEqual([
        { type: 'rental.PricingPlanRetired', key: planId, payload: { planId, retiredAt: expect.any(Number) as number } },
      ]);
      await harness.rejected('RetirePricingPlan', { planId }, 'RENTAL.PRICING_PLAN_ALREADY_RETIRED');
      await harness.rejected('RetirePricingPlan', { planId: randomUUID() }, 'RENTAL.PRICING_PLAN_NOT_FOUND');
    });
  });

  describe('quotes and reservations', () => {
    const quote = (change: Record<string, unknown>) => ({
      quoteId: randomUUID(),
      vehicleId: null,
      vehicleClass: null,
      originLocationId: locationId,
      destinationLocationId: locationId,
      startAt: hoursFromNow(3).getTime(),
      endAt: hoursFromNow(5).getTime(),
      ...change,
    });

    it("quotes a vehicle on its own plan before its class's, and a class on the class plan", async () => {
      const vehicleId = await harness.vehicle('estate');
      await harness.plan('estate');
      const ownPlanId = await harness.plan(null, { vehicleId, dailyRateMinor: 4_000 });

      const [quoted] = await harness.accepted('QuoteRental', quote({ vehicleId }));

      expect(quoted).toMatchObject({
        type: 'rental.RentalQuoted',
        payload: { vehicleId, vehicleClass: 'estate', planId: ownPlanId, totalMinor: 8_000, currency: 'EUR', chargedDays: 2, lines: [{ type: 'base', quantity: 2, unitAmountMinor: 4_000, amountMinor: 8_000 }] },
      });
      const [classQuote] = await harness.accepted('QuoteRental', quote({ vehicleClass: 'estate' }));
      expect(classQuote!.payload).toMatchObject({ vehicleId: null, totalMinor: 10_000 });
      expect((classQuote!.payload.expiresAt as number) - (classQuote!.payload.quotedAt as number)).toBe(30 * 60 * 1000);
    });

    it('refuses a quote without a plan, in the past, for an unknown vehicle or location, or without a vehicle or class', async () => {
      const vehicleId = await harness.vehicle('limousine');

      await harness.rejected('QuoteRental', quote({ vehicleId }), 'RENTAL.NO_PRICING_PLAN');
      await harness.plan('limousine');
      await harness.rejected('QuoteRental', quote({ vehicleId, startAt: Date.now() - HOUR_MS }), 'RENTAL.START_IN_PAST');
      await harness.rejected('QuoteRental', quote({ vehicleId: randomUUID() }), 'RENTAL.VEHICLE_NOT_FOUND');
      await harness.rejected('QuoteRental', quote({ vehicleId, originLocationId: randomUUID() }), 'RENTAL.LOCATION_NOT_FOUND');
      await harness.rejected('QuoteRental', quote({}), 'RENTAL.VEHICLE_OR_CLASS_REQUIRED');
      await harness.rejected('QuoteRental', quote({ vehicleId, vehicleClass: 'compact' }), 'RENTAL.VEHICLE_CLASS_MISMATCH');
      await harness.rejected('QuoteRental', quote({ vehicleId, endAt: hoursFromNow(3).getTime() }), 'RENTAL.INVALID_PERIOD');
    });

    it('reserves from a quote at its price once, stores the frozen terms and base charges, and refuses the quote again', async () => {
      const vehicleId = await harness.vehicle('coupe');
      const planId = await harness.plan('coupe', { depositMinor: 20_000 });
      const asked = quote({ vehicleClass: 'coupe' });
      await harness.accepted('QuoteRental', asked);
      // A later price for the class does not change what was quoted.
      await harness.accepted('RetirePricingPlan', { planId });
      await harness.plan('coupe', { dailyRateMinor: 9_999 });
      const rentalId = randomUUID();

      const events = await harness.accepted('ReserveRental', { rentalId, vehicleId, quoteId: asked.quoteId, customerId: null, originLocationId: null, destinationLocationId: null, startAt: null, endAt: null });

      expect(events).toEqual([
        {
          type: 'rental.RentalReserved',
          key: vehicleId,
          payload: {
            rentalId,
            vehicleId,
            customerId: null,
            quoteId: asked.quoteId,
            planId,
            originLocationId: locationId,
            destinationLocationId: locationId,
            startAt: asked.startAt,
            endAt: asked.endAt,
            blockedUntil: asked.endAt,
            currency: 'EUR',
            quotedTotalMinor: 10_000,
            lines: [{ type: 'base', description: '2 days × 5000', quantity: 2, unitAmountMinor: 5_000, amountMinor: 10_000 }],
            depositRequiredMinor: 20_000,
            reservedAt: expect.any(Number) as number,
          },
        },
      ]);
      expect(await rentalRow(rentalId)).toMatchObject({ status: 'reserved', currency: 'EUR', quote_id: asked.quoteId, deposit_required_cents: 20_000 });
      expect(await chargesOf(rentalId)).toEqual([{ type: 'base', quantity: 2, amount_cents: 10_000, source: 'quote' }]);
      expect(await harness.rental('rental.quotes_view').where('id', asked.quoteId).first('status', 'used_by_rental_id')).toEqual({ status: 'used', used_by_rental_id: rentalId });
      await harness.rejected('ReserveRental', { rentalId: randomUUID(), vehicleId, quoteId: asked.quoteId, customerId: null, originLocationId: null, destinationLocationId: null, startAt: null, endAt: null }, 'RENTAL.QUOTE_ALREADY_USED');
    });

    it('refuses an expired quote, a quote that does not match, and an unknown quote', async () => {
      const vehicleId = await harness.vehicle('cabrio');
      await harness.plan('cabrio');
      const asked = quote({ vehicleId });
      await harness.accepted('QuoteRental', asked);
      const fromQuote = (change: Record<string, unknown>) => ({ rentalId: randomUUID(), vehicleId, quoteId: asked.quoteId, customerId: null, originLocationId: null, destinationLocationId: null, startAt: null, endAt: null, ...change });

      await harness.rejected('ReserveRental', fromQuote({ startAt: hoursFromNow(4).getTime() }), 'RENTAL.QUOTE_MISMATCH');
      await harness.rejected('ReserveRental', fromQuote({ vehicleId: await harness.vehicle('cabrio') }), 'RENTAL.QUOTE_MISMATCH');
      await harness.rejected('ReserveRental', fromQuote({ quoteId: randomUUID() }), 'RENTAL.QUOTE_NOT_FOUND');
      harness.now = new Date(Date.now() + 31 * 60 * 1000);
      await harness.rejected('ReserveRental', fromQuote({}), 'RENTAL.QUOTE_EXPIRED');
    });

    it('prices a reservation without a quote from the plan, and refuses an overlap, a missing field, a decommissioned vehicle and no plan', async () => {
      const vehicleId = await harness.vehicle('pickup');
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3), hoursFromNow(4)), 'RENTAL.NO_PRICING_PLAN');
      await harness.plan('pickup');

      const [reserved] = await harness.accepted('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3), hoursFromNow(4)));

      expect(reserved!.payload).toMatchObject({ quotedTotalMinor: 5_000, depositRequiredMinor: 0 });
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3, 20), hoursFromNow(5)), 'RENTAL.VEHICLE_ALREADY_BOOKED');
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(6), hoursFromNow(7), { endAt: null }), 'RENTAL.INVALID_RESERVATION');
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, new Date(Date.now() - HOUR_MS), hoursFromNow(7)), 'RENTAL.START_IN_PAST');
      const decommissioned = await harness.event('fleet.VehicleStateChanged', { vehicleId, from: 'active', to: 'decommissioned', cause: 'DecommissionVehicle', reason: 'sold', at: Date.now(), actor: null });
      expect(await harness.runEvents(decommissioned)).toEqual(['accepted']);
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(8), hoursFromNow(9)), 'RENTAL.VEHICLE_DECOMMISSIONED');
    });

    it("keeps the class's buffer after each rental: a start inside it is refused, one at its end is accepted", async () => {
      await harness.accepted('SetVehicleClassPolicy', { vehicleClass: 'minibus', bufferMinutes: 120 });
      const vehicleId = await harness.vehicle('minibus');
      await harness.plan('minibus');
      const first = harness.reservation(vehicleId, locationId, hoursFromNow(3, 8), hoursFromNow(3, 12));

      const [reserved] = await harness.accepted('ReserveRental', first);

      expect(reserved!.payload.blockedUntil).toBe(hoursFromNow(3, 14).getTime());
      expect(await rentalRow(first.rentalId as string)).toMatchObject({ buffer_minutes: 120, blocked_until: hoursFromNow(3, 14) });
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3, 13), hoursFromNow(3, 15)), 'RENTAL.VEHICLE_ALREADY_BOOKED');
      // A rental ending right before the first one's start would be blocked into it by its own buffer.
      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3, 5), hoursFromNow(3, 7)), 'RENTAL.VEHICLE_ALREADY_BOOKED');
      await harness.accepted('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(3, 14), hoursFromNow(3, 16)));
    });

    it('refuses a reservation overlapping a scheduled maintenance window and accepts one adjacent to it', async () => {
      const vehicleId = await harness.vehicle('hatch');
      await harness.plan('hatch');
      const scheduled = await harness.event('maintenance.MaintenanceScheduled', {
        jobId: randomUUID(),
        vehicleId,
        kind: 'service',
        windowStart: hoursFromNow(4, 8).getTime(),
        windowEnd: hoursFromNow(4, 12).getTime(),
        title: 'maintenance',
        description: null,
        mechanicId: null,
        actor: null,
      });
      expect(await harness.runEvents(scheduled)).toEqual(['accepted']);

      await harness.rejected('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(4, 11), hoursFromNow(4, 15)), 'RENTAL.VEHICLE_IN_MAINTENANCE');
      await harness.accepted('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(4, 4), hoursFromNow(4, 8)));
      await harness.accepted('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(4, 12), hoursFromNow(4, 16)));
    });
  });

  describe('the life of a rental', () => {
    /** A reserved rental of a new vehicle on a plan with a deposit of 300.00, two days from tomorrow 10:00. */
    async function reserved(change: Record<string, unknown> = {}): Promise<{ rentalId: string; vehicleId: string; startAt: Date; endAt: Date; destinationId: string }> {
      const vehicleClass = `c${randomUUID().slice(0, 8)}`;
      const vehicleId = await harness.vehicle(vehicleClass);
      await harness.plan(vehicleClass, { depositMinor: 30_000, ...change });
      const destinationId = await harness.location('UTC');
      const startAt = hoursFromNow(1);
      const endAt = hoursFromNow(3);
      const reservation = harness.reservation(vehicleId, locationId, startAt, endAt, { destinationLocationId: destinationId });
      await harness.accepted('ReserveRental', reservation);
      return { rentalId: reservation.rentalId as string, vehicleId, startAt, endAt, destinationId };
    }

    const payment = (rentalId: string, change: Record<string, unknown> = {}) => ({
      paymentId: randomUUID(),
      rentalId,
      kind: 'payment',
      provider: 'card',
      amountMinor: 10_000,
      currency: 'EUR',
      providerReference: 'psp-1',
      ...change,
    });

    async function captured(rentalId: string, change: Record<string, unknown> = {}): Promise<string> {
      const recorded = payment(rentalId, change);
      await harness.accepted('RecordPayment', recorded);
      await harness.accepted('CapturePayment', { paymentId: recorded.paymentId, rentalId });
      return recorded.paymentId;
    }

    it('activates only with the deposit captured and not too early, and never twice', async () => {
      const { rentalId, vehicleId, startAt } = await reserved();
      const activation = { rentalId, odometerOutKm: 12_000, activatedAt: startAt.getTime() };
      harness.now = startAt;

      await harness.rejected('ActivateRental', activation, 'RENTAL.DEPOSIT_NOT_HELD');
      const pending = payment(rentalId, { kind: 'deposit', amountMinor: 30_000 });
      await harness.accepted('RecordPayment', pending);
      await harness.rejected('ActivateRental', activation, 'RENTAL.DEPOSIT_NOT_HELD');
      await harness.accepted('CapturePayment', { paymentId: pending.paymentId, rentalId });
      await harness.rejected('ActivateRental', { ...activation, activatedAt: startAt.getTime() - 2 * HOUR_MS }, 'RENTAL.TOO_EARLY');
      await harness.rejected('ActivateRental', { ...activation, activatedAt: startAt.getTime() + HOUR_MS }, 'RENTAL.TIME_IN_FUTURE');

      expect(await harness.accepted('ActivateRental', activation)).toEqual([
        { type: 'rental.RentalActivated', key: vehicleId, payload: { rentalId, vehicleId, activatedAt: startAt.getTime(), odometerOutKm: 12_000 } },
      ]);
      expect(await rentalRow(rentalId)).toMatchObject({ status: 'active' });
      await harness.rejected('ActivateRental', activation, 'RENTAL.INVALID_STATE');
      await harness.rejected('CancelRental', { rentalId, reason: 'changed my mind' }, 'RENTAL.INVALID_STATE');
      await harness.rejected('ActivateRental', { ...activation, rentalId: randomUUID() }, 'RENTAL.RENTAL_NOT_FOUND');
    });

    it('completes a late return with damages: final charges, the deposit applied to what is owed and the rest released, the vehicle at its destination', async () => {
      const { rentalId, vehicleId, startAt, endAt, destinationId } = await reserved();
      harness.now = startAt;
      await captured(rentalId, { kind: 'deposit', amountMinor: 30_000 });
      await captured(rentalId, { amountMinor: 4_000 });
      await harness.accepted('ActivateRental', { rentalId, odometerOutKm: 10_000, activatedAt: startAt.getTime() });
      // Two hours late (30 minutes of grace: 2 late hours at 15.00), 500 km driven of 400 included, one scratch.
      const returnedAt = new Date(endAt.getTime() + 2 * HOUR_MS);
      harness.now = returnedAt;
      const completion = { rentalId, odometerInKm: 10_500, returnedAt: returnedAt.getTime(), damages: [{ description: 'Scratch on the left door', amountMinor: 7_000 }], currency: 'EUR' };

      await harness.rejected('CompleteRental', { ...completion, odometerInKm: 9_999 }, 'RENTAL.ODOMETER_BELOW_PICKUP');
      await harness.rejected('CompleteRental', { ...completion, currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH');
      const [completed] = await harness.accepted('CompleteRental', completion);

      // Charges: 10,000 base + 3,000 late + 3,000 extra km + 7,000 damage = 23,000; paid 4,000; the deposit pays 19,000 and 11,000 goes back.
      expect(completed).toEqual({
        type: 'rental.RentalCompleted',
        key: vehicleId,
        payload: {
          rentalId,
          vehicleId,
          completedAt: returnedAt.getTime(),
          odometerInKm: 10_500,
          lines: [
            { type: 'late_fee', description: '2 late hours × 1500', quantity: 2, unitAmountMinor: 1_500, amountMinor: 3_000 },
            { type: 'extra_km', description: '100 extra km × 30', quantity: 100, unitAmountMinor: 30, amountMinor: 3_000 },
            { type: 'damage', description: 'Scratch on the left door', quantity: 1, unitAmountMinor: 7_000, amountMinor: 7_000 },
          ],
          totalMinor: 23_000,
          currency: 'EUR',
          depositAppliedMinor: 19_000,
          depositReleasedMinor: 11_000,
          destinationLocationId: destinationId,
        },
      });
      expect(await rentalRow(rentalId)).toMatchObject({ status: 'completed', deposit_applied_cents: 19_000, deposit_released_cents: 11_000 });
      expect((await chargesOf(rentalId)).map((charge) => [charge.type, charge.amount_cents, charge.source])).toEqual([
        ['base', 10_000, 'quote'],
        ['damage', 7_000, 'completion'],
        ['extra_km', 3_000, 'completion'],
        ['late_fee', 3_000, 'completion'],
      ]);
      expect(await harness.rental('rental.rentals_view').where('id', rentalId).first('charges_total_cents')).toEqual({ charges_total_cents: 23_000 });
      expect(await harness.rental('rental.vehicles_view').where('vehicle_id', vehicleId).first('location_id')).toEqual({ location_id: destinationId });
      await harness.rejected('CompleteRental', completion, 'RENTAL.INVALID_STATE');
    });

    it('cancels a reservation with the fee inside the window and without it outside', async () => {
      const inside = await reserved();
      harness.now = new Date(inside.startAt.getTime() - 2 * HOUR_MS);
      const [cancelled] = await harness.accepted('CancelRental', { rentalId: inside.rentalId, reason: ' plans changed ' });

      expect(cancelled).toEqual({
        type: 'rental.RentalCancelled',
        key: inside.vehicleId,
        payload: { rentalId: inside.rentalId, vehicleId: inside.vehicleId, feeMinor: 2_500, currency: 'EUR', reason: 'plans changed', cancelledAt: expect.any(Number) as number },
      });
      expect((await chargesOf(inside.rentalId)).map((charge) => [charge.type, charge.amount_cents, charge.source])).toEqual([
        ['base', 10_000, 'quote'],
        ['cancellation_fee', 2_500, 'cancellation'],
      ]);
      await harness.rejected('CancelRental', { rentalId: inside.rentalId, reason: 'again' }, 'RENTAL.INVALID_STATE');

      harness.now = undefined;
      const outside = await reserved({ cancellationWindowHours: 1 });
      const [free] = await harness.accepted('CancelRental', { rentalId: outside.rentalId, reason: 'plans changed' });
      expect(free!.payload.feeMinor).toBe(0);
      expect(await chargesOf(outside.rentalId)).toHaveLength(1);
      await harness.rejected('CancelRental', { rentalId: outside.rentalId, reason: ' ' }, 'RENTAL.INVALID_STATE');
    });

    it('adds charges and discounts as new lines, never a discount above the total, always in the rental currency', async () => {
      const { rentalId } = await reserved();
      const charge = { chargeId: randomUUID(), rentalId, type: 'discount', description: 'Loyal customer', quantity: 1, amountMinor: 1_000, currency: 'EUR' };

      expect(await harness.accepted('AddCharge', charge)).toEqual([
        { type: 'rental.ChargeAdded', key: rentalId, payload: { chargeId: charge.chargeId, rentalId, type: 'discount', description: 'Loyal customer', quantity: 1, amountMinor: 1_000, currency: 'EUR', addedAt: expect.any(Number) as number } },
      ]);
      expect(await harness.rental('rental.rentals_view').where('id', rentalId).first('charges_total_cents')).toEqual({ charges_total_cents: 9_000 });
      await harness.rejected('AddCharge', charge, 'RENTAL.CHARGE_ALREADY_ADDED');
      await harness.rejected('AddCharge', { ...charge, chargeId: randomUUID(), amountMinor: 9_001 }, 'RENTAL.DISCOUNT_EXCEEDS_TOTAL');
      await harness.rejected('AddCharge', { ...charge, chargeId: randomUUID(), currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH');
      await harness.rejected('AddCharge', { ...charge, chargeId: randomUUID(), type: 'cancellation_fee' }, 'RENTAL.INVALID_CHARGE');
      await harness.rejected('AddCharge', { ...charge, chargeId: randomUUID(), amountMinor: 0 }, 'RENTAL.INVALID_CHARGE');
      await harness.rejected('AddCharge', { ...charge, chargeId: randomUUID(), rentalId: randomUUID() }, 'RENTAL.RENTAL_NOT_FOUND');
    });

    it('captures or fails a pending payment once, and refunds captured money up to what was captured', async () => {
      const { rentalId } = await reserved();
      const recorded = payment(rentalId);

      expect(await harness.accepted('RecordPayment', recorded)).toEqual([
        { type: 'rental.PaymentRecorded', key: rentalId, payload: { paymentId: recorded.paymentId, rentalId, kind: 'payment', provider: 'card', amountMinor: 10_000, currency: 'EUR', providerReference: 'psp-1', recordedAt: expect.any(Number) as number } },
      ]);
      await harness.rejected('RecordPayment', recorded, 'RENTAL.PAYMENT_ALREADY_RECORDED');
      await harness.rejected('RecordPayment', payment(rentalId, { currency: 'GBP' }), 'RENTAL.CURRENCY_MISMATCH');
      await harness.rejected('RecordPayment', payment(rentalId, { provider: 'cheque' }), 'RENTAL.INVALID_PAYMENT');
      const refund = (amountMinor: number) => ({ refundId: randomUUID(), paymentId: recorded.paymentId, rentalId, amountMinor, currency: 'EUR', reason: 'goodwill' });
      await harness.rejected('RefundPayment', refund(100), 'RENTAL.PAYMENT_NOT_CAPTURED');

      expect(await harness.accepted('CapturePayment', { paymentId: recorded.paymentId, rentalId })).toEqual([
        { type: 'rental.PaymentCaptured', key: rentalId, payload: { paymentId: recorded.paymentId, rentalId, kind: 'payment', provider: 'card', amountMinor: 10_000, currency: 'EUR', capturedAt: expect.any(Number) as number } },
      ]);
      await harness.rejected('CapturePayment', { paymentId: recorded.paymentId, rentalId }, 'RENTAL.PAYMENT_NOT_PENDING');
      await harness.rejected('FailPayment', { paymentId: recorded.paymentId, rentalId, reason: 'declined' }, 'RENTAL.PAYMENT_NOT_PENDING');
      await harness.rejected('CapturePayment', { paymentId: recorded.paymentId, rentalId: randomUUID() }, 'RENTAL.PAYMENT_NOT_FOUND');

      const first = refund(6_000);
      expect(await harness.accepted('RefundPayment', first)).toEqual([
        { type: 'rental.PaymentRefunded', key: rentalId, payload: { refundId: first.refundId, paymentId: recorded.paymentId, rentalId, kind: 'payment', amountMinor: 6_000, currency: 'EUR', reason: 'goodwill', refundedAt: expect.any(Number) as number } },
      ]);
      await harness.rejected('RefundPayment', first, 'RENTAL.REFUND_ALREADY_RECORDED');
      await harness.rejected('RefundPayment', refund(4_001), 'RENTAL.REFUND_EXCEEDS_CAPTURED');
      await harness.rejected('RefundPayment', { ...refund(100), currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH');
      await harness.accepted('RefundPayment', refund(4_000));
      await harness.rejected('RefundPayment', refund(1), 'RENTAL.REFUND_EXCEEDS_CAPTURED');
      expect(await harness.rental('rental.rental_payments_view').where('id', recorded.paymentId).first('status', 'refunded_cents')).toEqual({ status: 'captured', refunded_cents: 10_000 });

      const declined = payment(rentalId);
      await harness.accepted('RecordPayment', declined);
      const [failed] = await harness.accepted('FailPayment', { paymentId: declined.paymentId, rentalId, reason: 'card declined' });
      expect(failed).toMatchObject({ type: 'rental.PaymentFailed', payload: { paymentId: declined.paymentId, reason: 'card declined', amountMinor: 10_000, currency: 'EUR' } });
    });
  });

  it('answers the gateway with a rental resource path and one result per command', async () => {
    const vehicleId = await harness.vehicle('roadster');
    await harness.plan('roadster');
    const reservation = harness.reservation(vehicleId, locationId, hoursFromNow(2), new Date(hoursFromNow(2).getTime() + DAY_MS));
    const sent = await harness.command('ReserveRental', reservation);
    await harness.run(sent);

    const result = await harness.rental('rental.outbox_events').where('event_type', 'platform.CommandResult').where('aggregate_id', sent.id).first<{ payload: Record<string, unknown> }>('payload');
    expect(result.payload).toMatchObject({ status: 'accepted', aggregateId: reservation.rentalId, resourcePath: `/v1/rentals/${reservation.rentalId as string}` });
  });
});
