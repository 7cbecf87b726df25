import { describe, expect, it } from 'vitest';
import { type CellResult, type RunResults } from '../src/index.js';
import { assertValidRunResults, formatParameterShare, formatResultsTable, renderResultsCsv, renderResultsMarkdown } from '../src/engine/index.js';

function cell(protocol: string, parameters?: { trainable: number; total: number }): CellResult {
  return {
    backbone: 'vit',
    dataset: 'chest',
    protocol,
    protocolKind: protocol === 'linear' ? 'linear' : 'peft',
    status: 'completed',
    durationMs: 10,
    result: {
      primaryMetric: 'auroc',
      rows: [{ setting: {}, split: 'test', metrics: { auroc: { value: 0.75 } }, ...(parameters ? { parameters } : {}) }],
      notes: [],
      skipped: [],
    },
  };
}

function results(cells: CellResult[]): RunResults {
  return {
    schemaVersion: 1,
    runId: 'run',
    name: 'peft',
    startedAt: '2024-05-01T10:00:00.000Z',
    finishedAt: '2024-05-01T10:05:00.000Z',
    config: {},
    provenance: {
      configHash: 'a'.repeat(64),
      packages: {},
      gitCommit: null,
      seed: 0,
      node: 'v20',
      platform: 'linux',
      cpu: 'cpu',
      cpus: 2,
      memoryBytes: 2 ** 30,
      hostname: 'box',
      backbones: [],
    },
    datasets: [{ name: 'chest', kind: 'image-folder', task: 'binary', classes: ['a', 'b'], counts: { train: 4, val: 2, test: 2 }, patients: null, skipped: [], notes: [] }],
    cells,
  };
}

describe('formatParameterShare', () => {
  it('gives the count in k, M or B and the share in percent', () => {
    // 1 234 567 / 36 311 000 = 3.3999 % → "3.4"; 1 234 567 / 1e6 = 1.23 → "1.2 M".
    expect(formatParameterShare({ trainable: 1_234_567, total: 36_311_000 })).toBe('1.2 M (3.4 %)');
    // BitFit-like: 102 912 of 22 056 576 = 0.46659 % → two significant digits "0.47"; 102.912 k → "102.9 k".
    expect(formatParameterShare({ trainable: 102_912, total: 22_056_576 })).toBe('102.9 k (0.47 %)');
    // Everything trains: 100 %; 1.1e9 → "1.1 B".
    expect(formatParameterShare({ trainable: 1_100_000_000, total: 1_100_000_000 })).toBe('1.1 B (100.0 %)');
    // Below 1000 the count is exact; 770 / 77 000 = 1 %.
    expect(formatParameterShare({ trainable: 770, total: 77_000 })).toBe('770 (1.0 %)');
  });
});

describe('trainable parameters in the results files', () => {
  const mixed = () => results([cell('linear'), cell('lora', { trainable: 1_234_567, total: 36_311_000 })]);

  it('is valid results.json, and the schema refuses a malformed count', () => {
    expect(() => assertValidRunResults(mixed())).not.toThrow();
    const bad = mixed();
    bad.cells[1].result!.rows[0].parameters = { trainable: 1.5, total: 0 };
    expect(() => assertValidRunResults(bad)).toThrow(/\/cells\/1\/result\/rows\/0\/parameters/);
  });

  it('adds a trainable params column to the terminal and markdown tables only when a row has counts', () => {
    expect(formatResultsTable(mixed())).toBe(
      [
        'backbone  dataset  protocol  setting  split  metric  value [low, high]  trainable params',
        '--------  -------  --------  -------  -----  ------  -----------------  ----------------',
        'vit       chest    linear             test   auroc   0.750',
        'vit       chest    lora               test   auroc   0.750              1.2 M (3.4 %)',
      ].join('\n'),
    );
    const markdown = renderResultsMarkdown(mixed());
    expect(markdown).toContain('| backbone | dataset | protocol | setting | split | metric | value [low, high] | trainable params | other metrics |');
    expect(markdown).toContain('| vit | chest | lora |  | test | auroc | 0.750 | 1.2 M (3.4 %) |  |');
    const frozenOnly = results([cell('linear')]);
    expect(formatResultsTable(frozenOnly)).not.toContain('trainable params');
    expect(renderResultsMarkdown(frozenOnly)).not.toContain('trainable params');
  });

  it('adds trainable_params and total_params to results.csv only when a row has counts', () => {
    const lines = renderResultsCsv(mixed()).split('\r\n');
    expect(lines[0]).toBe('backbone,dataset,protocol,protocol_kind,setting,split,metric,class,value,ci_low,ci_high,confidence,unit,ci_unreliable,primary,warnings,trainable_params,total_params');
    expect(lines[1]).toBe('vit,chest,linear,linear,,test,auroc,,0.75,,,,,,true,,,');
    expect(lines[2]).toBe('vit,chest,lora,peft,,test,auroc,,0.75,,,,,,true,,1234567,36311000');
    expect(renderResultsCsv(results([cell('linear')])).split('\r\n')[0]).toMatch(/,primary,warnings$/);
  });
});
