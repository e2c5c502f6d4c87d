import { Batcher } from '../../platform/batcher';

/** Group commit: concurrent items share a flush, an idle caller is not held back, failures stay in their batch. */
describe('Batcher', () => {
  function deferred(): { promise: Promise<void>; release: () => void } {
    let release: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    return { promise, release };
  }

  it('flushes a lone item at once', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      flushed.push([...items]);
      return items.map((item) => item * 10);
    }, { sizeMax: 10, concurrency: 1 });
    await expect(batcher.add(1)).resolves.toBe(10);
    expect(flushed).toEqual([[1]]);
  });

  it('gathers items that arrive while a flush is in flight into the next one, each getting its own result', async () => {
    const gate = deferred();
    const flushed: number[][] = [];
    const batcher = new Batcher<number, string>(async (items) => {
      flushed.push([...items]);
      if (flushed.length === 1) await gate.promise;
      return items.map((item) => `r${item}`);
    }, { sizeMax: 3, concurrency: 1 });
    const results = [1, 2, 3, 4, 5, 6].map((item) => batcher.add(item));
    gate.release();
    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    // The first goes alone; the rest wait and leave in batches of at most sizeMax.
    expect(flushed).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('fails only the items of the failing flush', async () => {
    const gate = deferred();
    let calls = 0;
    const batcher = new Batcher<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) {
        await gate.promise;
        throw new Error('database unavailable');
      }
      return [...items];
    }, { sizeMax: 10, concurrency: 1 });
    const first = batcher.add(1);
    const later = [batcher.add(2), batcher.add(3)];
    gate.release();
    await expect(first).rejects.toThrow('database unavailable');
    await expect(Promise.all(later)).resolves.toEqual([2, 3]);
  });

  it('refuses a flush that answers for fewer items than it was given', async () => {
    const batcher = new Batcher<number, number>(async () => [], { sizeMax: 10, concurrency: 1 });
    await expect(batcher.add(1)).rejects.toThrow('a flush of 1 items returned 0 results');
  });

  it('refuses nonsense limits', () => {
    expect(() => new Batcher(async () => [], { sizeMax: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => new Batcher(async () => [], { sizeMax: 1, concurrency: 1.5 })).toThrow(RangeError);
  });
});
