import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
import {
  decideCapturePayment,
  decideFailPayment,
  decideRecordPayment,
  decideRefundPayment,
  parseCapturePayment,
  parseFailPayment,
  parseRecordPayment,
  parseRefundPayment,
  type PaymentKind,
  type PaymentProvider,
  type PaymentState,
  type RecordPayment,
  type RecordPaymentState,
  type RefundPayment,
  type RefundPaymentState,
  type SettlePayment,
} from './payments';
import type { RentalRepository } from './rental.repository';

/**
 * Payments and deposits of a rental: recorded, captured or failed, and refunded. Each locks the
 * rental first (then the payment), like the pick-up and the return that read what is paid, so a
 * deposit cannot be refunded while a pick-up is counting on it.
 */
export function paymentHandlers(rentals: RentalRepository): CommandHandler[] {
  const recordPayment: CommandHandler<RecordPayment, RecordPaymentState> = {
    commandType: 'rental.RecordPayment',
    parse: parseRecordPayment,
    load: async (transaction, command) => ({ rental: await rentals.lockRental(transaction, command.rentalId), paymentExists: await rentals.paymentExists(transaction, command.paymentId) }),
    decide: decideRecordPayment,
    apply: async (transaction, _decision, command, context) => {
      await rentals.recordPayment(transaction, {
        id: command.paymentId,
        rentalId: command.rentalId,
        kind: command.kind as PaymentKind,
        provider: command.provider as PaymentProvider,
        amountMinor: command.amountMinor,
        currency: command.currency,
        providerReference: command.providerReference,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      return undefined;
    },
  };

  const settle = (commandType: string, status: 'captured' | 'failed', parse: (value: unknown) => SettlePayment, decide: CommandHandler<SettlePayment, PaymentState>['decide']): CommandHandler<SettlePayment, PaymentState> => ({
    commandType,
    parse,
    load: async (transaction, command) => {
      await rentals.lockRental(transaction, command.rentalId);
      return { payment: await rentals.lockPayment(transaction, command.rentalId, command.paymentId) };
    },
    decide,
    apply: async (transaction, _decision, command, context) => {
      await rentals.settlePayment(transaction, { paymentId: command.paymentId, status, at: context.now, reason: command.reason?.trim() ?? null, actorId: userIdOrNull(context.metadata.actor) });
      return undefined;
    },
  });

  const refundPayment: CommandHandler<RefundPayment, RefundPaymentState> = {
    commandType: 'rental.RefundPayment',
    parse: parseRefundPayment,
    load: async (transaction, command) => {
      await rentals.lockRental(transaction, command.rentalId);
      return { payment: await rentals.lockPayment(transaction, command.rentalId, command.paymentId), refundExists: await rentals.refundExists(transaction, command.refundId) };
    },
    decide: decideRefundPayment,
    apply: async (transaction, _decision, command, context) => {
      const refunded = await rentals.refund(transaction, {
        id: command.refundId,
        paymentId: command.paymentId,
        amountMinor: command.amountMinor,
        currency: command.currency,
        reason: command.reason.trim(),
        at: context.now,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      return refunded === 'exceeds_captured' ? reject('RENTAL.REFUND_EXCEEDS_CAPTURED', `Payment ${command.paymentId} has less than ${command.amountMinor} left to refund.`) : undefined;
    },
  };

  return [
    recordPayment,
    settle('rental.CapturePayment', 'captured', parseCapturePayment, decideCapturePayment),
    settle('rental.FailPayment', 'failed', parseFailPayment, decideFailPayment),
    refundPayment,
  ];
}
