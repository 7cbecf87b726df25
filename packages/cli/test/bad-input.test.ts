import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '@radprobe/core';
import { encodeGrayPng, writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import {
  embeddedAndCached,
  expectNothingHalfWritten,
  expectOneClearLine,
  logPixelsModel,
  resultsOf,
  smallConfig,
  tokenIdsModel,
  writeConfig,
} from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

/** Two classes, 24 images of 56 px: train 6, val 2, test 4 per class. */
const DATA = { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 9 };
const ITEMS = 24;
const IMAGE_FOLDER = { kind: 'image-folder', name: 'cxr', root: 'data' };

let model: string;
beforeAll(async () => {
  model = await writeDinov2Fixture(await temporaryDir('bad-input-model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 5, style: 'hf' });
});

/** A folder with the image-folder data and a config; returns the folder. */
async function caseWithData(prefix: string, config: Record<string, unknown>): Promise<string> {
  const dir = await temporaryDir(prefix);
  await writeImageFolderDataset(join(dir, 'data'), DATA);
  await writeConfig(join(dir, 'radprobe.json'), config);
  return dir;
}

const run = (dir: string, ...flags: string[]) => runCli(['run', 'radprobe.json', '--reporter', 'jsonl', ...flags], { cwd: dir });
const cacheRecords = async (dir: string) => {
  const listed = await runCli(['cache', 'ls', '--cache', 'cache', '--json'], { cwd: dir });
  expect(listed.code, listed.stderr).toBe(0);
  const { cache } = JSON.parse(listed.stdout) as { cache: { entries: Array<{ groups: Array<{ records: number }> }> } };
  return cache.entries.flatMap((entry) => entry.groups.map((group) => group.records));
};

describe('bad input gives one clear message naming the file or field, and leaves nothing half-written', () => {
  it('a dataset root that does not exist', async () => {
    const dir = await temporaryDir('bad-root');
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(model, { ...IMAGE_FOLDER, root: 'absent' }));
    expectOneClearLine(await run(dir), 'option "root"', join(dir, 'absent'));
    await expectNothingHalfWritten(dir);
  });

  it('a truncated PNG: fails naming it; skipped, it is reported and never cached; fixed, exactly it is embedded', async () => {
    const dir = await caseWithData('truncated', smallConfig(model, IMAGE_FOLDER, { batchSize: 2 }));
    const image = join(dir, 'data', 'train', 'normal', 'normal_0002.png');
    const original = await readFile(image);
    await writeFile(image, original.subarray(0, 300));
    // Shards of two items and batches of two: the bad image is read ahead while the batch before it is written,
    // which once crashed the process with an unhandled rejection and a stack trace.
    const env = { RADPROBE_FLUSH_ITEMS: '2' };

    const failed = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    const line = expectOneClearLine(failed, image, 'truncated PNG', '--on-bad-item skip');
    expect(line.split(image)).toHaveLength(2);
    await expectNothingHalfWritten(dir);

    const skipped = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl', '--on-bad-item', 'skip'], { cwd: dir, env });
    expect(skipped.code, skipped.stderr).toBe(0);
    const results = await resultsOf(skipped);
    expect(results.datasets[0].skipped).toEqual([{ source: image, reason: expect.stringMatching(/^truncated PNG \(chunk IDAT at byte 33 needs \d+ bytes, the file ends at byte 300\)$/) }]);
    expect(results.cells.map((cell) => cell.status)).toEqual(['completed']);
    expect(await cacheRecords(dir)).toEqual([ITEMS - 1]);

    await writeFile(image, original);
    const fixed = await run(dir);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(embeddedAndCached(fixed)).toEqual([1, ITEMS - 1]);
    expect((await resultsOf(fixed)).datasets[0].skipped).toEqual([]);
  }, 30_000);

  it('a CSV label that is not in the class list: names the CSV file and line; skipped, the run finishes', async () => {
    const dir = await temporaryDir('csv-label');
    await writeImageFolderDataset(join(dir, 'data'), DATA);
    const rows: string[] = [];
    for (const split of ['train', 'val', 'test']) {
      for (const className of DATA.classes) {
        for (const file of (await readdir(join(dir, 'data', split, className))).sort()) rows.push(`../data/${split}/${className}/${file},${className},${split}`);
      }
    }
    // Line 1 is the header, so the relabelled row 3 is line 4.
    rows[2] = rows[2].replace(',normal,', ',pneumonia,');
    const image = join(dir, 'data', 'train', 'normal', 'normal_0002.png');
    expect(rows[2]).toBe('../data/train/normal/normal_0002.png,pneumonia,train');
    const csv = join(dir, 'labels', 'labels.csv');
    await mkdir(join(dir, 'labels'));
    await writeFileAtomic(csv, ['path,label,split', ...rows].join('\n'));
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(model, { kind: 'csv', name: 'cxr-csv', manifest: 'labels/labels.csv', classes: DATA.classes }));

    expectOneClearLine(await run(dir), 'dataset "cxr-csv"', `${csv}:4: label "pneumonia" is not in the class list (normal, effusion)`);
    await expectNothingHalfWritten(dir);

    const skipped = await run(dir, '--on-bad-item', 'skip');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect((await resultsOf(skipped)).datasets[0].skipped).toEqual([
      { source: image, reason: `${csv}:4: label "pneumonia" is not in the class list (normal, effusion)` },
    ]);
    expect(embeddedAndCached(skipped)).toEqual([ITEMS - 1, 0]);
  });

  // In this case and the next the model sits beside the config, radprobe.json, which is not the model's manifest.
  it('an ONNX model whose input is not an image tensor: names the model file and its input', async () => {
    const dir = await caseWithData('text-model', smallConfig('text-model.onnx', IMAGE_FOLDER));
    await writeFileAtomic(join(dir, 'text-model.onnx'), tokenIdsModel());
    expectOneClearLine(
      await run(dir),
      `${join(dir, 'text-model.onnx')}: the first input must be a float32 image tensor [B, 3, H, W], but it is "input_ids" (int64 [batch, tokens])`,
    );
    await expectNothingHalfWritten(dir);
  });

  it('a model that gives NaN features for one image: fails naming the image; skipped, it is reported and never cached', async () => {
    // Range scaling and mean 0.3 put a black pixel at -0.3 (Log gives NaN) and the bright mediastinum at the
    // centre of every synthetic chest image at 0.5 - 0.3 and above (finite).
    const preprocessing = { resize: { mode: 'square', size: 28 }, scale: 'range', normalize: { mean: [0.3, 0.3, 0.3], std: [1, 1, 1] } };
    const dir = await caseWithData('nan', smallConfig({ name: 'log-pixels', model: 'log-pixels.onnx', inputSize: 28 }, IMAGE_FOLDER, { preprocessing }));
    await writeFileAtomic(join(dir, 'log-pixels.onnx'), logPixelsModel());
    const black = join(dir, 'data', 'test', 'effusion', 'effusion_0001.png');
    await writeFile(black, encodeGrayPng(new Uint8Array(56 * 56), 56, 56, 8));

    const reason = 'log-pixels.onnx (onnx, HF style) gave non-finite features (NaN or Infinity) for this image';
    expectOneClearLine(await run(dir), `${black}: ${reason}`);
    await expectNothingHalfWritten(dir);

    const skipped = await run(dir, '--on-bad-item', 'skip');
    expect(skipped.code, skipped.stderr).toBe(0);
    const results = await resultsOf(skipped);
    expect(results.datasets[0].skipped).toEqual([{ source: black, reason }]);
    expect(results.cells.map((cell) => cell.status)).toEqual(['completed']);
    expect(await cacheRecords(dir)).toEqual([ITEMS - 1]);
  });
});

describe('a config error names the file, line and JSON pointer, and suggests the key meant', () => {
  it('through radprobe validate and radprobe run', async () => {
    const dir = await temporaryDir('config-typo');
    const config = smallConfig(model, IMAGE_FOLDER);
    const text = await writeConfig(join(dir, 'radprobe.json'), { ...config, protocols: [{ kind: 'knn', kk: [3] }] });
    const lines = text.split('\n');
    const line = lines.findIndex((candidate) => candidate.includes('"kk"'));
    const where = `radprobe.json:${line + 1}:${lines[line].indexOf('"kk"') + 1}`;
    const message = `${where} /protocols/0/kk: unknown key 'kk'; did you mean 'k'?`;

    expect(expectOneClearLine(await runCli(['validate', 'radprobe.json'], { cwd: dir }))).toBe(`radprobe: ${message}`);
    expect(expectOneClearLine(await run(dir))).toBe(`radprobe: ${message}`);
    await expectNothingHalfWritten(dir);
  });
});
