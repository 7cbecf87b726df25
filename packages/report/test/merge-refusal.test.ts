import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRuns } from '../src/index.js';
import { runA, writeRun } from './compare-fixture.js';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'radprobe-merge-refusal-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('report merge refuses parts of different code', () => {
  it('names the field, both values and both files, and writes nothing', async () => {
    const newer = runA();
    newer.provenance.packages = { ...newer.provenance.packages, '@radprobe/core': '9.9.9' };
    const a = await writeRun(join(root, 'a'), runA());
    const b = await writeRun(join(root, 'b'), newer);
    const before = runA().provenance.packages['@radprobe/core'] ?? null;
    await expect(mergeRuns([a, b])).rejects.toThrow(
      `cannot merge: provenance.packages["@radprobe/core"] is ${JSON.stringify(before)} in ${join(a, 'results.json')} but "9.9.9" in ${join(b, 'results.json')}: merge only the parts of one config run with one radprobe`,
    );
    expect((await readdir(root)).sort()).toEqual(['a', 'b']);
  });

  it('refuses parts of another git commit', async () => {
    const other = runA();
    other.provenance.gitCommit = 'f'.repeat(40);
    const a = await writeRun(join(root, 'a'), runA());
    const b = await writeRun(join(root, 'b'), other);
    await expect(mergeRuns([a, b])).rejects.toThrow(`cannot merge: provenance.gitCommit is ${JSON.stringify(runA().provenance.gitCommit)} in ${join(a, 'results.json')} but "${'f'.repeat(40)}"`);
  });
});
