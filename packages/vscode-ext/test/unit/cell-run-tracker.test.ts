import type { RunEvent } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { parseRunnerLine } from '../../src/protocol/run-events.js';
import { CliMessageCollector, runEnding } from '../../src/run/run-ending.js';
import type { CellKey } from '../../src/testing/cell-items.js';
import { CellRunTracker, type TestRunSink } from '../../src/testing/cell-run-tracker.js';

/** A sink that records what the Testing view is told, item by item, in order. */
function recordingSink() {
  const calls: string[] = [];
  const output: string[] = [];
  const sink: TestRunSink<string> = {
    enqueued: (item) => calls.push(`enqueued ${item}`),
    started: (item) => calls.push(`started ${item}`),
    passed: (item) => calls.push(`passed ${item}`),
    failed: (item, message) => calls.push(`failed ${item}: ${message}`),
    errored: (item, message) => calls.push(`errored ${item}: ${message}`),
    skipped: (item) => calls.push(`skipped ${item}`),
    appendOutput: (text, item) => output.push(`${item ?? '-'} ${text}`),
    end: () => calls.push('end'),
  };
  return { sink, calls, output };
}

const cell = (backbone: string, dataset: string, protocol = 'knn'): CellKey => ({ backbone, dataset, protocol });
const requested = [
  { cell: cell('vit', 'nih'), item: 'vit/nih' },
  { cell: cell('vit', 'cxr'), item: 'vit/cxr' },
];
const events = (...lines: string[]): RunEvent[] =>
  lines.map((line) => {
    const parsed = parseRunnerLine(line);
    if (parsed.kind !== 'event') throw new Error(`not an event: ${line}`);
    return parsed.event;
  });

// The jsonl and stderr `radprobe run` wrote for a config whose model file does not exist (exit 2).
const modelError = 'backbone "vit" (kind onnx, @radprobe/backbone-onnx@0.1.0): Model file /ws/models/missing/model.onnx does not exist';
const crashedRun = events(
  '{"type":"run-start","runId":"20261207-022647-6ee568a8","outputDir":"/ws/results/20261207-022647-6ee568a8","cells":2}',
  '{"type":"stage","stage":"dataset","dataset":"nih","message":"loading dataset nih (nih-chestxray14)"}',
  '{"type":"stage","stage":"backbone","backbone":"vit","message":"loading backbone vit"}',
  `{"type":"cell-end","backbone":"vit","dataset":"nih","protocol":"knn","status":"failed","summary":${JSON.stringify(modelError)}}`,
);

