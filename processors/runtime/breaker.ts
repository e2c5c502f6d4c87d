export interface BreakerOptions {
  /** How many of the latest messages the share is taken over. */
  readonly windowSize: number;
  /** The breaker opens when more than this share of the window failed (0 < share ≤ 1). */
  readonly failureShareMax: number;
  /** How long an open breaker keeps the group stopped before it lets messages through again. */
  readonly openMs: number;
}

export type BreakerState = { readonly state: 'closed' } | { readonly state: 'open'; readonly since: Date; readonly until: Date; readonly reason: string };

/**
 * Stops a consumer group that fails too much. When more than `failureShareMax` of the latest
 * `windowSize` messages failed (a bad deploy, a broken dependency the classifier missed), the
 * failures are no longer routed to the retry and dead-letter topics: the group stops for
 * `openMs`, says why, and then tries again with an empty window. A full window is needed before
 * it can open, so a few failures right after a start do not stop anything.
 */
export class Breaker {
  private readonly outcomes: boolean[] = [];
  private failures = 0;
  private openState: BreakerState = { state: 'closed' };

  constructor(
    private readonly options: BreakerOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {
    if (!Number.isInteger(options.windowSize) || options.windowSize < 1) throw new RangeError(`windowSize must be a positive integer, not ${options.windowSize}`);
    if (!(options.failureShareMax > 0 && options.failureShareMax <= 1)) throw new RangeError(`failureShareMax must be in (0, 1], not ${options.failureShareMax}`);
  }

  get state(): BreakerState {
    if (this.openState.state === 'open' && this.clock() >= this.openState.until) this.openState = { state: 'closed' };
    return this.openState;
  }

  /**
   * Counts a batch's outcomes; returns true when they open the breaker (the caller then routes
   * none of the batch's failures and stops the group).
   */
  record(succeeded: number, failed: number): boolean {
    if (this.state.state === 'open') return true;
    for (let index = 0; index < succeeded + failed; index += 1) this.push(index >= succeeded);
    const full = this.outcomes.length >= this.options.windowSize;
    const share = this.failures / Math.max(this.outcomes.length, 1);
    if (failed === 0 || !full || share <= this.options.failureShareMax) return false;
    const since = this.clock();
    this.openState = {
      state: 'open',
      since,
      until: new Date(since.getTime() + this.options.openMs),
      reason: `${this.failures} of the latest ${this.outcomes.length} messages failed (more than ${Math.round(this.options.failureShareMax * 100)}%)`,
    };
    this.outcomes.length = 0;
    this.failures = 0;
    return true;
  }

  private push(failed: boolean): void {
    this.outcomes.push(failed);
    if (failed) this.failures += 1;
    while (this.outcomes.length > this.options.windowSize) {
      if (this.outcomes.shift()) this.failures -= 1;
    }
  }
}
