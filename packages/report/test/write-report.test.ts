import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { renderReport, writeReport } from '../src/index.js';
import { fixtureResults } from './fixtures.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('writes report.html into the run folder, creating it, and leaves no temporary file', async () => {
  dir = await mkdtemp(join(tmpdir(), 'radprobe-report-'));
  const runDir = join(dir, 'results', 'run-1');
  const path = await writeReport(runDir, fixtureResults());
  expect(path).toBe(join(runDir, 'report.html'));
  expect(await readFile(path, 'utf8')).toBe(renderReport(fixtureResults()));
  expect(await readdir(runDir)).toEqual(['report.html']);
});
