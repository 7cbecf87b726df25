import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiReport, formatApiReport } from './api-report.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { title: '@radprobe/core', file: join(packageDir, 'dist', 'index.d.ts') },
  { title: '@radprobe/core/engine', file: join(packageDir, 'dist', 'engine', 'index.d.ts') },
];

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * The public surface, as users' compilers see it: the names each entry of the built package exports and their
 * declarations. A change of the surface changes api/radprobe-core.api.md, so a reviewer sees it in the diff;
 * after a deliberate change, rebuild and run this test with `-u`.
 */
describe('the API report of @radprobe/core', () => {
  it('matches api/radprobe-core.api.md', async () => {
    const built = await stat(entries[1].file).then((info) => info.mtimeMs, () => null);
    if (built === null || built < (await newestSource(join(packageDir, 'src')))) {
      throw new Error(`${entries[1].file} is missing or older than src/: build first (NX_DAEMON=false npx nx run @radprobe/core:build)`);
    }
    const reports = apiReport(entries.map((entry) => entry.file));
    const sections = entries.map(({ title, file }) => ({ title, entries: reports.get(file)! }));
    const engineNames = new Set(sections[1].entries.map((entry) => entry.name));
    expect(sections[0].entries.filter((entry) => engineNames.has(entry.name)).map((entry) => entry.name)).toEqual([]);
    await expect(formatApiReport(sections)).toMatchFileSnapshot(join(packageDir, 'api', 'radprobe-core.api.md'));
  });
});
