import type { RunResults } from '@radprobe/core';
import type { ChartCollector } from '../charts/chart-collector.js';
import { fewshotCurveCharts } from '../charts/fewshot-curves.js';
import { html, type SafeHtml } from '../html.js';
import { figure } from './cell-sections.js';

/** The few-shot curves of the run (one per dataset × few-shot entry, backbones side by side); nothing without any. */
export function fewshotCurvesSection(results: RunResults, charts: ChartCollector): SafeHtml {
  const curves = fewshotCurveCharts(results);
  if (!curves.length) return html``;
  return html`<section id="fewshot">
<h2>Few-shot curves</h2>
${curves.map((curve) =>
  figure(
    charts.add(curve),
    340,
    `${curve.dataset} × ${curve.protocol}: TEST ${curve.metric} against the training set size, ${curve.axis}, one line per backbone; points are means over tries, error bars ± std (none for a single try).`,
  ),
)}
</section>`;
}
