import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Chart.js's UMD build (it defines the global `Chart`) as a compile-time constant of @radprobe/report, so that
 * every report carries the library inside itself and opens offline, and users do not install the whole chart.js
 * package (6.5 MB) for its one 210 KB file. Builds (tsup) and tests (vitest, which run the sources) define it alike.
 * The package exports only its ESM and CommonJS entries; the UMD file sits beside them in `dist/`.
 */
export function chartLibraryDefine(): Record<string, string> {
  const file = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  return { __RADPROBE_CHART_JS_UMD__: JSON.stringify(readFileSync(file, 'utf8')) };
}

/**
 * @radprobe/core's version as a compile-time constant of core, so that the plugin loader can compare it with the
 * `@radprobe/core` peer range a plugin declares wherever core runs (bundled into the editor extension too).
 */
export function coreVersionDefine(): Record<string, string> {
  const packageJson = JSON.parse(readFileSync(new URL('./packages/core/package.json', import.meta.url), 'utf8')) as { version: string };
  return { __RADPROBE_CORE_VERSION__: JSON.stringify(packageJson.version) };
}
