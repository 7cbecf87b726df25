import { RadprobeError } from '../util/errors.js';

/**
 * A protocol option that is a list (a grid axis, seeds): absent stays undefined; otherwise it must be non-empty,
 * every entry must pass `check` (else "`<protocol> option <key>[i] = v must be <what>`"), and no entry may repeat.
 * Errors carry the JSON pointer of the entry.
 */
export function checkedOptionList<T>(protocol: string, value: T[] | undefined, key: string, check: (entry: unknown) => boolean, what: string): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new RadprobeError(`${protocol} option ${key} must be a non-empty list`, { pointer: `/${key}` });
  value.forEach((entry, i) => {
    if (!check(entry)) throw new RadprobeError(`${protocol} option ${key}[${i}] = ${String(entry)} must be ${what}`, { pointer: `/${key}/${i}` });
    if (value.indexOf(entry) !== i) throw new RadprobeError(`${protocol} option ${key} lists ${String(entry)} twice`, { pointer: `/${key}/${i}` });
  });
  return value;
}
