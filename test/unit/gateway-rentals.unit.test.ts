import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor, rentalTotals, type Payment } from '../../gateway/queries/rental.queries';
import { noneMatch } from '../../gateway/routes/rental-queries.routes';
import { windowOf } from '../../gateway/routes/rental-fields';
import { ProblemError } from '../../gateway/middleware/problem';

/** The rental routes' and reads' pure pieces: windows, cursors, conditional reads, a rental's totals. */

function payment(fields: Partial<Payment>): Payment {
  return {
    id: randomUUID(),
    kind: 'payment',
    provider: 'card',
    amountMinor: 0,
    currency: 'EUR',
    status: 'captured',
    providerReference: null,
    refundedMinor: 0,
    capturedAt: null,
    failedAt: null,
    failureReason: null,
    createdAt: '2027-01-01T00:00:00.000Z',
    refunds: [],
    ...fields,
  };
}

function problemOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, errors: error.extra.errors };
    throw error;
  }
  throw new Error('no problem was raised');
}

describe('a rental window from a request', () => {
  it('is epoch milliseconds of both ends, whatever their offsets', () => {
    expect(windowOf('2027-03-01T09:00:00+01:00', '2027-03-01T10:30:00Z')).toEqual({ startAt: Date.parse('2027-03-01T08:00:00Z'), endAt: Date.parse('2027-03-01T10:30:00Z') });
  });

  it('must end after it starts, and last at most 366 days', () => {
    expect(problemOf(() => windowOf('2027-03-01T09:00:00Z', '2027-03-01T09:00:00Z'))).toEqual({ status: 400, errors: [{ field: 'endAt', message: 'must be after startAt' }] });
    expect(windowOf('2027-01-01T00:00:00Z', '2028-01-02T00:00:00Z').endAt).toBe(Date.parse('2028-01-02T00:00:00Z'));
    expect(problemOf(() => windowOf('2027-01-01T00:00:00Z', '2028-01-02T00:00:01Z'))).toEqual({
      status: 400,
      errors: [{ field: 'endAt', message: 'must be at most 366 days after startAt' }],
    });
  });
});

describe('a page cursor', () => {
  const id = randomUUID();

  it('round-trips its parts', () => {
    expect(decodeCursor(encodeCursor(['1798761600000000', id]), 2)).toEqual(['1798761600000000', id]);
  });

  it('is refused when it is not one the list handed out', () => {
    expect(decodeCursor('not base64url!', 2)).toBeUndefined();
    expect(decodeCursor(encodeCursor(['a', id]), 3)).toBeUndefined();
    expect(decodeCursor(encodeCursor(['a', 'not-an-id']), 2)).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 2)).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify([1, id])).toString('base64url'), 2)).toBeUndefined();
    expect(decodeCursor('x'.repeat(401), 2)).toBeUndefined();
  });
});

describe('If-None-Match', () => {
  it('matches the ETag among others, weakly, or as *', () => {
    expect(noneMatch('"abc"', '"abc"')).toBe(true);
    expect(noneMatch('"x", W/"abc"', '"abc"')).toBe(true);
    expect(noneMatch('*', '"abc"')).toBe(true);
    expect(noneMatch('"abd"', '"abc"')).toBe(false);
  });
});

describe("a rental's totals", () => {
  it('count captured payments and their refunds, hold captured deposits apart, and subtract the deposit applied', () => {
    const payments = [
      payment({ amountMinor: 5_000, refundedMinor: 1_000 }),
      payment({ kind: 'deposit', amountMinor: 30_000, refundedMinor: 2_000 }),
      payment({ amountMinor: 9_999, status: 'pending' }),
      payment({ amountMinor: 9_999, status: 'failed' }),
    ];
    expect(rentalTotals({ currency: 'EUR', chargesTotalMinor: 20_000, depositAppliedMinor: 12_000 }, payments)).toEqual({
      currency: 'EUR',
      chargedMinor: 20_000,
      capturedMinor: 5_000,
      refundedMinor: 1_000,
      depositHeldMinor: 28_000,
      depositAppliedMinor: 12_000,
      balanceDueMinor: 20_000 - 4_000 - 12_000,
    });
  });

  it('go below zero when the customer is owed money, and read a missing deposit split as none', () => {
    expect(rentalTotals({ currency: 'EUR', chargesTotalMinor: 1_000, depositAppliedMinor: null }, [payment({ amountMinor: 3_000 })])).toMatchObject({
      depositAppliedMinor: 0,
      balanceDueMinor: -2_000,
    });
  });
});
