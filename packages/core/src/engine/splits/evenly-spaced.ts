import { RadprobeError } from '../util/errors.js';

/** numpy's `round`: halves go to the even neighbour, so positions match the study's Python code. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `round(arange(0, count, count / picks))`: `picks` positions spread evenly over `0..count-1` (for 210 and 70:
 * 0, 3, 6, …, 207). The study's fixed splits and its few-shot image subsets both use it.
 */
export function evenlySpaced(count: number, picks: number): number[] {
  if (!(Number.isInteger(picks) && picks >= 0 && picks <= count)) throw new RadprobeError(`cannot pick ${picks} evenly spaced of ${count}`);
  const step = count / picks;
  return Array.from({ length: picks }, (_, index) => roundHalfEven(index * step));
}
