import { formatSetting } from '@radprobe/core';
import type { ResultRow } from '@radprobe/core';

/** `test: k=20`, or `test` for a protocol with a single setting. */
export function rowLabel(row: ResultRow): string {
  const setting = formatSetting(row.setting);
  return setting ? `${row.split}: ${setting}` : row.split;
}
