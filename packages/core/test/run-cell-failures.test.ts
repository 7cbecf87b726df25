import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RadprobeError, type RunEvent } from '../src/index.js';
import { assertValidRunResults } from '../src/engine/index.js';
import { fakePlugins, runFake, writeFakeConfig } from './fake-run.js';

const FAKE = '@acme/radprobe-fake@1.2.0';
const PROTOCOLS = '@acme/radprobe-protocols@0.3.0';
const statuses = (cells: Array<{ backbone: string; dataset: string; protocol: string; status: string }>) =>
  cells.map((cell) => `${cell.backbone} × ${cell.dataset} × ${cell.protocol}: ${cell.status}`);
const logged = (events: RunEvent[], level: 'info' | 'warn' | 'error') =>
  events.flatMap((event) => (event.type === 'log' && event.level === level ? [event.message] : []));

describe('one failing cell never throws away the others', () => {
  it("a backbone whose create throws fails its cells; the other backbones run, and the log keeps the bug's stack", async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'broken', defect: 'create-throws' }, { kind: 'fake', name: 'good' }] });
    const events: RunEvent[] = [];
    const { results } = await runFake(dir, fakePlugins(), events);
    expect(statuses(results.cells)).toEqual(['broken × memory × count: failed', 'good × memory × count: completed']);
    const message = `backbone "broken" (kind fake, ${FAKE}): libonnxruntime.so.1: cannot open shared object file`;
    expect(results.cells[0].reason).toBe(message);
    expect(results.failed).toEqual([{ backbone: 'broken', dataset: 'memory', protocol: 'count', plugin: FAKE, stage: 'backbone', message }]);
    expect(JSON.stringify(results)).not.toMatch(/\n\s+at /);
    const errors = logged(events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\\s+at `));
    expect(events.filter((event) => event.type === 'cell-end').map((event) => event.type === 'cell-end' && `${event.backbone}: ${event.status}`)).toEqual([
      'broken: failed',
      'good: completed',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', failed: 1 });
  });

  it("a backbone whose embed throws on one dataset fails that pair's cells alone", async () => {
    const dir = await writeFakeConfig({
      backbones: [{ kind: 'fake', name: 'net', defect: 'embed-throws', failOn: ['second'] }],
      datasets: [{ kind: 'memory', name: 'first' }, { kind: 'memory', name: 'second' }, { kind: 'memory', name: 'third' }],
    });
    const { results } = await runFake(dir, fakePlugins());
    expect(statuses(results.cells)).toEqual(['net × first × count: completed', 'net × second × count: failed', 'net × third × count: completed']);
    expect(results.failed).toEqual([
      { backbone: 'net', dataset: 'second', protocol: 'count', plugin: FAKE, stage: 'extract', message: `backbone "net" (kind fake, ${FAKE}): Cannot read properties of undefined (reading 'dims')` },
    ]);
  });

  it("a batch of the wrong shape fails that pair's cells, naming the backbone", async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'short', defect: 'cls-short' }, { kind: 'fake', name: 'good' }] });
    const { results } = await runFake(dir, fakePlugins());
    expect(statuses(results.cells)).toEqual(['short × memory × count: failed', 'good × memory × count: completed']);
    expect(results.failed![0]).toMatchObject({ plugin: FAKE, stage: 'extract', message: expect.stringContaining('cls[0] has 7 floats, expected 2 images × 4 (embedDim) = 8') });
  });

  it('a protocol that throws fails its cell; a RadprobeError keeps its one line and logs no stack', async () => {
    const dir = await writeFakeConfig({
      backbones: [{ kind: 'fake', name: 'net' }],
      protocols: [{ kind: 'count', name: 'bug', fail: 'plain' }, { kind: 'count', name: 'clean', fail: 'clean' }, { kind: 'count', name: 'fine' }],
    });
    const events: RunEvent[] = [];
    const { results } = await runFake(dir, fakePlugins(), events);
    expect(statuses(results.cells)).toEqual(['net × memory × bug: failed', 'net × memory × clean: failed', 'net × memory × fine: completed']);
    expect(results.failed).toEqual([
      { backbone: 'net', dataset: 'memory', protocol: 'bug', plugin: PROTOCOLS, stage: 'protocol', message: `protocol "bug" (kind count, ${PROTOCOLS}): x.map is not a function` },
      { backbone: 'net', dataset: 'memory', protocol: 'clean', plugin: PROTOCOLS, stage: 'protocol', message: `protocol "clean" (kind count, ${PROTOCOLS}): option "k" = 9 is larger than the 6 items` },
    ]);
    const errors = logged(events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^protocol "bug" .*: x\.map is not a function\n\s+at /);
  });

  it('a dataset that fails to load fails its cells with every backbone; the other datasets run', async () => {
    const dir = await writeFakeConfig({
      backbones: [{ kind: 'fake', name: 'a' }, { kind: 'fake', name: 'b' }],
      datasets: [{ kind: 'memory', name: 'absent' }, { kind: 'memory', name: 'present' }],
    });
    const { results } = await runFake(dir, fakePlugins({ datasetCreateFails: ['absent'] }));
    expect(statuses(results.cells)).toEqual([
      'a × absent × count: failed',
      'a × present × count: completed',
      'b × absent × count: failed',
      'b × present × count: completed',
    ]);
    const message = `dataset "absent" (kind memory, ${FAKE}): option "root": /data/absent does not exist`;
    expect(results.failed!.map((failure) => [failure.backbone, failure.stage, failure.message])).toEqual([
      ['a', 'dataset', message],
      ['b', 'dataset', message],
    ]);
    expect(results.datasets.map((dataset) => dataset.name)).toEqual(['present']);
  });

  it('shows failed cells in results.md and results.csv, and the results stay valid against the schema', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'broken', defect: 'create-throws' }, { kind: 'fake', name: 'good' }] });
    const { results, outcome } = await runFake(dir, fakePlugins());
    expect(() => assertValidRunResults(results)).not.toThrow();
    const markdown = await readFile(join(outcome.outputDir, 'results.md'), 'utf8');
    expect(markdown).toContain('## Failed cells');
    expect(markdown).toContain(`- broken × memory × count (loading the backbone): backbone "broken" (kind fake, ${FAKE}): libonnxruntime.so.1: cannot open shared object file`);
    const csv = (await readFile(join(outcome.outputDir, 'results.csv'), 'utf8')).split('\r\n');
    expect(csv[0].split(',').slice(-2)).toEqual(['status', 'error']);
    expect(csv.find((line) => line.startsWith('broken,'))).toBe(
      `broken,memory,count,count,,,,,,,,,,,,,failed,"backbone ""broken"" (kind fake, ${FAKE}): libonnxruntime.so.1: cannot open shared object file"`,
    );
    expect(csv.find((line) => line.startsWith('good,'))).toMatch(/,completed,$/);
  });

  it('when no cell completes, writes nothing and fails with the error', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'broken', defect: 'create-throws' }] });
    const error = await runFake(dir, fakePlugins()).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(RadprobeError);
    expect((error as Error).message).toBe(`backbone "broken" (kind fake, ${FAKE}): libonnxruntime.so.1: cannot open shared object file`);
    expect(await readdir(join(dir, 'results')).catch(() => [])).toEqual([]);
  });

  it('cancellation still stops the run', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net' }] });
    const controller = new AbortController();
    const { runEvaluation } = await import('../src/engine/index.js');
    const run = runEvaluation({
      configPath: join(dir, 'radprobe.json'),
      builtins: fakePlugins().builtins,
      signal: controller.signal,
      reporter: (event) => event.type === 'stage' && event.stage === 'extract' && controller.abort(),
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(await readdir(join(dir, 'results')).catch(() => [])).toEqual([]);
  });
});
