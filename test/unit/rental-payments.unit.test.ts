import { decideCapturePayment, decideFailPayment, decideRecordPayment, decideRefundPayment, type RecordPayment, type RefundPayment } from '../../processors/rental/payments';
import type { Payment, Rental } from '../../processors/rental/rental-state';
import type { CommandContext } from '../../processors/runtime/command-handler';

/** Payments, deposits and refunds: one currency per rental, pending until settled, refunds bounded by captured money. */
describe('payment rules', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const context: CommandContext = {
    now,
    metadata: { messageId: 'm-1', messageType: 'x', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
  };
  const rentalId = '4b000000-0000-4000-8000-000000000001';
  const paymentId = '4b000000-0000-4000-8000-000000000002';
  const rental: Rental = {
    id: rentalId,
    vehicleId: '4b000000-0000-4000-8000-000000000003',
    customerId: null,
    originLocationId: '4b000000-0000-4000-8000-000000000004',
    destinationLocationId: '4b000000-0000-4000-8000-000000000004',
    timeZone: 'UTC',
    startAt: now,
    endAt: new Date(now.getTime() + 86_400_000),
    blockedUntil: new Date(now.getTime() + 86_400_000),
    status: 'reserved',
    currency: 'EUR',
    terms: { currency: 'EUR', dailyRateMinor: 5_000, hourlyRateMinor: 0, includedKmPerDay: 0, extraKmPriceMinor: 0, lateFeePerHourMinor: 0, lateGraceMinutes: 0, cancellationFeeMinor: 0, cancellationWindowHours: 0, depositMinor: 0 },
    depositRequiredMinor: 0,
    odometerOutKm: null,
    pickedUpAt: null,
  };
  const captured: Payment = { id: paymentId, rentalId, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR', status: 'captured', refundedMinor: 10_000 };
  const reasonOf = (decision: { kind: string; reasonCode?: string }) => (decision.kind === 'rejected' ? decision.reasonCode : decision.kind);

  describe('RecordPayment', () => {
    const command: RecordPayment = { paymentId, rentalId, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR', providerReference: 'psp-42' };

    it('records a pending payment in the rental currency', () => {
      expect(decideRecordPayment({ rental, paymentExists: false }, command, context)).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.PaymentRecorded', aggregateId: rentalId, payload: { paymentId, rentalId, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR', providerReference: 'psp-42', recordedAt: now.getTime() } }],
      });
    });

    it.each([
      ['an unknown rental', { rental: undefined }, {}, 'RENTAL.RENTAL_NOT_FOUND'],
      ['an existing payment id', { paymentExists: true }, {}, 'RENTAL.PAYMENT_ALREADY_RECORDED'],
      ['an unknown kind', {}, { kind: 'tip' }, 'RENTAL.INVALID_PAYMENT'],
      ['an unknown provider', {}, { provider: 'cheque' }, 'RENTAL.INVALID_PAYMENT'],
      ['a zero amount', {}, { amountMinor: 0 }, 'RENTAL.INVALID_PAYMENT'],
      ['a long provider reference', {}, { providerReference: 'x'.repeat(201) }, 'RENTAL.INVALID_PAYMENT'],
      ['another currency', {}, { currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH'],
      ['a deposit after the return', { rental: { ...rental, status: 'completed' } }, {}, 'RENTAL.INVALID_STATE'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideRecordPayment({ rental, paymentExists: false, ...stateChange }, { ...command, ...commandChange }, context))).toBe(reasonCode);
    });
  });

  describe('CapturePayment and FailPayment', () => {
    const pending: Payment = { ...captured, status: 'pending', refundedMinor: 0 };

    it('captures or fails a pending payment', () => {
      expect(decideCapturePayment({ payment: pending }, { paymentId, rentalId, reason: null }, context)).toMatchObject({ kind: 'accepted', events: [{ type: 'rental.PaymentCaptured', payload: { kind: 'deposit', amountMinor: 30_000, currency: 'EUR', provider: 'card' } }] });
      expect(decideFailPayment({ payment: pending }, { paymentId, rentalId, reason: ' declined ' }, context)).toMatchObject({ kind: 'accepted', events: [{ type: 'rental.PaymentFailed', payload: { reason: 'declined' } }] });
    });

    it('refuses an unknown or settled payment, and a failure without a reason', () => {
      expect(reasonOf(decideCapturePayment({ payment: undefined }, { paymentId, rentalId, reason: null }, context))).toBe('RENTAL.PAYMENT_NOT_FOUND');
      expect(reasonOf(decideCapturePayment({ payment: captured }, { paymentId, rentalId, reason: null }, context))).toBe('RENTAL.PAYMENT_NOT_PENDING');
      expect(reasonOf(decideFailPayment({ payment: { ...pending, status: 'failed' } }, { paymentId, rentalId, reason: 'x' }, context))).toBe('RENTAL.PAYMENT_NOT_PENDING');
      expect(reasonOf(decideFailPayment({ payment: pending }, { paymentId, rentalId, reason: '' }, context))).toBe('RENTAL.INVALID_REASON');
    });
  });

  describe('RefundPayment', () => {
    const command: RefundPayment = { refundId: '4b000000-0000-4000-8000-000000000009', paymentId, rentalId, amountMinor: 20_000, currency: 'EUR', reason: 'returned early' };

    it('refunds up to what is left of the captured amount', () => {
      expect(decideRefundPayment({ payment: captured, refundExists: false }, command, context)).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.PaymentRefunded', aggregateId: rentalId, payload: { refundId: command.refundId, paymentId, rentalId, kind: 'deposit', amountMinor: 20_000, currency: 'EUR', reason: 'returned early' } }],
      });
    });

    it.each([
      ['an unknown payment', { payment: undefined }, {}, 'RENTAL.PAYMENT_NOT_FOUND'],
      ['an existing refund id', { refundExists: true }, {}, 'RENTAL.REFUND_ALREADY_RECORDED'],
      ['a zero amount', {}, { amountMinor: 0 }, 'RENTAL.INVALID_REFUND'],
      ['no reason', {}, { reason: ' ' }, 'RENTAL.INVALID_REASON'],
      ['another currency', {}, { currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH'],
      ['a pending payment', { payment: { ...captured, status: 'pending', refundedMinor: 0 } }, {}, 'RENTAL.PAYMENT_NOT_CAPTURED'],
      ['more than is left', {}, { amountMinor: 20_001 }, 'RENTAL.REFUND_EXCEEDS_CAPTURED'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideRefundPayment({ payment: captured, refundExists: false, ...stateChange }, { ...command, ...commandChange }, context))).toBe(reasonCode);
    });
  });
});
