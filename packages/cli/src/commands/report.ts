import { resolve } from 'node:path';
import { compareRuns, mergeRuns } from '@radprobe/report';

/**
 * `radprobe report compare <dirs…>`: the comparison page, Markdown and CSV of several results folders. The
 * differences an `--allow-mixed` comparison went ahead with are printed as warnings (and shown on the page).
 */
export async function reportCompareCommand(options: { dirs: string[]; out: string; title?: string; allowMixed: boolean }): Promise<number> {
  const output = await compareRuns(options.dirs, { out: options.out, title: options.title, allowMixed: options.allowMixed });
  for (const warning of output.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`wrote ${resolve(output.html)}\nwrote ${resolve(output.markdown)}\nwrote ${resolve(output.csv)}\n`);
  return 0;
}

/**
 * `radprobe report merge <dirs…>`: one results folder from the folders of `radprobe run --cells I/N` parts, as a
 * single run of the config writes it.
 */
export async function reportMergeCommand(options: { dirs: string[]; out?: string }): Promise<number> {
  const output = await mergeRuns(options.dirs, { out: options.out });
  for (const warning of output.warnings) process.stderr.write(`warning: ${warning}\n`);
  const cells = output.results.cells.length;
  process.stdout.write(`merged ${options.dirs.length} results folders (${cells} cells) into ${resolve(output.dir)}\n`);
  return 0;
}
