/**
 * The command line of `npm run replay`: parsed into one of three commands, or refused with a
 * `UsageError` that names the bad argument. Nothing here touches the network.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Filters, type Position, NO_FILTERS } from './selection';

export const REPLAY_CAP_DEFAULT = 3;
const REPLAY_CAP_MIN = 1;
const REPLAY_CAP_MAX = 10;
export const RATE_PER_SECOND_DEFAULT = 50;
const RATE_PER_SECOND_MAX = 1_000;
const REPLAYED_BY_LENGTH_MAX = 200;
const FILTER_TEXT_LENGTH_MAX = 500;
/** Kafka topic names allow these characters, up to 249 of them; `.retry` and `.dlq` are appended. */
const GROUP_PATTERN = /^[A-Za-z0-9._-]{1,240}$/;

export const USAGE = `usage: npm run replay -- <command> --group GROUP [options]

commands:
  list    what GROUP.dlq holds, by error class and message type
            [--json] [--replay-cap N]
  show    one dead-letter record, its value decoded, and its replay history
            --partition P --offset O [--json]
  replay  re-deliver dead-letter records to GROUP.retry
            [filters] [--dry-run] [--rate N] [--force] [--by NAME] [--replay-cap N]

filters (replay):
  --since TIME --until TIME   failure time (failure-last-at, else the record's timestamp),
                              ISO 8601: since inclusive, until exclusive
  --error-class CLASS         exact, or every class under a prefix ending in / (poison/)
  --type TYPE                 the message-type header, e.g. fleet.RegisterVehicle
  --key KEY                   the record key
  --partition P               one partition of GROUP.dlq
  --offsets A-B               offsets A to B inclusive (with --partition)
  --resume-from P:O           from partition P offset O on (printed after a stopped run)

options:
  --dry-run        print what would be replayed; produce nothing, record nothing
  --rate N         records per second, 1 to ${RATE_PER_SECOND_MAX} (default ${RATE_PER_SECOND_DEFAULT})
  --force          replay records that were replayed before
  --by NAME        who replays, for the record (default: the OS user)
  --replay-cap N   replays after which a record is parked, ${REPLAY_CAP_MIN} to ${REPLAY_CAP_MAX} (default ${REPLAY_CAP_DEFAULT})
  --json           one JSON document on stdout (list, show)
`;

/** A command line the tool refuses; exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ListCommand {
  readonly kind: 'list';
  readonly group: string;
  readonly json: boolean;
  readonly replayCap: number;
}

export interface ShowCommand {
  readonly kind: 'show';
  readonly group: string;
  readonly position: Position;
  readonly json: boolean;
}

export interface ReplayCommand {
  readonly kind: 'replay';
  readonly group: string;
  readonly filters: Filters;
  readonly dryRun: boolean;
  readonly ratePerSecond: number;
  readonly force: boolean;
  /** null: the OS user, looked up when the tool runs. */
  readonly replayedBy: string | null;
  readonly replayCap: number;
}

export type Command = ListCommand | ShowCommand | ReplayCommand | { readonly kind: 'help' };

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON_OPTIONS: Options = { group: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

const OPTIONS: Record<Exclude<Command['kind'], 'help'>, Options> = {
  list: { ...COMMON_OPTIONS, json: { type: 'boolean' }, 'replay-cap': { type: 'string' } },
  show: { ...COMMON_OPTIONS, partition: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' } },
  replay: {
    ...COMMON_OPTIONS,
    since: { type: 'string' },
    until: { type: 'string' },
    'error-class': { type: 'string' },
    type: { type: 'string' },
    key: { type: 'string' },
    partition: { type: 'string' },
    offsets: { type: 'string' },
    'resume-from': { type: 'string' },
    'dry-run': { type: 'boolean' },
    rate: { type: 'string' },
    force: { type: 'boolean' },
    by: { type: 'string' },
    'replay-cap': { type: 'string' },
  },
};

function isCommandName(word: string): word is keyof typeof OPTIONS {
  return Object.hasOwn(OPTIONS, word);
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parseCommand(argv: readonly string[]): Command {
  const [word, ...rest] = argv;
  if (word === undefined || word === '--help' || word === '-h' || word === 'help') return { kind: 'help' };
  if (!isCommandName(word)) throw new UsageError(`unknown command ${JSON.stringify(word)}: expected list, show or replay (npm run replay -- --help)`);
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...rest], options: OPTIONS[word], strict: true, allowPositionals: false }));
  } catch (error) {
    // node:util names the offending argument in its message ("Unknown option '--x'", …).
    throw new UsageError(`${word}: ${(error as Error).message.split('. ')[0]}`);
  }
  if (values.help === true) return { kind: 'help' };
  const group = groupOf(values);
  switch (word) {
    case 'list':
      return { kind: 'list', group, json: values.json === true, replayCap: replayCapOf(values) };
    case 'show':
      return {
        kind: 'show',
        group,
        position: { partition: required(values, 'partition', nonNegativeInteger), offset: required(values, 'offset', nonNegativeInteger) },
        json: values.json === true,
      };
    case 'replay':
      return {
        kind: 'replay',
        group,
        filters: filtersOf(values),
        dryRun: values['dry-run'] === true,
        ratePerSecond: optional(values, 'rate', (text, flag) => integerBetween(text, flag, 1, RATE_PER_SECOND_MAX)) ?? RATE_PER_SECOND_DEFAULT,
        force: values.force === true,
        replayedBy: optional(values, 'by', (text, flag) => boundedText(text, flag, REPLAYED_BY_LENGTH_MAX)),
        replayCap: replayCapOf(values),
      };
  }
}

