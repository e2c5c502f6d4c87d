import { reject, type CommandContext, type Decision, type DomainEvent, type Rejection } from '../runtime/command-handler';
import { isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkAmount, checkText, isRejection, pricedRental, rentalNotFound, TEXT_LENGTH_MAX } from './rental-rules';
import { PAYMENT_KINDS, PAYMENT_PROVIDERS, type Payment, type PaymentKind, type PaymentProvider, type Rental } from './rental-state';

/** rental.RecordPayment, as decoded from Avro. */
export interface RecordPayment {
  readonly paymentId: string;
  readonly rentalId: string;
  readonly kind: string;
  readonly provider: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly providerReference: string | null;
}

/** rental.CapturePayment and rental.FailPayment (reason null for a capture), as decoded from Avro. */
export interface SettlePayment {
  readonly paymentId: string;
  readonly rentalId: string;
  readonly reason: string | null;
}

/** rental.RefundPayment, as decoded from Avro. */
export interface RefundPayment {
  readonly refundId: string;
  readonly paymentId: string;
  readonly rentalId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
}

export interface RecordPaymentState {
  readonly rental: Rental | undefined;
  readonly paymentExists: boolean;
}

export interface PaymentState {
  /** The payment, when it exists and belongs to the rental named. */
  readonly payment: Payment | undefined;
}

export interface RefundPaymentState extends PaymentState {
  readonly refundExists: boolean;
}

export const PROVIDER_REFERENCE_LENGTH_MAX = 200;

function paymentEvent(type: string, payment: { rentalId: string }, payload: Record<string, unknown>): DomainEvent {
  return { type, aggregateType: 'rental', aggregateId: payment.rentalId, payload };
}

function accepted(rentalId: string, events: DomainEvent[]): Decision {
  return { kind: 'accepted', aggregateId: rentalId, resourcePath: `/v1/rentals/${rentalId}`, events };
}

/**
 * Records a payment or a deposit, pending until the provider captures or fails it. Every payment of
 * a rental is in the rental's currency. A deposit is taken only before the return.
 */
export function decideRecordPayment(state: RecordPaymentState, command: RecordPayment, context: CommandContext): Decision {
  const { rental } = state;
  if (rental === undefined) return rentalNotFound(command.rentalId);
  if (state.paymentExists) return reject('RENTAL.PAYMENT_ALREADY_RECORDED', `Payment ${command.paymentId} exists already.`);
  if (!(PAYMENT_KINDS as readonly string[]).includes(command.kind)) return reject('RENTAL.INVALID_PAYMENT', `kind must be one of ${PAYMENT_KINDS.join(', ')}.`);
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(command.provider)) return reject('RENTAL.INVALID_PAYMENT', `provider must be one of ${PAYMENT_PROVIDERS.join(', ')}.`);
  const invalid =
    checkAmount('amountMinor', command.amountMinor, 'RENTAL.INVALID_PAYMENT') ??
    (command.providerReference !== null && command.providerReference.length > PROVIDER_REFERENCE_LENGTH_MAX
      ? reject('RENTAL.INVALID_PAYMENT', `providerReference must have at most ${PROVIDER_REFERENCE_LENGTH_MAX} characters.`)
      : undefined);
  if (invalid !== undefined) return invalid;
  const priced = pricedRental(rental);
  if (isRejection(priced)) return priced;
  if (command.currency !== priced.currency) return reject('RENTAL.CURRENCY_MISMATCH', `Rental ${rental.id} is in ${priced.currency}, not ${command.currency}.`);
  if (command.kind === 'deposit' && rental.status !== 'reserved' && rental.status !== 'active') {
    return reject('RENTAL.INVALID_STATE', `Rental ${rental.id} is ${rental.status}; a deposit is taken only on a reserved or active rental.`);
  }
  return accepted(rental.id, [
    paymentEvent('rental.PaymentRecorded', command, {
      paymentId: command.paymentId,
      rentalId: rental.id,
      kind: command.kind,
      provider: command.provider,
      amountMinor: command.amountMinor,
      currency: priced.currency,
      providerReference: command.providerReference,
      recordedAt: context.now.getTime(),
    }),
  ]);
}

function checkPending(payment: Payment | undefined, command: SettlePayment): Payment | Rejection {
  if (payment === undefined) return reject('RENTAL.PAYMENT_NOT_FOUND', `Rental ${command.rentalId} has no payment ${command.paymentId}.`);
  if (payment.status !== 'pending') return reject('RENTAL.PAYMENT_NOT_PENDING', `Payment ${payment.id} is ${payment.status}; only a pending payment can be settled.`);
  return payment;
}

