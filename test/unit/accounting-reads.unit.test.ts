import type { Context } from 'koa';
import { balanceOnNormalSide, normalSide } from '../../gateway/queries/accounting.queries';
import { ProblemError } from '../../gateway/middleware/problem';
import { dayParameter } from '../../gateway/routes/query-parameters';

/**
 * The pure rules of the ledger reads: each account type's normal side and the sign of its
 * balance, and which days a query may name.
 */
describe('the ledger reads', () => {
  it('shows assets and expenses on the debit side, liabilities, equity and revenue on the credit side', () => {
    expect(['asset', 'liability', 'equity', 'revenue', 'expense'].map((type) => normalSide(type as Parameters<typeof normalSide>[0]))).toEqual([
      'debit',
      'credit',
      'credit',
      'credit',
      'debit',
    ]);
    expect(balanceOnNormalSide('asset', 25_000, 3_000)).toBe(22_000);
    expect(balanceOnNormalSide('expense', 0, 500)).toBe(-500);
    expect(balanceOnNormalSide('revenue', 1_000, 10_000)).toBe(9_000);
    expect(balanceOnNormalSide('liability', 15_000, 15_000)).toBe(0);
  });

  it('takes a real calendar day as YYYY-MM-DD and refuses anything else by name', () => {
    const day = (value: string | string[] | undefined) => dayParameter({ query: value === undefined ? {} : { asOf: value } } as unknown as Context, 'asOf');
    expect(day('2028-02-29')).toBe('2028-02-29');
    expect(day('0001-01-01')).toBe('0001-01-01');
    expect(day(undefined)).toBeUndefined();
    for (const value of ['2027-02-29', '2027-13-01', '0000-01-01', '2027-1-01', '2027-01-01T00:00:00Z', '27-01-01', '', ['2027-01-01', '2027-01-02']]) {
      expect(() => day(value)).toThrow(ProblemError);
      try {
        day(value);
      } catch (error) {
        expect((error as ProblemError).extra).toEqual({ errors: [{ field: 'asOf', message: Array.isArray(value) ? 'must be given once' : 'must be a date as YYYY-MM-DD, e.g. 2026-11-23' }] });
      }
    }
  });
});
