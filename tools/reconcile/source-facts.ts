import type { Knex } from 'knex';
import { PROVIDER_ACCOUNTS, type PostingFacts } from '../../processors/ledger/posting-rules';
import type { ChargeLine, PostableEvent } from '../../processors/ledger/source-events';

/** A fact as the owning context's tables hold it, with what the posting rules need besides it. */
export interface SourceFact {
  readonly event: PostableEvent;
  readonly facts: PostingFacts;
}

const DISTANT_PAST = new Date(0);

/**
 * Every fact of the rental and maintenance schemas that books money, rebuilt from their tables as
 * the events that announced them: completed rentals (with the charges of their reservation and
 * their return), cancellations, charges added by hand, captured payments, refunds and completed
 * maintenance jobs. Read with the administrator's login, which sees every schema.
 */
export async function readSourceFacts(database: Knex): Promise<SourceFact[]> {
  const charges = await database('rental.rental_charges')
    .select<{ id: string; rental_id: string; type: string; amount_cents: string; currency: string; source: string; created_at: Date }[]>('id', 'rental_id', 'type', 'amount_cents', 'currency', 'source', 'created_at');
  const chargesOf = (rentalId: string, source: string): ChargeLine[] =>
    charges.filter((charge) => charge.rental_id === rentalId && charge.source === source).map((charge) => ({ type: charge.type, amountMinor: Number(charge.amount_cents) }));

  const rentals = await database('rental.rentals')
    .select<{ id: string; status: string; currency: string | null; deposit_applied_cents: string | null; returned_at: Date | null; cancelled_at: Date | null }[]>('id', 'status', 'currency', 'deposit_applied_cents', 'returned_at', 'cancelled_at')
    .whereIn('status', ['completed', 'cancelled']);
  const facts: SourceFact[] = [];
  for (const rental of rentals) {
    if (rental.status === 'completed') {
      facts.push({
        event: {
          type: 'rental.RentalCompleted',
          rentalId: rental.id,
          completedAt: rental.returned_at ?? DISTANT_PAST,
          lines: chargesOf(rental.id, 'completion'),
          currency: rental.currency,
          depositAppliedMinor: rental.deposit_applied_cents === null ? null : Number(rental.deposit_applied_cents),
        },
        facts: { reservedLines: chargesOf(rental.id, 'quote') },
      });
    } else if (rental.currency !== null) {
      const feeMinor = chargesOf(rental.id, 'cancellation').reduce((sum, line) => sum + line.amountMinor, 0);
      facts.push({ event: { type: 'rental.RentalCancelled', rentalId: rental.id, feeMinor, currency: rental.currency, cancelledAt: rental.cancelled_at ?? DISTANT_PAST }, facts: {} });
    }
  }
  for (const charge of charges.filter((candidate) => candidate.source === 'manual')) {
    facts.push({
      event: { type: 'rental.ChargeAdded', chargeId: charge.id, rentalId: charge.rental_id, chargeType: charge.type, amountMinor: Number(charge.amount_cents), currency: charge.currency, addedAt: charge.created_at },
      facts: {},
    });
  }

  const payments = await database('rental.rental_payments')
    .select<{ id: string; rental_id: string; kind: string; provider: string; amount_cents: string; currency: string; captured_at: Date }[]>('id', 'rental_id', 'kind', 'provider', 'amount_cents', 'currency', 'captured_at')
    .whereNotNull('captured_at');
  for (const payment of payments) {
    facts.push({
      event: { type: 'rental.PaymentCaptured', paymentId: payment.id, rentalId: payment.rental_id, kind: payment.kind, provider: payment.provider, amountMinor: Number(payment.amount_cents), currency: payment.currency, capturedAt: payment.captured_at },
      facts: {},
    });
  }
  const refunds: { id: string; payment_id: string; rental_id: string; kind: string; provider: string; amount_cents: string; currency: string; refunded_at: Date }[] = await database('rental.payment_refunds as r')
    .join('rental.rental_payments as p', 'p.id', 'r.payment_id')
    .select('r.id', 'r.payment_id', 'p.rental_id', 'p.kind', 'p.provider', 'r.amount_cents', 'p.currency', 'r.refunded_at');
  for (const refund of refunds) {
    facts.push({
      event: { type: 'rental.PaymentRefunded', refundId: refund.id, paymentId: refund.payment_id, rentalId: refund.rental_id, kind: refund.kind, amountMinor: Number(refund.amount_cents), currency: refund.currency, refundedAt: refund.refunded_at },
      facts: { heldAccount: PROVIDER_ACCOUNTS[refund.provider] },
    });
  }

  const jobs = await database('maintenance.maintenance_jobs_view')
    .select<{ id: string; completed_at: Date; labor_cost_cents: string | null; parts_cost_cents: string | null; currency: string | null }[]>('id', 'completed_at', 'labor_cost_cents', 'parts_cost_cents', 'currency')
    .where('status', 'completed');
  for (const job of jobs) {
    facts.push({
      event: {
        type: 'maintenance.MaintenanceCompleted',
        jobId: job.id,
        completedAt: job.completed_at,
        laborCostMinor: job.labor_cost_cents === null ? null : Number(job.labor_cost_cents),
        partsCostMinor: job.parts_cost_cents === null ? null : Number(job.parts_cost_cents),
        currency: job.currency,
      },
      facts: {},
    });
  }
  return facts;
}
