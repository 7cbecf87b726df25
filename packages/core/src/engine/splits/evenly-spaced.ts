import { RadprobeError } from '../util/errors.js';
import { roundHalfEven } from '../util/rounding.js';

/**
 * `round(arange(0, count, count / picks))`: `picks` positions spread evenly over `0..count-1` (for 210 and 70:
 * 0, 3, 6, …, 207). The study's fixed splits and its few-shot image subsets both use it.
 */
export function evenlySpaced(count: number, picks: number): number[] {
  if (!(Number.isInteger(picks) && picks >= 0 && picks <= count)) throw new RadprobeError(`cannot pick ${picks} evenly spaced of ${count}`);
  const step = count / picks;
  return Array.from({ length: picks }, (_, index) => roundHalfEven(index * step));
}
