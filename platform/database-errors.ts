import type { Knex } from 'knex';

/**
 * PostgreSQL errors turned into outcomes by SQLSTATE and constraint name, never by message text.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export const SqlState = {
  uniqueViolation: '23505',
  exclusionViolation: '23P01',
  checkViolation: '23514',
  restrictViolation: '23001',
  insufficientPrivilege: '42501',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

interface DatabaseErrorShape {
  readonly code?: unknown;
  readonly constraint?: unknown;
}

export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as DatabaseErrorShape | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function constraintOf(error: unknown): string | undefined {
  const constraint = (error as DatabaseErrorShape | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** The database refused the statement because of the named constraint (or trigger rule). */
export class ConstraintViolation {
  constructor(
    readonly sqlState: string,
    readonly constraint: string,
    readonly message: string,
  ) {}
}

/**
 * Runs `work` inside a savepoint of `transaction`. If the database refuses it with one of the
 * `expected` constraints, the savepoint is rolled back (the transaction stays usable) and the
 * violation is returned as a value; any other error propagates.
 */
export async function refusedBy<T>(
  transaction: Knex.Transaction,
  expected: readonly string[],
  work: (savepoint: Knex.Transaction) => Promise<T>,
): Promise<T | ConstraintViolation> {
  try {
    return await transaction.transaction(work);
  } catch (error) {
    const constraint = constraintOf(error);
    const sqlState = sqlStateOf(error);
    if (constraint !== undefined && sqlState !== undefined && expected.includes(constraint)) {
      return new ConstraintViolation(sqlState, constraint, (error as Error).message);
    }
    throw error;
  }
}
