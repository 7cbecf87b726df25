import { formatSetting, type ResultRow } from '@radprobe/core';
import type { BackboneRow } from './backbone-rows.js';
import type { ComparisonMatrix, MatrixColumn, MatrixEntry } from './matrix.js';

/** The peft protocol's modes in the table's order: the frozen reference first, then from most to fewest parameters trained. */
const MODE_ORDER = ['frozen', 'full', 'lora', 'bitfit'];
const MODE_NAMES: Record<string, string> = { frozen: 'frozen (reference)', full: 'full', lora: 'LoRA', bitfit: 'BitFit' };

/** One backbone in one adaptation mode: its TEST row's metric, learning rate and trainable parameters. */
export interface FineTuningRow {
  backbone: BackboneRow;
  /** As the row's setting has it: `frozen`, `full`, `lora`, `bitfit`. */
  mode: string;
  /** How tables and legends name the mode: `frozen (reference)`, `full`, `LoRA`, `BitFit`. */
  modeName: string;
  /** The backbone's learning rate chosen on VAL; null for the frozen reference, which trains only the head. */
  learningRate: number | null;
  parameters: NonNullable<ResultRow['parameters']> | null;
  entry: MatrixEntry;
}

/** The fine-tuning table of one dataset × peft protocol entry. */
export interface FineTuningTable {
  dataset: string;
  protocol: string;
  metric: string;
  /** The modes present, in table order. */
  modes: Array<{ mode: string; name: string }>;
  /** By backbone (row order), then mode. */
  rows: FineTuningRow[];
}

/** A row's backbone learning rate as the tables show it (`0.01`, four significant digits), `–` for the frozen reference. */
export function learningRateText(row: FineTuningRow): string {
  return row.learningRate === null ? '–' : formatSetting({ lr: row.learningRate }).slice('lr='.length);
}

const modeRank = (mode: string) => (MODE_ORDER.includes(mode) ? MODE_ORDER.indexOf(mode) : MODE_ORDER.length);

/**
 * Per dataset × protocol of kind `peft`, each backbone's TEST rows as mode × backbone: the mode is read from the
 * row's setting (`mode`; the peft protocol writes `{ mode, lr, selected }` per trained mode and `{ mode: 'frozen' }`
 * for the reference that `compareWithFrozen` adds), so a `select: best` run, whose one column holds a different mode
 * per backbone, is laid out the same way.
 */
export function fineTuningTables(matrix: ComparisonMatrix): FineTuningTable[] {
  const families = new Map<string, MatrixColumn[]>();
  for (const column of matrix.columns.filter((candidate) => candidate.protocolKind === 'peft')) families.set(column.family, [...(families.get(column.family) ?? []), column]);
  return [...families.values()].map((columns) => {
    const rows = matrix.backbones.flatMap((backbone) =>
      columns
        .flatMap((column) => {
          const entry = matrix.entry(backbone, column);
          if (!entry) return [];
          const mode = String(entry.row.setting.mode ?? column.settingText);
          const lr = entry.row.setting.lr;
          return [{ backbone, mode, modeName: MODE_NAMES[mode] ?? mode, learningRate: typeof lr === 'number' ? lr : null, parameters: entry.row.parameters ?? null, entry }];
        })
        .sort((a, b) => modeRank(a.mode) - modeRank(b.mode) || a.mode.localeCompare(b.mode)),
    );
    const modes = [...new Map(rows.map((row) => [row.mode, row.modeName]))].sort(([a], [b]) => modeRank(a) - modeRank(b) || a.localeCompare(b)).map(([mode, name]) => ({ mode, name }));
    return { dataset: columns[0].dataset, protocol: columns[0].protocol, metric: columns[0].metric, modes, rows };
  });
}
