import { resolve } from 'node:path';
import { compareRuns } from '@radprobe/report';

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