function groupOf(values: Values): string {
  const group = values.group;
  if (typeof group !== 'string') throw new UsageError('--group GROUP is required: the consumer group whose dead letters to read');
  if (!GROUP_PATTERN.test(group)) throw new UsageError(`--group must be a consumer group name (letters, digits, . _ -), got ${JSON.stringify(group)}`);
  return group;
}

function replayCapOf(values: Values): number {
  return optional(values, 'replay-cap', (text, flag) => integerBetween(text, flag, REPLAY_CAP_MIN, REPLAY_CAP_MAX)) ?? REPLAY_CAP_DEFAULT;
}

function filtersOf(values: Values): Filters {
  const partition = optional(values, 'partition', nonNegativeInteger);
  const offsets = optional(values, 'offsets', offsetRange);
  if (offsets !== null && partition === null) throw new UsageError('--offsets needs --partition: offsets are counted per partition');
  const since = optional(values, 'since', isoTime);
  const until = optional(values, 'until', isoTime);
  if (since !== null && until !== null && since.getTime() >= until.getTime()) throw new UsageError('--since must be earlier than --until');
  const text = (flag: string) => optional(values, flag, (value) => boundedText(value, flag, FILTER_TEXT_LENGTH_MAX));
  return {
    ...NO_FILTERS,
    since,
    until,
    errorClass: text('error-class'),
    messageType: text('type'),
    key: text('key'),
    partition,
    offsets,
    resumeFrom: optional(values, 'resume-from', position),
  };
}

type Parse<T> = (text: string, flag: string) => T;

function optional<T>(values: Values, flag: string, parse: Parse<T>): T | null {
  const value = values[flag];
  return typeof value === 'string' ? parse(value, flag) : null;
}

function required<T>(values: Values, flag: string, parse: Parse<T>): T {
  const value = optional(values, flag, parse);
  if (value === null) throw new UsageError(`--${flag} is required`);
  return value;
}

function integerBetween(text: string, flag: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function nonNegativeInteger(text: string, flag: string): number {
  return integerBetween(text, flag, 0, Number.MAX_SAFE_INTEGER);
}

function boundedText(text: string, flag: string, lengthMax: number): string {
  if (text.trim() === '' || text.length > lengthMax) throw new UsageError(`--${flag} must be a non-empty text of at most ${lengthMax} characters`);
  return text;
}

function offsetRange(text: string, flag: string): { readonly from: number; readonly to: number } {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`--${flag} must be a range A-B of offsets (both included), got ${JSON.stringify(text)}`);
  const from = nonNegativeInteger(match[1]!, flag);
  const to = nonNegativeInteger(match[2]!, flag);
  if (from > to) throw new UsageError(`--${flag} must run from the lower offset to the higher, got ${JSON.stringify(text)}`);
  return { from, to };
}

function position(text: string, flag: string): Position {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`--${flag} must be PARTITION:OFFSET, got ${JSON.stringify(text)}`);
  return { partition: nonNegativeInteger(match[1]!, flag), offset: nonNegativeInteger(match[2]!, flag) };
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date (midnight UTC) or date and time with a zone: a time without one would mean
 * something different on each operator's machine. `Date.parse` alone would accept 2026-02-30.
 */
function isoTime(text: string, flag: string): Date {
  const refuse = () => new UsageError(`--${flag} must be an ISO 8601 time such as 2026-11-23T14:00:00Z or 2026-11-23, got ${JSON.stringify(text)}`);
  const match = ISO_TIME.exec(text);
  if (match === null) throw refuse();
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const validDate = calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  if (!validDate || hour > 23 || minute > 59 || second > 59) throw refuse();
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw refuse();
  return time;
}

/**
 * The arguments that repeat `command` from `resumeFrom` on (null: from where it began), printed
 * after a run that stopped. Records before that position are left out even under --force, so a
 * forced run that is resumed replays nothing twice.
 */
export function resumeArguments(command: ReplayCommand, resumeFrom: Position | null): string[] {
  const start = resumeFrom ?? command.filters.resumeFrom;
  const { filters } = command;
  const words = ['replay', '--group', command.group];
  const add = (flag: string, value: string | null) => {
    if (value !== null) words.push(flag, value);
  };
  add('--since', filters.since?.toISOString() ?? null);
  add('--until', filters.until?.toISOString() ?? null);
  add('--error-class', filters.errorClass);
  add('--type', filters.messageType);
  add('--key', filters.key);
  add('--partition', filters.partition === null ? null : String(filters.partition));
  add('--offsets', filters.offsets === null ? null : `${filters.offsets.from}-${filters.offsets.to}`);
  add('--resume-from', start === null ? null : `${start.partition}:${start.offset}`);
  if (command.dryRun) words.push('--dry-run');
  add('--rate', String(command.ratePerSecond));
  if (command.force) words.push('--force');
  add('--by', command.replayedBy);
  add('--replay-cap', String(command.replayCap));
  return words;
}

/** `npm run replay -- …` as a shell command, each argument quoted where the shell would split or expand it. */
export function shellCommand(args: readonly string[]): string {
  const quoted = args.map((arg) => (/^[A-Za-z0-9_./:@=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  return ['npm', 'run', 'replay', '--', ...quoted].join(' ');
}
