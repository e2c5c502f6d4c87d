/**
 * How far a replay got, on stderr: on a terminal one line redrawn in place, elsewhere (a log, a
 * CI job) a plain line every so many records. Lines about single records go to stdout through
 * `say`, which keeps them from being drawn over.
 */
import type { Tally } from './tally';

const BAR_WIDTH = 30;
const REDRAW_INTERVAL_MS = 100;
export const PROGRESS_LINE_EVERY_RECORDS = 100;

export class Progress {
  private lastDrawnAt = 0;
  private barShown = false;

  constructor(
    /** Offsets to read: records, give or take the few a transaction marker takes. */
    private readonly total: number,
    private readonly tally: Tally,
    private readonly errors: NodeJS.WriteStream = process.stderr,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  private get interactive(): boolean {
    return this.errors.isTTY;
  }

  private text(): string {
    const { read, replayed, alreadyReplayed, parked, filteredOut } = this.tally;
    return `${read}/${this.total} read, ${replayed} replayed, ${alreadyReplayed} already replayed, ${parked} parked, ${filteredOut} filtered out`;
  }

  private draw(): void {
    const share = this.total === 0 ? 1 : Math.min(1, this.tally.read / this.total);
    const filled = Math.round(share * BAR_WIDTH);
    this.errors.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.text()}`);
    this.barShown = true;
    this.lastDrawnAt = Date.now();
  }

  private clear(): void {
    if (this.barShown) this.errors.write('\r\x1b[K');
    this.barShown = false;
  }

  /** The tally changed: one more record was read and dealt with. */
  advance(): void {
    if (this.interactive) {
      if (Date.now() - this.lastDrawnAt >= REDRAW_INTERVAL_MS) this.draw();
    } else if (this.tally.read % PROGRESS_LINE_EVERY_RECORDS === 0) {
      this.errors.write(`progress: ${this.text()}\n`);
    }
  }

  /** A line on stdout about one record. */
  say(line: string): void {
    this.clear();
    this.output.write(`${line}\n`);
    if (this.interactive) this.draw();
  }

  finish(): void {
    this.clear();
  }
}
