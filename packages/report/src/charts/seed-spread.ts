import type { ProtocolResult } from '@radprobe/core';
import type { SeedSpreadChart } from './chart-spec.js';
import { rowLabel } from './row-label.js';

/** The cell's metrics that ran over several seeds, each with every seed's value; null when none did. */
export function seedSpreadChart(result: ProtocolResult): SeedSpreadChart | null {
  const entries = result.rows.flatMap((row) =>
    Object.entries(row.metrics).flatMap(([metric, value]) => {
      if (!value.seeds) return [];
      const { seeds, values, mean, std } = value.seeds;
      return [{ label: `${rowLabel(row)} · ${metric}`, seeds, values, mean, std }];
    }),
  );
  return entries.length ? { kind: 'seed-spread', entries } : null;
}
