import type { ProtocolResult, ResultRow } from '@radprobe/core';
import type { ValGridChart, ValGridSquare } from './chart-spec.js';
import { heatColour, textColourOn } from './colour-scale.js';

const learningRateKey = 'lr';
/** Tells repeated trainings of one head apart; averaged over, never an axis. */
const seedKey = 'seed';

type SettingValue = ResultRow['setting'][string];

/**
 * The VAL grid of a cell (e.g. the linear probe's heads) as a heat map of the primary metric: lr on one axis,
 * the combination of the other settings that vary (e.g. `blocks`, `avgpool`) on the other, rows of the same
 * head under different seeds averaged. Null when the cell has no such grid (no VAL rows with `lr`, or nothing
 * but lr varies).
 */
export function valGridChart(result: ProtocolResult): ValGridChart | null {
  const metric = result.primaryMetric;
  const rows = result.rows.filter((row) => row.split === 'val' && learningRateKey in row.setting && row.metrics[metric]);
  const otherKeys = [...new Set(rows.flatMap((row) => Object.keys(row.setting)))].filter((key) => key !== learningRateKey && key !== seedKey);
  const comboKeys = otherKeys.filter((key) => new Set(rows.map((row) => String(row.setting[key]))).size > 1);
  if (!comboKeys.length) return null;

  const comboOf = (row: ResultRow) => comboKeys.map((key) => `${key}=${row.setting[key] ?? '–'}`).join(', ');
  const groups = new Map<string, { lr: SettingValue; combo: string; setting: ResultRow['setting']; values: number[] }>();
  for (const row of rows) {
    const lr = row.setting[learningRateKey];
    const combo = comboOf(row);
    const key = JSON.stringify([String(lr), combo]);
    const group = groups.get(key) ?? { lr, combo, setting: row.setting, values: [] };
    group.values.push(row.metrics[metric].value);
    groups.set(key, group);
  }

  const reported = result.rows.filter((row) => row.split === 'test');
  const axisKeys = [learningRateKey, ...comboKeys];
  const means = [...groups.values()].map((group) => ({ ...group, value: group.values.reduce((sum, value) => sum + value, 0) / group.values.length }));
  const min = Math.min(...means.map((group) => group.value));
  const max = Math.max(...means.map((group) => group.value));
  const squares: ValGridSquare[] = means.map((group) => {
    const colour = heatColour(group.value, min, max);
    return {
      lr: String(group.lr),
      combo: group.combo,
      value: group.value,
      rows: group.values.length,
      colour,
      textColour: textColourOn(colour),
      selected: reported.some((row) => axisKeys.every((key) => row.setting[key] === group.setting[key])),
    };
  });
  return { kind: 'val-grid', metric, lrs: learningRateLabels(means.map((group) => group.lr)), combos: [...new Set(means.map((group) => group.combo))], squares, min, max };
}

/** Distinct learning rates as labels, ascending when they are all numbers, else in order of appearance. */
function learningRateLabels(values: SettingValue[]): string[] {
  const distinct = [...new Map(values.map((value) => [String(value), value])).values()];
  if (distinct.every((value) => typeof value === 'number')) distinct.sort((a, b) => (a as number) - (b as number));
  return distinct.map(String);
}
