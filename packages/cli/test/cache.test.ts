import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunResults } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { embeddedAndCached, expectOneClearLine, filesUnder, resultsOf, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

/** Two classes, 24 images: with shards of 8 items (`RADPROBE_FLUSH_ITEMS`), every cache here holds three shards. */
const DATA = { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 4 };
const ITEMS = 24;
const SHARD_ROWS = 8;
const env = { RADPROBE_FLUSH_ITEMS: String(SHARD_ROWS) };

let model: string;
let data: string;
beforeAll(async () => {
  const shared = await temporaryDir('cache-shared');
  model = await writeDinov2Fixture(join(shared, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 3, style: 'hf' });
  data = join(shared, 'data');
  await writeImageFolderDataset(data, DATA);
});

/** A project folder (config, data, model, results, notes) after one run that filled `<dir>/<cache>`. */
async function projectAfterRun(prefix: string, cache = 'cache'): Promise<{ dir: string; first: CliRun }> {
  const dir = await temporaryDir(prefix);
  await cp(data, join(dir, 'data'), { recursive: true });
  await cp(model, join(dir, 'model', 'model.onnx'));
  await mkdir(join(dir, 'notes'));
  await writeFile(join(dir, 'notes', 'todo.md'), 'ask about the effusion labels\n');
  await writeConfig(join(dir, 'radprobe.json'), smallConfig('model/model.onnx', { kind: 'image-folder', name: 'cxr', root: 'data' }, { cache, batchSize: 8 }));
  const first = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
  expect(first.code, first.stderr).toBe(0);
  return { dir, first };
}

/** Path → sha256 of every file under `dir`. */
async function contentOf(dir: string): Promise<Map<string, string>> {
  const files = await filesUnder(dir);
  return new Map(await Promise.all(files.map(async (file) => [file, createHash('sha256').update(await readFile(file)).digest('hex')] as const)));
}

/** The one feature group folder of the one entry in a cache (kNN caches CLS vectors only). */
async function groupDir(cache: string): Promise<string> {
  const entries = (await readdir(cache, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  expect(entries).toHaveLength(1);
  const entry = join(cache, entries[0].name);
  // Besides its groups, an entry holds `work/`: the workers' claims and finished-part records.
  const groups = (await readdir(entry, { withFileTypes: true })).filter((group) => group.isDirectory() && group.name !== 'work');
  expect(groups).toHaveLength(1);
  return join(entry, groups[0].name);
}

/** Shard ids of a group folder, in file-name order. */
async function shardIds(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((file) => file.endsWith('.json')).sort().map((file) => file.slice(0, -'.json'.length));
}

const warnings = (run: CliRun) =>
  run.events.filter((event): event is Extract<RunEvent, { type: 'log' }> => event.type === 'log' && event.level === 'warn').map((event) => event.message);
const resultOf = async (run: CliRun): Promise<RunResults['cells'][number]['result']> => (await resultsOf(run)).cells[0].result;

describe('radprobe cache prune removes only what it can prove is its own', () => {
  it('refuses `prune --cache .` (a project folder) and `prune --all --cache data` with one line, and every file survives', async () => {
    const { dir } = await projectAfterRun('prune-refuse');
    const before = await contentOf(dir);

    const project = await runCli(['cache', 'prune', '--cache', '.'], { cwd: dir });
    expectOneClearLine(project, `${dir} is not a radprobe feature cache`, '.radprobe-cache', 'nothing was removed');
    const data = await runCli(['cache', 'prune', '--all', '--cache', 'data'], { cwd: dir });
    expectOneClearLine(data, `${join(dir, 'data')} is not a radprobe feature cache`, 'nothing was removed');

    expect(await contentOf(dir)).toEqual(before);
  }, 60_000);

  it('a cache that is the project folder itself ("cache": "."): prune --all removes its entries and nothing else', async () => {
    const { dir } = await projectAfterRun('prune-dot', '.');
    const others = [...(await contentOf(dir))].filter(([file]) => !/\/[0-9a-f]{16}-[0-9a-f]{16}\//.test(file) && !file.endsWith('.radprobe-cache'));
    expect(others.length).toBeGreaterThan(ITEMS);

    const pruned = await runCli(['cache', 'prune', '--all', '--cache', '.'], { cwd: dir });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^removed 1 entry and 0 file\(s\), freed [\d.]+ (B|KiB)$/m);
    const after = await contentOf(dir);
    for (const [file, hash] of others) expect(after.get(file), file).toBe(hash);
    expect([...after.keys()].filter((file) => /\/[0-9a-f]{16}-[0-9a-f]{16}\//.test(file))).toEqual([]);
  }, 60_000);

  it('removes leftovers of killed runs and broken shards; --all removes entries, keeps files it does not know, never follows a link', async () => {
    const { dir } = await projectAfterRun('prune-legit');
    const group = await groupDir(join(dir, 'cache'));
    const shards = await shardIds(group);
    expect(shards).toHaveLength(ITEMS / SHARD_ROWS);
    const listed = await runCli(['cache', 'ls', '--cache', 'cache'], { cwd: dir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^[0-9a-f-]+ {2}[\d.]+ KiB {2}model\/model\.onnx \(onnx, HF style\), last used /m);
    expect(listed.stdout).toMatch(/^ {2}\S+: 24 records, [\d.]+ KiB$/m);

    const leftover = join(group, `.${shards[1]}.f32.4242.0123456789ab.tmp`);
    await writeFile(leftover, 'left by a killed run');
    const theirs = join(group, 'README.txt');
    await writeFile(theirs, 'a file radprobe did not write');
    await symlink(join(dir, 'data'), join(group, 'linked-data'));
    await symlink(join(dir, 'notes'), join(dir, 'cache', 'linked-notes'));

    await truncate(join(group, `${shards[1]}.f32`), 100);
    const damaged = await runCli(['cache', 'ls', '--cache', 'cache'], { cwd: dir });
    expect(damaged.stdout).toMatch(/^ {2}\S+: 16 records, [\d.]+ (B|KiB), to prune: 1 bad shard, 1 leftover file$/m);

    const pruned = await runCli(['cache', 'prune', '--cache', 'cache'], { cwd: dir });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^removed 0 entries and 3 file\(s\), freed [\d.]+ (B|KiB)$/m);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(join(group, `${shards[1]}.json`))).toBe(false);
    expect(existsSync(join(group, `${shards[1]}.f32`))).toBe(false);
    const next = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(next.code, next.stderr).toBe(0);
    expect(embeddedAndCached(next)).toEqual([SHARD_ROWS, ITEMS - SHARD_ROWS]);

    const outside = await contentOf(join(dir, 'data'));
    const all = await runCli(['cache', 'prune', '--all', '--cache', 'cache'], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^removed 1 entry and 0 file\(s\), freed [\d.]+ KiB$/m);
    expect(all.stdout).toContain(`kept 3 item(s) radprobe did not write: ${join(dir, 'cache', 'linked-notes')}, ${theirs}, ${join(group, 'linked-data')}`);
    expect(await contentOf(join(dir, 'data'))).toEqual(outside);
    expect(existsSync(join(dir, 'notes', 'todo.md'))).toBe(true);
    expect(existsSync(theirs)).toBe(true);
    expect((await filesUnder(join(dir, 'cache'))).filter((file) => file.endsWith('.f32') || file.endsWith('entry.json'))).toEqual([]);
  }, 90_000);

  it('adopts a cache written before the marker when every folder in it is a cache entry, and refuses one with anything else', async () => {
    const { dir } = await projectAfterRun('prune-legacy');
    await rm(join(dir, 'cache', '.radprobe-cache'));
    await mkdir(join(dir, 'cache', 'scans'));
    await writeFile(join(dir, 'cache', 'scans', 'a.dcm'), 'not a feature');
    expectOneClearLine(await runCli(['cache', 'prune', '--all', '--cache', 'cache'], { cwd: dir }), 'not a radprobe feature cache', 'scans');
    expect(existsSync(join(dir, 'cache', 'scans', 'a.dcm'))).toBe(true);

    await rm(join(dir, 'cache', 'scans'), { recursive: true });
    const adopted = await runCli(['cache', 'prune', '--all', '--cache', 'cache'], { cwd: dir });
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toMatch(/^removed 1 entry and 0 file\(s\)/m);
    expect(existsSync(join(dir, 'cache', '.radprobe-cache'))).toBe(true);
  }, 60_000);
});

/** Ways the fault campaign damaged one shard (the second of three) of a cache. */
const corruptions: Array<{ name: string; reason: string; damage(group: string, shard: string): Promise<void> }> = [
  {
    name: 'one flipped bit in a .f32 shard',
    reason: 'record 3 (item ',
    async damage(group, shard) {
      const path = join(group, `${shard}.f32`);
      const bytes = await readFile(path);
      // A high exponent bit of one float of row 3: the value changes by orders of magnitude.
      bytes[3 * (bytes.length / SHARD_ROWS) + 4 * 5 + 3] ^= 0x20;
      await writeFile(path, bytes);
    },
  },
  {
    name: 'two keys swapped in a shard manifest',
    reason: 'manifest fails its checksum',
    async damage(group, shard) {
      const path = join(group, `${shard}.json`);
      const manifest = JSON.parse(await readFile(path, 'utf8')) as { keys: string[] };
      [manifest.keys[0], manifest.keys[1]] = [manifest.keys[1], manifest.keys[0]];
      await writeFile(path, JSON.stringify(manifest));
    },
  },
  {
    name: 'a record overwritten with NaN',
    reason: 'record 2 (item ',
    async damage(group, shard) {
      const path = join(group, `${shard}.f32`);
      const bytes = await readFile(path);
      const recordBytes = bytes.length / SHARD_ROWS;
      new Float32Array(bytes.buffer, bytes.byteOffset + 2 * recordBytes, recordBytes / 4).fill(Number.NaN);
      await writeFile(path, bytes);
    },
  },
  {
    name: 'a truncated shard',
    reason: 'data file has 100 bytes, expected',
    damage: (group, shard) => truncate(join(group, `${shard}.f32`), 100),
  },
];

describe('a corrupted cache is never used silently', () => {
  for (const corruption of corruptions) {
    it(`${corruption.name}: cache verify names it; the rerun warns, sets the shard aside, re-embeds it and gives the clean numbers`, async () => {
      const { dir, first } = await projectAfterRun('corrupt');
      const group = await groupDir(join(dir, 'cache'));
      const shard = (await shardIds(group))[1];
      await corruption.damage(group, shard);

      const verified = await runCli(['cache', 'verify', '--cache', 'cache'], { cwd: dir });
      expect(verified.code, verified.stderr).toBe(1);
      expect(verified.stdout).toContain(`${shard}: ${corruption.reason}`);
      expect(verified.stdout).toMatch(/^1 bad shard in 1 entry; /m);

      const rerun = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(warnings(rerun)).toEqual([expect.stringMatching(new RegExp(`^feature cache shard \\S+${shard}: .*set aside as ${shard}\\.\\*\\.bad; its ${SHARD_ROWS} items are embedded again$`))]);
      expect(warnings(rerun)[0]).toContain(corruption.reason);
      expect(embeddedAndCached(rerun)).toEqual([SHARD_ROWS, ITEMS - SHARD_ROWS]);
      expect(await resultOf(rerun)).toEqual(await resultOf(first));

      const clean = await runCli(['cache', 'verify', '--cache', 'cache'], { cwd: dir });
      expect(clean.code, clean.stdout).toBe(0);
      expect(clean.stdout).toMatch(/^no bad shard in 1 entry \(24 records\); 1 shard set aside by a run: radprobe cache prune deletes it$/m);
      const pruned = await runCli(['cache', 'prune', '--cache', 'cache'], { cwd: dir });
      expect(pruned.stdout).toMatch(/^removed 0 entries and 2 file\(s\)/m);
      expect((await readdir(group)).filter((file) => file.startsWith(shard))).toEqual([]);
    }, 90_000);
  }

  it('cache verify finds a bad record anywhere, and prune removes its shard', async () => {
    const { dir } = await projectAfterRun('verify-prune');
    const group = await groupDir(join(dir, 'cache'));
    const shard = (await shardIds(group))[2];
    await corruptions[2].damage(group, shard);

    const verified = await runCli(['cache', 'verify', '--cache', 'cache', '--json'], { cwd: dir });
    expect(verified.code).toBe(1);
    const report = JSON.parse(verified.stdout) as { bad: number; entries: Array<{ groups: Array<{ records: number; problems: Array<{ shard: string }> }> }> };
    expect(report.bad).toBe(1);
    expect(report.entries[0].groups[0].problems.map((problem) => problem.shard)).toEqual([shard]);

    const pruned = await runCli(['cache', 'prune', '--cache', 'cache'], { cwd: dir });
    expect(pruned.stdout).toMatch(/^removed 0 entries and 2 file\(s\)/m);
    expect((await runCli(['cache', 'verify', '--cache', 'cache'], { cwd: dir })).code).toBe(0);
    const next = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(warnings(next)).toEqual([]);
    expect(embeddedAndCached(next)).toEqual([SHARD_ROWS, ITEMS - SHARD_ROWS]);
  }, 90_000);

  it('shards written before checksums are re-embedded once, with one warning saying why', async () => {
    const { dir, first } = await projectAfterRun('old-shards');
    const group = await groupDir(join(dir, 'cache'));
    for (const shard of await shardIds(group)) {
      const path = join(group, `${shard}.json`);
      const { rows, recordFloats, keys, createdAt } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      await writeFile(path, JSON.stringify({ version: 1, rows, recordFloats, keys, createdAt }));
    }
    const verified = await runCli(['cache', 'verify', '--cache', 'cache'], { cwd: dir });
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain('written without checksums by an older radprobe');

    const rerun = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(warnings(rerun)).toEqual([expect.stringMatching(/^3 feature cache shards in \S+ were written without checksums by an older radprobe: set aside as \*\.bad, their 24 items are embedded again/)]);
    expect(embeddedAndCached(rerun)).toEqual([ITEMS, 0]);
    expect(await resultOf(rerun)).toEqual(await resultOf(first));
    const again = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(warnings(again)).toEqual([]);
    expect(embeddedAndCached(again)).toBeNull();
  }, 90_000);
});

describe('radprobe cache ls says which cache it reads and which others it knows of', () => {
  it('the cache of radprobe.json here, --cache, or the default; the demo caches beside it, with sizes; text and --json', async () => {
    const { dir } = await projectAfterRun('ls-where');
    await mkdir(join(dir, 'demo'));
    await writeConfig(join(dir, 'demo', 'radprobe.json'), { cache: '.radprobe/cache' });
    await cp(join(dir, 'cache'), join(dir, 'demo', '.radprobe', 'cache'), { recursive: true });

    const fromConfig = await runCli(['cache', 'ls'], { cwd: dir });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(fromConfig.stdout).toMatch(new RegExp(`^cache ${join(dir, 'cache')} \\(the "cache" of ${join(dir, 'radprobe.json')}\\)$`, 'm'));
    expect(fromConfig.stdout).toMatch(new RegExp(`^other caches:\\n {2}${join(dir, 'demo', '.radprobe', 'cache')} {2}[\\d.]+ KiB, 1 entry {2}\\(the "cache" of ${join(dir, 'demo', 'radprobe.json')}\\)$`, 'm'));

    const fromFlag = await runCli(['cache', 'ls', '--cache', 'demo/.radprobe/cache', '--json'], { cwd: dir });
    const listed = JSON.parse(fromFlag.stdout) as {
      cache: { path: string; source: string; entries: unknown[] };
      others: Array<{ path: string; source: string; config: string; bytes: number; entries: number }>;
    };
    expect(listed.cache).toMatchObject({ path: join(dir, 'demo', '.radprobe', 'cache'), source: '--cache' });
    expect(listed.cache.entries).toHaveLength(1);
    expect(listed.others).toEqual([{ path: join(dir, 'cache'), source: 'config', config: join(dir, 'radprobe.json'), bytes: expect.any(Number), entries: 1 }]);
    expect(listed.others[0].bytes).toBeGreaterThan(ITEMS * 32 * 4);

    const elsewhere = await temporaryDir('ls-default');
    const byDefault = await runCli(['cache', 'ls'], { cwd: elsewhere });
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(byDefault.stdout).toBe(`cache ${join(elsewhere, '.radprobe', 'cache')} (the default: no radprobe.json here, no --cache)\n  does not exist yet\n`);
  }, 60_000);

  it('prints names with a newline or a terminal escape code escaped', async () => {
    const { dir } = await projectAfterRun('ls-escape', 'we\nird\u001b[31mcache');
    const group = await groupDir(join(dir, 'we\nird\u001b[31mcache'));
    await writeFile(join(group, 'evil\n\u001b]0;owned\u0007.txt'), '');
    for (const args of [['ls'], ['verify'], ['prune']]) {
      const listed = await runCli(['cache', ...args, '--cache', 'we\nird\u001b[31mcache'], { cwd: dir });
      expect(listed.stdout + listed.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(listed.stdout).toContain('we\\nird\\x1b[31mcache');
    }
    const pruned = await runCli(['cache', 'prune', '--cache', 'we\nird\u001b[31mcache'], { cwd: dir });
    expect(pruned.stdout).toContain('evil\\n\\x1b]0;owned\\x07.txt');
  }, 60_000);
});
