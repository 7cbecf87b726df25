import { describe, expect, it } from 'vitest';
import { backendSummary, parseDoctorReport } from '../../src/backend/doctor-summary.js';
import { runArguments } from '../../src/run/run-arguments.js';
import { emptyProgress, nextProgress, progressText } from '../../src/run/run-progress.js';
import type { RunEvent } from '@radprobe/core';

describe('run progress', () => {
  it('sums the latest counts of each extraction, counts cells and shows the protocol step', () => {
    const events: RunEvent[] = [
      { type: 'run-start', runId: 'r', outputDir: '/o', cells: 4 },
      { type: 'progress', task: 'extract:a:x', label: 'images embedded', done: 50, total: 100 },
      { type: 'progress', task: 'extract:a:x', label: 'images embedded', done: 100, total: 100 },
      { type: 'progress', task: 'extract:a:y', label: 'images embedded', done: 20, total: 60 },
      { type: 'progress', task: 'protocol:a:x:linear', label: 'epochs', done: 3, total: 10 },
      { type: 'cell-end', backbone: 'a', dataset: 'x', protocol: 'linear', status: 'failed', summary: 'boom' },
      { type: 'cell-end', backbone: 'a', dataset: 'x', protocol: 'knn', status: 'completed', summary: 'ok' },
    ];
    const states = events.map((_, i) => events.slice(0, i + 1).reduce(nextProgress, emptyProgress));
    // 100 (task a:x, its newest count replaces 50) + 20 of 100 + 60.
    expect(progressText(states[4])).toBe('images embedded 120/160 · cells 0/4 · epochs 3/10');
    expect(progressText(states[6])).toBe('images embedded 120/160 · cells 2/4 (1 failed)');
  });
});

describe('runArguments', () => {
  it('asks for jsonl, filters cells and passes a device other than auto', () => {
    expect(runArguments('/w/radprobe.json', { protocol: 'knn' }, 'auto')).toEqual(['run', '/w/radprobe.json', '--reporter', 'jsonl', '--protocol', 'knn']);
    expect(runArguments('/w/radprobe.json', { backbone: 'b', dataset: 'd' }, 'cuda')).toEqual([
      'run', '/w/radprobe.json', '--reporter', 'jsonl', '--backbone', 'b', '--dataset', 'd', '--device', 'cuda',
    ]);
  });
});

describe('backend summary', () => {
  const report = parseDoctorReport(
    JSON.stringify({
      node: 'v20.20.2',
      onnxruntime: { providers: [{ name: 'cpu', usable: true }, { name: 'cuda', usable: false, note: 'not installed' }], autoPicks: 'CPUExecutionProvider' },
      computeBackend: 'wasm',
    }),
  );

  it('shows what auto picks, or the device asked for, with the training backend', () => {
    expect(backendSummary(report, 'auto').text).toBe('CPU · wasm');
    expect(backendSummary(report, 'cpu').text).toBe('CPU · wasm');
    expect(backendSummary(report, 'cuda').text).toBe('CUDA (unavailable) · wasm');
    expect(backendSummary(report, 'cuda').tooltip).toContain('execution provider: cuda (not usable: not installed)');
  });

  it('shows how many worker threads train, when doctor reports more than one', () => {
    const parallel = { ...report, trainingWorkers: 2 };
    expect(backendSummary(parallel, 'auto').text).toBe('CPU · wasm ×2');
    expect(backendSummary(parallel, 'auto').tooltip).toContain('training backend: wasm × 2 workers');
    expect(backendSummary({ ...report, trainingWorkers: 1 }, 'auto').text).toBe('CPU · wasm');
  });

  it('rejects output that is not doctor JSON', () => {
    expect(() => parseDoctorReport('oops')).toThrow(/did not print JSON/);
    expect(() => parseDoctorReport('{"node":"v20"}')).toThrow(/lacks onnxruntime.autoPicks/);
  });
});
