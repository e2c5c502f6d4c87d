/**
 * Coalesces concurrent calls into batches (group commit). An item added while fewer than
 * `concurrency` flushes are in flight goes out at once, alone if need be, so an idle service pays
 * no extra latency; items added while the flushes are busy wait and leave together in the next
 * one. Under load the batches grow by themselves, and one statement carries many items.
 *
 * A failed flush fails every item of its batch, and only those.
 */
export class Batcher<Item, Result> {
  private readonly queue: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: readonly Item[]) => Promise<readonly Result[]>,
    private readonly options: { readonly sizeMax: number; readonly concurrency: number },
  ) {
    if (!Number.isInteger(options.sizeMax) || options.sizeMax < 1) throw new RangeError(`sizeMax must be a positive integer, not ${options.sizeMax}`);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, not ${options.concurrency}`);
    }
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.sizeMax);
      this.inFlight += 1;
      this.flush(batch.map((entry) => entry.item))
        .then(
          (results) => {
            if (results.length !== batch.length) throw new Error(`a flush of ${batch.length} items returned ${results.length} results`);
            batch.forEach((entry, index) => entry.resolve(results[index]!));
          },
        )
        .catch((error: unknown) => batch.forEach((entry) => entry.reject(error)))
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