describe('CellRunTracker: the Testing view tells how each cell of a run ended', () => {
  it('errors the cells of a run that stopped (exit 2), with its message, instead of leaving them as they were', () => {
    const { sink, calls, output } = recordingSink();
    const tracker = new CellRunTracker(sink, requested);
    crashedRun.forEach((event) => tracker.onEvent(event));
    const stderr = new CliMessageCollector();
    expect(stderr.take(`radprobe: ${modelError}`)).toBeUndefined();
    tracker.end(runEnding({ code: 2, sawRunEnd: false, cancelRequested: false, cliError: stderr.message }));
    expect(calls).toEqual([
      'enqueued vit/nih',
      'enqueued vit/cxr',
      `failed vit/nih: ${modelError}`,
      // Failed, then errored: the run did not finish, so the cell's failure is the run's error.
      `errored vit/nih: the run stopped: ${modelError} (exit 2)`,
      // Never reached: errored with the same message, not passed and not left as the previous run had it.
      `errored vit/cxr: not evaluated: the run stopped before this cell finished: ${modelError} (exit 2)`,
      'end',
    ]);
    expect(calls.some((call) => call.startsWith('passed'))).toBe(false);
    expect(output).toContain(`- radprobe run stopped: ${modelError} (exit 2)\r\n`);
  });

  it('skips the cells a cancelled run did not finish, and keeps those it did', () => {
    const { sink, calls, output } = recordingSink();
    const tracker = new CellRunTracker(sink, requested);
    events(
      '{"type":"stage","stage":"protocol","backbone":"vit","dataset":"nih","protocol":"knn","message":"knn on vit × nih"}',
      '{"type":"cell-end","backbone":"vit","dataset":"nih","protocol":"knn","status":"completed","summary":"auroc 0.712 [0.690, 0.734]","setting":"k=5"}',
      '{"type":"stage","stage":"protocol","backbone":"vit","dataset":"cxr","protocol":"knn","message":"knn on vit × cxr"}',
    ).forEach((event) => tracker.onEvent(event));
    const stderr = new CliMessageCollector();
    stderr.take('radprobe: cancelled; the feature cache keeps every finished shard, so running again resumes');
    tracker.end(runEnding({ code: 130, sawRunEnd: false, cancelRequested: true, cliError: stderr.message }));
    expect(calls).toEqual(['enqueued vit/nih', 'enqueued vit/cxr', 'started vit/nih', 'passed vit/nih', 'started vit/cxr', 'skipped vit/cxr', 'end']);
    expect(output).toEqual(['vit/nih vit × nih × knn: auroc 0.712 [0.690, 0.734] (k=5)\r\n', 'vit/cxr not evaluated: the run was cancelled first\r\n']);
  });

  it('fails a failed cell and skips one the protocol skipped in a run that finished (exit 1)', () => {
    const { sink, calls } = recordingSink();
    const tracker = new CellRunTracker(sink, requested);
    events(
      '{"type":"cell-end","backbone":"vit","dataset":"nih","protocol":"knn","status":"failed","summary":"out of memory"}',
      '{"type":"cell-end","backbone":"vit","dataset":"cxr","protocol":"knn","status":"skipped","summary":"knn does not evaluate segmentation datasets"}',
      '{"type":"run-end","runId":"r","outputDir":"/ws/results/r","failed":1}',
    ).forEach((event) => tracker.onEvent(event));
    tracker.end(runEnding({ code: 1, sawRunEnd: true, cancelRequested: false, cliError: '' }));
    expect(calls).toEqual(['enqueued vit/nih', 'enqueued vit/cxr', 'failed vit/nih: out of memory', 'skipped vit/cxr', 'end']);
  });

  it('marks only the requested cells: events of others (a broader run) change nothing', () => {
    const { sink, calls } = recordingSink();
    const tracker = new CellRunTracker(sink, [requested[0]]);
    events('{"type":"cell-end","backbone":"vit","dataset":"cxr","protocol":"knn","status":"failed","summary":"x"}').forEach((event) => tracker.onEvent(event));
    tracker.end({ kind: 'finished' });
    expect(calls).toEqual(['enqueued vit/nih', 'skipped vit/nih', 'end']);
  });
});

describe('runEnding', () => {
  it('tells finished, cancelled and crashed runs apart by exit code, run-end and the cancel request', () => {
    expect(runEnding({ code: 0, sawRunEnd: true, cancelRequested: false, cliError: '' })).toEqual({ kind: 'finished' });
    expect(runEnding({ code: 1, sawRunEnd: true, cancelRequested: false, cliError: '' })).toEqual({ kind: 'finished' });
    expect(runEnding({ code: 130, sawRunEnd: false, cancelRequested: false, cliError: '' })).toEqual({ kind: 'cancelled' });
    // Killed after the grace period: still the user's cancel.
    expect(runEnding({ code: null, sawRunEnd: false, cancelRequested: true, cliError: '' })).toEqual({ kind: 'cancelled' });
    expect(runEnding({ code: null, sawRunEnd: false, cancelRequested: false, cliError: '' })).toEqual({
      kind: 'crashed',
      message: 'the run stopped (killed by a signal) before writing results: see the radprobe output',
    });
    // Exit 0 without run-end: nothing was written, so not a finished run.
    expect(runEnding({ code: 0, sawRunEnd: false, cancelRequested: false, cliError: '' }).kind).toBe('crashed');
  });
});

describe('CliMessageCollector', () => {
  it("holds the CLI's own message, over several lines, and passes other stderr lines through", () => {
    const stderr = new CliMessageCollector();
    expect(stderr.take('warning: onnxruntime: slow path')).toBe('warning: onnxruntime: slow path');
    expect(stderr.take('radprobe: config radprobe.json: /backbones/0/model: not found')).toBeUndefined();
    expect(stderr.take('  (the second line of the message)')).toBeUndefined();
    expect(stderr.message).toBe('config radprobe.json: /backbones/0/model: not found\n  (the second line of the message)');
    expect(new CliMessageCollector().message).toBe('');
  });
});
