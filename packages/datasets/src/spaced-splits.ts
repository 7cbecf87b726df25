import { RadprobeError, type Split } from '@radprobe/core';

/** numpy's `round`: halves go to the even neighbour, so positions match the study's Python code. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `round(arange(0, count, count / picks))`: `picks` positions spread evenly over `0..count-1` (for 210 and 70:
 * 0, 3, 6, …, 207).
 */
export function evenlySpaced(count: number, picks: number): number[] {
  if (!(Number.isInteger(picks) && picks >= 0 && picks <= count)) throw new RadprobeError(`cannot pick ${picks} evenly spaced of ${count}`);
  const step = count / picks;
  return Array.from({ length: picks }, (_, index) => roundHalfEven(index * step));
}

/** `arange(0, count, every)`: positions 0, every, 2·every, …. */
export function everyNth(count: number, every: number): number[] {
  return Array.from({ length: Math.ceil(count / every) }, (_, index) => index * every);
}

/**
 * Splits of `count` sorted units by position: TEST at `testAt(count)`, VAL at `valAt(rest)` among the units
 * TEST left (in order), TRAIN the others.
 */
export function positionalSplits(count: number, testAt: (count: number) => number[], valAt: (count: number) => number[]): Split[] {
  const splits = new Array<Split>(count).fill('train');
  for (const position of testAt(count)) splits[position] = 'test';
  const rest = splits.flatMap((split, position) => (split === 'train' ? [position] : []));
  for (const position of valAt(rest.length)) splits[rest[position]] = 'val';
  return splits;
}

/** Splits of `count` sorted units: TEST evenly spaced over all, VAL evenly spaced over the rest, TRAIN the remainder. */
export function evenlySpacedSplits(count: number, counts: { test: number; val: number }): Split[] {
  return positionalSplits(count, (n) => evenlySpaced(n, counts.test), (n) => evenlySpaced(n, counts.val));
}
