import { createHash } from 'node:crypto';
import { drawCharts } from './browser/draw-charts.js';
import { chartLibrarySource } from './chart-library.js';
import type { ChartSpec } from './charts/chart-spec.js';
import { html, rawHtml, scriptJson, type SafeHtml } from './html.js';
import { pageStyle } from './page-style.js';

const dataElementId = 'radprobe-report-data';

/**
 * A self-contained page (Chart.js, data and styles inline) around `body`, drawing `charts` on its canvases, then
 * running `script` where the page has one (after the charts are drawn; it holds code only, its data travels in the
 * body as JSON). The chart data travels as JSON in a non-executed script element. The Content-Security-Policy lets
 * only the page's own scripts run (by hash) and forbids every fetch, so that the page stays offline and an injected
 * handler could not run even if escaping failed.
 */
export function renderPage(page: { title: string; body: SafeHtml; charts: readonly ChartSpec[]; extraStyle?: string; script?: string }): string {
  const library = chartLibrarySource();
  const drawing = `(${drawCharts.toString()})(Chart, JSON.parse(document.getElementById(${JSON.stringify(dataElementId)}).textContent));`;
  const scripts = [library, drawing, ...(page.script === undefined ? [] : [page.script])];
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.map((script) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
  ].join('; ');

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="radprobe">
<title>${page.title}</title>
<style>${rawHtml(pageStyle + (page.extraStyle ?? ''))}</style>
</head>
<body>
${page.body}
<script type="application/json" id="${dataElementId}">${rawHtml(scriptJson(page.charts))}</script>
${scripts.map((script) => html`<script>${rawHtml(script)}</script>
`)}</body>
</html>
`.text;
}
