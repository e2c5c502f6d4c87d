import type { PostingLine } from './posting-rules';

function lineKey(line: PostingLine): string {
  return JSON.stringify([line.account, line.direction, line.amountMinor, line.currency, line.memo ?? null]);
}

/** Whether two sets of journal lines are the same, whatever their order. */
export function sameLines(left: readonly PostingLine[], right: readonly PostingLine[]): boolean {
  const sortedLeft = left.map(lineKey).sort();
  const sortedRight = right.map(lineKey).sort();
  return sortedLeft.length === sortedRight.length && sortedLeft.every((key, index) => key === sortedRight[index]);
}
