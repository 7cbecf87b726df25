import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RadprobeError, errorMessage } from '@radprobe/core';

let source: string | undefined;

/**
 * The source of Chart.js's UMD build (it defines the global `Chart`), read once from the installed package so
 * that the report carries the library inside itself and opens offline. The package exports only its ESM and
 * CommonJS entries; the UMD file sits beside them in `dist/`.
 */
export function chartLibrarySource(): string {
  if (source !== undefined) return source;
  let path = '';
  try {
    path = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RadprobeError(`cannot read Chart.js's UMD build${path ? ` at ${path}` : ''} (is the chart.js package installed?): ${errorMessage(error)}`, { file: path || undefined });
  }
  if (/<\/script|<!--/i.test(source)) {
    throw new RadprobeError(`${path} contains "</script" or "<!--" and cannot be inlined into a <script> element`, { file: path });
  }
  return source;
}
