import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildComparison } from '../src/compare/comparison.js';
import { runA, runB, writePcaImages, writeRun } from './compare-fixture.js';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'radprobe-compare-refusal-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Run B differing from run A on cxr: one more TEST item, another split, the study-knn preprocessing, and top1 for the linear probe. */
function mixedRunB() {
  const results = runB();
  const cxr = results.datasets.find((dataset) => dataset.name === 'cxr')!;
  cxr.counts.test = 6;
  cxr.splitHash = '00'.repeat(32);
  results.config.preprocessing = 'study-knn';
  const linear = results.cells.find((cell) => cell.backbone === 'resnet' && cell.protocol === 'linear')!;
  linear.result!.primaryMetric = 'top1';
  for (const row of linear.result!.rows) row.metrics = { top1: Object.values(row.metrics)[0] };
  return results;
}

describe('reading run folders', () => {
  it('accepts results with the failed cells and the plugin provenance', async () => {
    const withFailure = runA();
    withFailure.failed = [{ backbone: 'small', dataset: 'cxr', protocol: 'knn', plugin: '@radprobe/protocol-knn@0.1.0', stage: 'protocol', message: 'protocol "knn" (kind knn, @radprobe/protocol-knn@0.1.0): out of memory' }];
    withFailure.provenance.plugins = [{ name: '@acme/x', version: '1.2.0', location: '/opt/acme/x', firstParty: false, contributed: { backbones: ['medsam'] } }];
    const a = await writeRun(join(root, 'a'), withFailure);
    await expect(buildComparison([a], {})).resolves.toMatchObject({ runs: [{ dir: a }] });
  });

  it('refuses the staging folder of a run that never finished, whatever it holds', async () => {
    const staging = await writeRun(join(root, '.20260101-000000-aaaa.partial'), runA());
    await expect(buildComparison([staging], {})).rejects.toThrow(
      `${staging}: this is what was written of run 20260101-000000-aaaa before it stopped (killed?); it holds no complete results: run it again, and delete this folder`,
    );
  });
});

describe('refusing incomparable runs', () => {
  it('lists every difference with both run folders and values', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    const b = await writeRun(join(root, 'b'), mixedRunB());
    const error = await buildComparison([a, b], {}).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.name).toBe('RadprobeError');
    // study is square 224, no crop; study-knn square 256 cropped to 224: the image size itself is the same.
    expect(error?.message.split('\n')).toEqual([
      'compare: the runs are not comparable (--allow-mixed compares them anyway, with warnings):',
      `  dataset "cxr" counts.test: ${a} has 5, ${b} has 6`,
      `  dataset "cxr" preprocessing.resize: ${a} has square 224, ${b} has square 256`,
      `  dataset "cxr" preprocessing.centerCrop: ${a} has null, ${b} has 224`,
      `  dataset "cxr" splitHash: ${a} has ${'e5'.repeat(32)}, ${b} has ${'00'.repeat(32)}`,
      `  dataset "lungs" preprocessing.resize: ${a} has square 224, ${b} has square 256`,
      `  dataset "lungs" preprocessing.centerCrop: ${a} has null, ${b} has 224`,
      `  column "cxr · linear" primary metric: ${a} has auroc, ${b} has top1`,
    ]);
  });

  it('names a different image size', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    const other = runB();
    other.config.preprocessing = { preset: 'study', resize: { mode: 'square', size: 448 } };
    other.datasets = other.datasets.filter((dataset) => dataset.name === 'lungs');
    other.cells = other.cells.filter((cell) => cell.dataset === 'lungs');
    const b = await writeRun(join(root, 'b'), other);
    await expect(buildComparison([a, b], {})).rejects.toThrow(`dataset "lungs" image size: ${a} has 224, ${b} has 448`);
  });

  it('names a different resampling (a run written before the option existed resampled in floating point)', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    const other = runB();
    other.config.preprocessing = { preset: 'study', resampling: 'pil-uint8' };
    other.datasets = other.datasets.filter((dataset) => dataset.name === 'lungs');
    other.cells = other.cells.filter((cell) => cell.dataset === 'lungs');
    const b = await writeRun(join(root, 'b'), other);
    await expect(buildComparison([a, b], {})).rejects.toThrow(`dataset "lungs" preprocessing.resampling: ${a} has float, ${b} has pil-uint8`);
  });

  it('with allowMixed, compares anyway and returns the differences as warnings', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    const b = await writeRun(join(root, 'b'), mixedRunB());
    const comparison = await buildComparison([a, b], { allowMixed: true });
    expect(comparison.warnings).toHaveLength(7);
    expect(comparison.warnings[0]).toBe(`dataset "cxr" counts.test: ${a} has 5, ${b} has 6`);
    expect(comparison.matrix.columns.find((column) => column.label === 'cxr · linear')?.metric).toBe('auroc / top1');
  });

  it('refuses a backbone × column reported by two runs, naming both values; allowMixed keeps the later run', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    const again = runA();
    again.runId = '20260102-000000-aaaa';
    again.cells = again.cells.filter((cell) => cell.backbone === 'base' && cell.protocol === 'linear');
    again.cells[0].result!.rows[1].metrics.auroc = { value: 0.91 };
    const b = await writeRun(join(root, 'b'), again);
    await expect(buildComparison([a, b], {})).rejects.toThrow(`backbone "base" × "cxr · linear" TEST auroc (reported twice): ${a} has 0.900 [0.850, 0.950], ${b} has 0.910`);
    const { matrix } = await buildComparison([a, b], { allowMixed: true });
    expect(matrix.entry(matrix.backbones[1], matrix.columns[0])?.metric.value).toBe(0.91);
  });

  it('skips the split fingerprint when a run was written before it existed', async () => {
    const older = runB();
    for (const dataset of older.datasets) delete dataset.splitHash;
    const comparison = await buildComparison([await writeRun(join(root, 'a'), runA()), await writeRun(join(root, 'b'), older)], {});
    expect(comparison.warnings).toEqual([]);
  });
});

