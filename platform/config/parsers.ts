/**
 * Parsers for configuration values. Each takes the raw string of one environment variable and
 * returns the typed value or throws a `ValueError` whose message completes the sentence
 * "<VARIABLE> must be …"; `loadConfig` adds the variable's name.
 */

export class ValueError extends Error {}

export type Parser<T> = (raw: string) => T;

export function integer(options: { min: number; max: number }): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ValueError(`an integer between ${options.min} and ${options.max}`);
    const value = Number(raw.trim());
    if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
      throw new ValueError(`an integer between ${options.min} and ${options.max}`);
    }
    return value;
  };
}

/** A decimal number between 0 and 1 inclusive (a share, a probability). */
export function fraction(): Parser<number> {
  return (raw) => {
    // 0, 1, 0.x, .x or 1.0…: never below 0 or above 1.
    const text = raw.trim();
    if (!/^(0|1|0?\.\d+|1\.0*)$/.test(text)) throw new ValueError('a decimal number between 0 and 1');
    return Number(text);
  };
}

export function oneOf<const T extends string>(allowed: readonly T[]): Parser<T> {
  return (raw) => {
    const value = raw.trim() as T;
    if (!allowed.includes(value)) throw new ValueError(`one of ${allowed.join(', ')}`);
    return value;
  };
}

export function boolean(): Parser<boolean> {
  return (raw) => {
    const value = raw.trim().toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new ValueError('true or false');
  };
}

export function nonEmptyText(options: { maxLength: number }): Parser<string> {
  return (raw) => {
    const value = raw.trim();
    if (value.length === 0 || value.length > options.maxLength) {
      throw new ValueError(`a non-empty text of at most ${options.maxLength} characters`);
    }
    return value;
  };
}

/** A URL with one of the given protocols (without the colon), e.g. `url(['postgres', 'postgresql'])`. */
export function url(protocols: readonly string[]): Parser<URL> {
  const expected = `a URL starting with ${protocols.map((protocol) => `${protocol}://`).join(' or ')}`;
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      throw new ValueError(expected);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, '')) || parsed.hostname === '') throw new ValueError(expected);
    return parsed;
  };
}

/** A comma-separated list of `host:port` pairs, e.g. Kafka bootstrap servers. */
export function hostPortList(): Parser<string[]> {
  const expected = 'a comma-separated list of host:port pairs (e.g. 127.0.0.1:9092,kafka-2:9092)';
  return (raw) => {
    const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    if (entries.length === 0) throw new ValueError(expected);
    for (const entry of entries) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(entry);
      const port = match ? Number(match[2]) : 0;
      if (!match || port < 1 || port > 65_535) throw new ValueError(expected);
    }
    return entries;
  };
}
