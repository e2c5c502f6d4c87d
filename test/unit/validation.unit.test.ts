import { ProblemError } from '../../gateway/middleware/problem';
import { validateBody, type FieldSpec } from '../../gateway/validation';

/** The request-body checks every command route runs before anything is produced. */
const LINE: Record<string, FieldSpec> = { description: { type: 'string', lengthMax: 20 }, amountMinor: { type: 'integer', min: 1, max: 1_000 } };
const BODY: Record<string, FieldSpec> = {
  odometerKm: { type: 'integer', min: 0, max: 1_000_000 },
  lines: { type: 'array', items: LINE, lengthMin: 1, lengthMax: 3, optional: true },
};

function errorsOf(body: unknown): { field: string; message: string }[] {
  try {
    validateBody(body, BODY);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 400) return error.extra.errors as { field: string; message: string }[];
    throw error;
  }
  return [];
}

describe('request body validation', () => {
  it('accepts a valid body, with or without its optional list', () => {
    expect(errorsOf({ odometerKm: 10, lines: [{ description: 'Scratch', amountMinor: 100 }] })).toEqual([]);
    expect(errorsOf({ odometerKm: 10 })).toEqual([]);
  });

  it("names every wrong field of every line, after the body's own fields", () => {
    expect(errorsOf({ odometerKm: -1, lines: [{ description: 'ok', amountMinor: 1 }, { description: '', amountMinor: 0, colour: 'red' }, 'text'] })).toEqual([
      { field: 'odometerKm', message: 'must be between 0 and 1000000' },
      { field: 'lines[1].colour', message: 'is not a known field' },
      { field: 'lines[1].description', message: 'must have 1 to 20 characters' },
      { field: 'lines[1].amountMinor', message: 'must be between 1 and 1000' },
      { field: 'lines[2]', message: 'must be an object' },
    ]);
  });

  it('bounds the number of lines and refuses what is not a list', () => {
    const line = { description: 'x', amountMinor: 1 };
    expect(errorsOf({ odometerKm: 1, lines: [] })).toEqual([{ field: 'lines', message: 'must have 1 to 3 entries' }]);
    expect(errorsOf({ odometerKm: 1, lines: [line, line, line, line] })).toEqual([{ field: 'lines', message: 'must have 1 to 3 entries' }]);
    expect(errorsOf({ odometerKm: 1, lines: { 0: line } })).toEqual([{ field: 'lines', message: 'must be an array' }]);
    expect(errorsOf({ odometerKm: 1, lines: null })).toEqual([{ field: 'lines', message: 'must not be null' }]);
  });

  it('refuses a body that is not an object, and a missing required field', () => {
    expect(errorsOf([])).toEqual([{ field: '', message: 'must be an object' }]);
    expect(errorsOf({})).toEqual([{ field: 'odometerKm', message: 'is required' }]);
  });
});
