import { RadprobeError } from '@radprobe/core';

/** Chart.js's UMD build, inlined at build time (see build-constants.ts at the workspace root). */
declare const __RADPROBE_CHART_JS_UMD__: string;

/** The source of Chart.js's UMD build, for a `<script>` element of a self-contained page. */
export function chartLibrarySource(): string {
  const source = __RADPROBE_CHART_JS_UMD__;
  if (/<\/script|<!--/i.test(source)) {
    throw new RadprobeError('the bundled Chart.js contains "</script" or "<!--" and cannot be inlined into a <script> element');
  }
  return source;
}
