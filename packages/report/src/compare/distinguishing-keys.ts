import type { ResultRow } from '@radprobe/core';

type Setting = ResultRow['setting'];

/** Marks the row a protocol chose on VAL; it never tells rows of one cell apart. */
const selectedKey = 'selected';

/**
 * The setting keys that tell apart the TEST rows of a column group (the cells of one dataset × protocol), as few as
 * make every cell's rows distinct. Keys that take the same values in every cell (a decoder, k, shots) are
 * preferred to keys whose values differ between cells (a learning rate chosen on VAL), so that columns line up
 * across backbones. Keys constant within every cell are never needed.
 */
export function distinguishingKeys(cells: ReadonlyArray<readonly Setting[]>): string[] {
  const keys = [...new Set(cells.flatMap((settings) => settings.flatMap((setting) => Object.keys(setting))))].filter((key) => key !== selectedKey);
  const valuesIn = (settings: readonly Setting[], key: string) => [...new Set(settings.map((setting) => JSON.stringify(setting[key] ?? null)))].sort();
  const varying = keys.filter((key) => cells.some((settings) => valuesIn(settings, key).length > 1));
  const stable = (key: string) => cells.every((settings) => JSON.stringify(valuesIn(settings, key)) === JSON.stringify(valuesIn(cells[0], key)));
  const candidates = [...varying.filter(stable), ...varying.filter((key) => !stable(key))];

  const chosen: string[] = [];
  const distinct = () => cells.every((settings) => new Set(settings.map((setting) => JSON.stringify(chosen.map((key) => setting[key] ?? null)))).size === settings.length);
  for (const key of candidates) {
    if (distinct()) break;
    chosen.push(key);
  }
  return chosen;
}
