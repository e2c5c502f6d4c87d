import { isUuid } from '../platform/identifiers';
import { ProblemError } from './middleware/problem';

/** What one JSON field may hold. Optional fields may be absent; nullable ones may be null. */
export type FieldSpec =
  | { readonly type: 'string'; readonly lengthMin?: number; readonly lengthMax: number; readonly pattern?: RegExp; readonly optional?: boolean; readonly nullable?: boolean }
  | { readonly type: 'integer'; readonly min: number; readonly max: number; readonly optional?: boolean; readonly nullable?: boolean }
  | { readonly type: 'uuid'; readonly optional?: boolean; readonly nullable?: boolean }
  /** An RFC 3339 date-time with its offset (Z or ±hh:mm). */
  | { readonly type: 'timestamp'; readonly optional?: boolean; readonly nullable?: boolean }
  /** A list of objects, each checked against `items`; errors name the line, e.g. parts[2].quantity. */
  | {
      readonly type: 'array';
      readonly items: Readonly<Record<string, FieldSpec>>;
      readonly lengthMin?: number;
      readonly lengthMax: number;
      readonly optional?: boolean;
      readonly nullable?: boolean;
    };

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

function check(field: string, value: unknown, spec: FieldSpec): FieldError[] {
  const error = (message: string): FieldError[] => [{ field, message }];
  if (value === null) return spec.nullable ? [] : error('must not be null');
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return error('must be a string');
      const lengthMin = spec.lengthMin ?? 1;
      if (value.trim().length < lengthMin || value.length > spec.lengthMax) return error(`must have ${lengthMin} to ${spec.lengthMax} characters`);
      if (spec.pattern !== undefined && !spec.pattern.test(value)) return error(`must match ${spec.pattern.source}`);
      return [];
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return error('must be an integer');
      if (value < spec.min || value > spec.max) return error(`must be between ${spec.min} and ${spec.max}`);
      return [];
    case 'uuid':
      return typeof value === 'string' && isUuid(value) ? [] : error('must be a UUID');
    case 'timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)) ? [] : error('must be a date-time with its offset, e.g. 2026-11-23T09:30:00Z');
    case 'array': {
      if (!Array.isArray(value)) return error('must be an array');
      const lengthMin = spec.lengthMin ?? 0;
      if (value.length < lengthMin || value.length > spec.lengthMax) return error(`must have ${lengthMin} to ${spec.lengthMax} entries`);
      return value.flatMap((item: unknown, index) => objectErrors(item, spec.items, `${field}[${index}]`));
    }
    default: {
      const unexpected: never = spec;
      return error(`has an unsupported specification ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Every unknown, missing and wrong field of `value` against `spec`, named under `prefix`. */
function objectErrors(value: unknown, spec: Readonly<Record<string, FieldSpec>>, prefix: string): FieldError[] {
  const name = (field: string) => (prefix === '' ? field : `${prefix}.${field}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field: prefix, message: 'must be an object' }];
  const record = value as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(record)
    .filter((field) => !(field in spec))
    .map((field) => ({ field: name(field), message: 'is not a known field' }));
  for (const [field, fieldSpec] of Object.entries(spec)) {
    if (!(field in record)) {
      if (!fieldSpec.optional) errors.push({ field: name(field), message: 'is required' });
      continue;
    }
    errors.push(...check(name(field), record[field], fieldSpec));
  }
  return errors;
}

/**
 * Checks a JSON body against `spec` before anything is produced: every unknown field, missing
 * field and wrong value, in lists too, is named in one 400 problem (`errors: [{ field, message }]`).
 */
export function validateBody<T>(body: unknown, spec: Readonly<Record<string, FieldSpec>>): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'validation-failed', 'Invalid request body', 'The body must be a JSON object.', { errors: [{ field: '', message: 'must be an object' }] });
  }
  const errors = objectErrors(body, spec, '');
  if (errors.length > 0) {
    throw new ProblemError(400, 'validation-failed', 'Invalid request body', `${errors.length} field(s) are invalid.`, { errors });
  }
  return body as T;
}

/** A path parameter that must be a UUID; 400 naming it otherwise, before anything is produced. */
export function uuidParameter(name: string, value: string | undefined): string {
  if (value !== undefined && isUuid(value)) return value;
  throw new ProblemError(400, 'validation-failed', 'Invalid path parameter', `${name} must be a UUID.`, { errors: [{ field: name, message: 'must be a UUID' }] });
}