/** The provider confirmed a pending payment: the money is held. */
export function decideCapturePayment(state: PaymentState, command: SettlePayment, context: CommandContext): Decision {
  const payment = checkPending(state.payment, command);
  if (isRejection(payment)) return payment;
  return accepted(payment.rentalId, [
    paymentEvent('rental.PaymentCaptured', payment, {
      paymentId: payment.id,
      rentalId: payment.rentalId,
      kind: payment.kind,
      provider: payment.provider,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      capturedAt: context.now.getTime(),
    }),
  ]);
}

/** The provider refused a pending payment. */
export function decideFailPayment(state: PaymentState, command: SettlePayment, context: CommandContext): Decision {
  const payment = checkPending(state.payment, command);
  if (isRejection(payment)) return payment;
  const invalid = checkText('reason', command.reason ?? '', TEXT_LENGTH_MAX, 'RENTAL.INVALID_REASON');
  if (invalid !== undefined) return invalid;
  return accepted(payment.rentalId, [
    paymentEvent('rental.PaymentFailed', payment, {
      paymentId: payment.id,
      rentalId: payment.rentalId,
      kind: payment.kind,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      reason: (command.reason ?? '').trim(),
      failedAt: context.now.getTime(),
    }),
  ]);
}

/**
 * Gives back captured money: never from a payment that is not captured, never more than captured
 * less what was refunded already (the database refuses that too, whatever wrote the refund).
 */
export function decideRefundPayment(state: RefundPaymentState, command: RefundPayment, context: CommandContext): Decision {
  const { payment } = state;
  if (payment === undefined) return reject('RENTAL.PAYMENT_NOT_FOUND', `Rental ${command.rentalId} has no payment ${command.paymentId}.`);
  if (state.refundExists) return reject('RENTAL.REFUND_ALREADY_RECORDED', `Refund ${command.refundId} exists already.`);
  const invalid = checkAmount('amountMinor', command.amountMinor, 'RENTAL.INVALID_REFUND') ?? checkText('reason', command.reason, TEXT_LENGTH_MAX, 'RENTAL.INVALID_REASON');
  if (invalid !== undefined) return invalid;
  if (command.currency !== payment.currency) return reject('RENTAL.CURRENCY_MISMATCH', `Payment ${payment.id} is in ${payment.currency}, not ${command.currency}.`);
  if (payment.status !== 'captured') return reject('RENTAL.PAYMENT_NOT_CAPTURED', `Payment ${payment.id} is ${payment.status}; only captured money can be refunded.`);
  const refundableMinor = payment.amountMinor - payment.refundedMinor;
  if (command.amountMinor > refundableMinor) {
    return reject('RENTAL.REFUND_EXCEEDS_CAPTURED', `Payment ${payment.id} has ${refundableMinor} left to refund of ${payment.amountMinor} captured.`);
  }
  return accepted(payment.rentalId, [
    paymentEvent('rental.PaymentRefunded', payment, {
      refundId: command.refundId,
      paymentId: payment.id,
      rentalId: payment.rentalId,
      kind: payment.kind,
      amountMinor: command.amountMinor,
      currency: payment.currency,
      reason: command.reason.trim(),
      refundedAt: context.now.getTime(),
    }),
  ]);
}

export function parseRecordPayment(value: unknown): RecordPayment {
  const field = recordOf('RecordPayment', value);
  return {
    paymentId: field('paymentId', isString),
    rentalId: field('rentalId', isString),
    kind: field('kind', isString),
    provider: field('provider', isString),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
    providerReference: field('providerReference', isNullableString),
  };
}

export function parseCapturePayment(value: unknown): SettlePayment {
  const field = recordOf('CapturePayment', value);
  return { paymentId: field('paymentId', isString), rentalId: field('rentalId', isString), reason: null };
}

export function parseFailPayment(value: unknown): SettlePayment {
  const field = recordOf('FailPayment', value);
  return { paymentId: field('paymentId', isString), rentalId: field('rentalId', isString), reason: field('reason', isString) };
}

export function parseRefundPayment(value: unknown): RefundPayment {
  const field = recordOf('RefundPayment', value);
  return {
    refundId: field('refundId', isString),
    paymentId: field('paymentId', isString),
    rentalId: field('rentalId', isString),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
    reason: field('reason', isString),
  };
}

export type { PaymentKind, PaymentProvider };
