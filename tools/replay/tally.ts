/** What a replay did with the records it read, for its progress and its summary. */
export interface Tally {
  read: number;
  replayed: number;
  alreadyReplayed: number;
  parked: number;
  filteredOut: number;
  failed: number;
}

export function emptyTally(): Tally {
  return { read: 0, replayed: 0, alreadyReplayed: 0, parked: 0, filteredOut: 0, failed: 0 };
}

export function summaryLines(tally: Tally, options: { readonly dryRun: boolean; readonly replayCap: number }): string[] {
  const rows: [string, number][] = [
    [options.dryRun ? 'would be replayed' : 'replayed', tally.replayed],
    ['skipped, already replayed', tally.alreadyReplayed],
    [`parked (replay-count at the cap of ${options.replayCap})`, tally.parked],
    ['filtered out', tally.filteredOut],
    ['failed', tally.failed],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const countWidth = Math.max(...rows.map(([, count]) => String(count).length));
  return rows.map(([label, count]) => `  ${label.padEnd(width)}  ${String(count).padStart(countWidth)}`);
}
