import { type Parser, ValueError } from './parsers';

/**
 * One environment variable: its name, what it is for, its default (absent means required) and how
 * to read it. `secret` keeps the value out of error messages.
 */
export interface Variable<T> {
  readonly name: string;
  readonly description: string;
  readonly defaultValue?: string;
  readonly secret?: boolean;
  readonly parse: Parser<T>;
}

export type Spec = Record<string, Variable<unknown>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: S[K] extends Variable<infer T> ? T : never };
export type Environment = Readonly<Record<string, string | undefined>>;

/** Every bad variable at once, so that a start-up failure is fixed in one round. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function variable<T>(definition: Variable<T>): Variable<T> {
  return definition;
}

const VALUE_SHOWN_LENGTH_MAX = 80;

function shown(raw: string, secret: boolean | undefined): string {
  if (secret) return 'value hidden';
  const clipped = raw.length > VALUE_SHOWN_LENGTH_MAX ? `${raw.slice(0, VALUE_SHOWN_LENGTH_MAX)}…` : raw;
  return `got ${JSON.stringify(clipped)}`;
}

/**
 * Reads and validates the variables of `spec` from `environment`. An empty value counts as unset,
 * as in most shells' `VAR= command`. Throws `ConfigError` naming each bad variable.
 */
export function loadConfig<S extends Spec>(spec: S, environment: Environment = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(spec)) {
    const given = environment[definition.name];
    const raw = given === undefined || given.trim() === '' ? definition.defaultValue : given;
    if (raw === undefined) {
      problems.push(`${definition.name} is required: ${definition.description}`);
      continue;
    }
    try {
      config[key] = definition.parse(raw);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      problems.push(`${definition.name} must be ${error.message} (${shown(raw, definition.secret)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}