describe('reading run folders', () => {
  it('names the file and the JSON pointer of a results.json that breaks the schema', async () => {
    const broken = runA() as unknown as { cells: Array<Record<string, unknown>> };
    broken.cells[2].durationMs = 'slow';
    const a = await writeRun(join(root, 'a'), broken as never);
    await expect(buildComparison([a], {})).rejects.toThrow(`${join(a, 'results.json')} at /cells/2/durationMs: must be number`);
  });

  it('names a folder without results.json and a file that is not JSON', async () => {
    await expect(buildComparison([join(root, 'nothing')], {})).rejects.toThrow(`${join(root, 'nothing', 'results.json')} does not exist`);
    await mkdir(join(root, 'bad'));
    await writeFile(join(root, 'bad', 'results.json'), '{"schemaVersion": 1,');
    await expect(buildComparison([join(root, 'bad')], {})).rejects.toThrow(`${join(root, 'bad', 'results.json')} is not valid JSON`);
    await expect(buildComparison([], {})).rejects.toThrow('give at least one results folder');
  });

  it('names the file and pointer of a pca.json that breaks its schema', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    await writePcaImages(a);
    const manifest = join(a, 'pca', 'pca.json');
    const valid = JSON.parse(await readFile(manifest, 'utf8')) as { images: Array<Record<string, unknown>> };
    valid.images[1].file = '../results.json';
    await writeFile(manifest, JSON.stringify(valid));
    await expect(buildComparison([a], {})).rejects.toThrow(`${manifest}: not a valid PCA manifest: /images/1/file must match pattern`);
  });

  it('names a PCA image missing from the folder on the page instead of failing', async () => {
    const a = await writeRun(join(root, 'a'), runA());
    await writePcaImages(a);
    await rm(join(a, 'pca', 'small__lungs__case-2.png'));
    const { pca } = await buildComparison([a], {});
    expect(pca.map((figure) => ('problem' in figure.image ? figure.image.problem : 'shown'))).toEqual(['shown', 'is missing from the run folder']);
  });
});
