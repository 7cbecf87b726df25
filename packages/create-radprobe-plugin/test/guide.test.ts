import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const workspaceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Files under `dir` (recursively) whose names end in `.ts` or are package.json, dist and node_modules left out. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
      return entry.name.endsWith('.ts') || entry.name === 'package.json' ? [path] : [];
    }),
  );
  return nested.flat();
}

/**
 * docs/plugins.md shows code only as excerpts of files that build and are tested: the example plugins, the
 * scaffolder's templates (as generated for the names the guide uses) and few-shot's wrapper.
 */
describe('docs/plugins.md', () => {
  it('quotes every code block verbatim from a tested file', async () => {
    const guide = await readFile(join(workspaceDir, 'docs', 'plugins.md'), 'utf8');
    const blocks = [...guide.matchAll(/^```(ts|json)\n([\s\S]*?)\n```$/gm)].map((match) => match[2]);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const files = [
      ...(await sourceFiles(join(workspaceDir, 'examples', 'plugins'))),
      ...(await sourceFiles(join(workspaceDir, 'packages', 'create-radprobe-plugin', 'templates'))),
      ...(await sourceFiles(join(workspaceDir, 'packages', 'protocol-fewshot', 'src'))),
    ];
    const texts = await Promise.all(
      files.map(async (file) => (await readFile(file, 'utf8')).replaceAll('__KIND__', 'images').replaceAll('__PACKAGE__', 'radprobe-dataset-images')),
    );
    for (const block of blocks) expect(texts.some((text) => text.includes(block)), block.split('\n')[0]).toBe(true);
  });
});
