import { cp, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { embeddedAndCached, expectOneClearLine, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

const DATA = { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 9 };
const IMAGE_FOLDER = { kind: 'image-folder', name: 'cxr', root: 'data' };
const FAULT = pathToFileURL(join(import.meta.dirname, 'inject-fs-fault.mjs')).href;

let model: string;
beforeAll(async () => {
  model = await writeDinov2Fixture(await temporaryDir('output-failures-model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 5, style: 'hf' });
});

async function project(prefix: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await temporaryDir(prefix);
  await writeImageFolderDataset(join(dir, 'data'), DATA);
  await writeConfig(join(dir, 'radprobe.json'), smallConfig(model, IMAGE_FOLDER, extra));
  return dir;
}

const run = (dir: string, env?: Record<string, string>) => runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
/** Environment that makes the CLI's writes to paths matching `path` fail with `code`. */
const fault = (code: 'ENOSPC' | 'EACCES', path: string) => ({ NODE_OPTIONS: `--import=${FAULT}`, RADPROBE_TEST_FAULT_CODE: code, RADPROBE_TEST_FAULT_PATH: path });
const regexpOf = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The run stopped before loading any dataset or backbone. */
const noWorkDone = (failed: CliRun) => expect(failed.events.filter((event) => event.type === 'stage')).toEqual([]);

describe('ordinary failures give one line naming the path and what to do, and no stack', () => {
  it('a config nested 5,000 levels deep, through run and validate', async () => {
    const dir = await temporaryDir('deep-config');
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    await writeFile(join(dir, 'radprobe.json'), `{"backbones":${deep}}`);
    for (const command of ['run', 'validate']) {
      const line = expectOneClearLine(await runCli([command, 'radprobe.json'], { cwd: dir }), 'radprobe.json:1:', '/backbones/a/a/');
      expect(line).toMatch(/nested more than \d+ levels deep; a radprobe config is never that deep/);
    }
  });

  it('an output path that is a file, found before any work', async () => {
    const dir = await project('output-file');
    await writeFile(join(dir, 'results'), 'not a folder\n');
    const failed = await run(dir);
    expectOneClearLine(failed, `${join(dir, 'results')}: it is a file, not a folder; move the file away, or set "output" in the config to another folder`);
    noWorkDone(failed);
  });

  it('a cache path that is a file', async () => {
    const dir = await project('cache-file');
    await writeFile(join(dir, 'cache'), 'not a folder\n');
    const failed = await run(dir);
    expectOneClearLine(failed, `${join(dir, 'cache')}: it is a file, not a folder; move the file away, or set "cache" in the config to another folder`);
    noWorkDone(failed);
  });

  it('a read-only output folder, found before any work', async () => {
    const dir = await project('read-only');
    await mkdir(join(dir, 'results'));
    const failed = await run(dir, fault('EACCES', `^${regexpOf(join(dir, 'results'))}/`));
    expectOneClearLine(failed, `${join(dir, 'results')}: permission denied; make it writable, or set "output" in the config to another folder`);
    noWorkDone(failed);
    expect(await readdir(join(dir, 'results'))).toEqual([]);
  });

  it('a full disk while writing report.html: no half results folder, and the rerun finds the features cached', async () => {
    const dir = await project('full-disk');
    const failed = await run(dir, fault('ENOSPC', 'report\\.html'));
    const line = expectOneClearLine(failed, 'no space left on the device; free space on its disk, or set "output" in the config to another folder');
    expect(line).toMatch(new RegExp(`^radprobe: ${regexpOf(join(dir, 'results'))}/\\d{8}-\\d{6}-[0-9a-f]{8}: `));
    expect(await readdir(join(dir, 'results'))).toEqual([]);

    const again = await run(dir);
    expect(again.code, again.stderr).toBe(0);
    // Every item was cached by the failed run: nothing to embed.
    expect(embeddedAndCached(again)).toBeNull();
    const [runId] = await readdir(join(dir, 'results'));
    expect((await readdir(join(dir, 'results', runId))).sort()).toEqual(['report.html', 'results.csv', 'results.json', 'results.md']);
  });

  it('a cache folder that is a dangling symbolic link', async () => {
    const dir = await project('dangling-cache');
    await symlink(join(dir, 'gone'), join(dir, 'cache'));
    const failed = await run(dir);
    expectOneClearLine(failed, `${join(dir, 'cache')}: it is a symbolic link to ${join(dir, 'gone')}, which does not exist; create ${join(dir, 'gone')} or remove the link`);
    noWorkDone(failed);
  });

  it('a dangling symbolic link in place of a cache entry', async () => {
    const dir = await project('dangling-entry');
    expect((await run(dir)).code).toBe(0);
    const [entry] = (await readdir(join(dir, 'cache'))).filter((name) => !name.startsWith('.'));
    await rm(join(dir, 'cache', entry), { recursive: true });
    await symlink('/nonexistent/radprobe-entry', join(dir, 'cache', entry));
    expectOneClearLine(await run(dir), `${join(dir, 'cache', entry)}: it is a symbolic link to /nonexistent/radprobe-entry, which does not exist`);
  });

  it('any other command meeting a file in the way names the call and the path, without a stack', async () => {
    const dir = await project('compare-out-file');
    expect((await run(dir)).code).toBe(0);
    const [runId] = await readdir(join(dir, 'results'));
    await writeFile(join(dir, 'compare'), 'not a folder\n');
    expectOneClearLine(await runCli(['report', 'compare', join('results', runId), '--out', join('compare', 'out')], { cwd: dir }), `ENOTDIR: not a directory, mkdir '${join('compare', 'out')}'`);
  });
});

describe('the results folder appears whole or not at all', () => {
  it("a killed run's staging folder is passed over by readers and reported", async () => {
    const dir = await project('staging');
    const killed = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, killWhen: (event) => event.type === 'stage' && event.stage === 'extract' });
    expect(killed.signal).toBe('SIGKILL');
    const [staging] = await readdir(join(dir, 'results'));
    expect(staging).toMatch(/^\.\d{8}-\d{6}-[0-9a-f]{8}(-\d+)?\.partial$/);

    const finished = await run(dir);
    expect(finished.code, finished.stderr).toBe(0);
    const warning = finished.events.find((event) => event.type === 'log' && event.level === 'warn');
    expect(warning).toMatchObject({ message: `${join(dir, 'results', staging)} holds what a run wrote before it stopped (killed, or still running): no complete results; delete it once no run is using it` });
    const [runId] = (await readdir(join(dir, 'results'))).filter((name) => name !== staging);

    // As if killed between writing results.json and making the folder the run's.
    await cp(join(dir, 'results', runId), join(dir, 'results', staging), { recursive: true });
    const refusal = `${join(dir, 'results', staging)}: this is what was written of run ${staging.slice(1, -'.partial'.length)} before it stopped (killed?); it holds no complete results`;
    expectOneClearLine(await runCli(['report', 'compare', join('results', runId), join('results', staging)], { cwd: dir }), refusal);
    expectOneClearLine(await runCli(['pca', '--run', join('results', staging)], { cwd: dir }), refusal);
  });
});
