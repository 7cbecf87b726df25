import type { LoadedRun } from './load-runs.js';

/** A backbone of the comparison: the same name with the same weights (sha256) in any run. */
export interface BackboneRow {
  key: string;
  name: string;
  weightsHash: string;
  /** The name, plus the start of the weights hash where another row has the same name. */
  label: string;
}

/** Backbones of the runs, matched across runs by name and weights hash, in order of first appearance. */
export class BackboneRows {
  readonly rows: BackboneRow[] = [];
  private readonly byKey = new Map<string, BackboneRow>();

  constructor(runs: readonly LoadedRun[]) {
    for (const run of runs) {
      const names = new Set([...run.results.provenance.backbones.map((backbone) => backbone.name), ...run.results.cells.map((cell) => cell.backbone)]);
      for (const name of names) this.add(name, this.weightsHash(run, name));
    }
    for (const row of this.rows) {
      const namesake = this.rows.some((other) => other !== row && other.name === row.name);
      row.label = namesake ? `${row.name} (${row.weightsHash.slice(0, 8) || 'no hash'})` : row.name;
    }
  }

  /** The row of backbone `name` as `run` recorded it. */
  of(run: LoadedRun, name: string): BackboneRow {
    return this.byKey.get(rowKey(name, this.weightsHash(run, name)))!;
  }

  private weightsHash(run: LoadedRun, name: string): string {
    return run.results.provenance.backbones.find((backbone) => backbone.name === name)?.weightsHash ?? '';
  }

  private add(name: string, weightsHash: string): void {
    const key = rowKey(name, weightsHash);
    if (this.byKey.has(key)) return;
    const row = { key, name, weightsHash, label: name };
    this.byKey.set(key, row);
    this.rows.push(row);
  }
}

function rowKey(name: string, weightsHash: string): string {
  return JSON.stringify([name, weightsHash]);
}
