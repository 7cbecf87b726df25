import type { ClassificationDiagnostics, ConfidenceInterval, DatasetSummary, MetricValue } from '@radprobe/core';
import { classColour } from '../charts/class-colours.js';
import { heatColour, textColourOn } from '../charts/colour-scale.js';
import { html, type SafeHtml } from '../html.js';

/**
 * Fewer TEST positives than this mark a class: each positive then weighs more than 1/10 of its class's AUROC (and
 * sensitivity), so one case read differently moves the value by over 0.1, whatever its interval says.
 */
export const FEW_POSITIVES = 10;

/** `0.812 [0.790, 0.833]`; an unreliable interval in grey with a dagger and its reason on hover. */
export function valueWithInterval(metric: MetricValue | null | undefined): SafeHtml {
  if (!metric) return html`<span class="undefined">–</span>`;
  return html`${metric.value.toFixed(3)}${intervalMarkup(metric.ci)}`;
}

function intervalMarkup(ci: ConfidenceInterval | undefined): SafeHtml {
  if (!ci) return html``;
  const text = ` [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`;
  return ci.unreliable ? html`<span class="unreliable" title="interval unreliable: ${ci.unreliable}">${text}&nbsp;†</span>` : html`<span class="interval">${text}</span>`;
}

/** The dagger's legend under a table or chart that may show unreliable intervals. */
export const unreliableLegend = '† interval unreliable: fewer than 90 % of the bootstrap resamples defined the metric (e.g. they lost every positive of a class), so it describes only the resamples that kept them; hover it for the counts.';

/**
 * One row per class: its positives and negatives in TRAIN, VAL and TEST (from the dataset summary), then what the
 * cell's TEST scores say about it: AUROC with interval and AP (classes with curves), sensitivity, specificity and
 * PPV with intervals (single-label tasks), or the primary metric's per-class value. A class with fewer than
 * `FEW_POSITIVES` TEST positives is marked.
 */
export function perClassTable(dataset: DatasetSummary | undefined, diagnostics: ClassificationDiagnostics | undefined, perClass: Record<string, number | null> | undefined, metric: string): SafeHtml {
  const classes = dataset?.classes ?? Object.keys(perClass ?? {});
  if (!classes.length || (!diagnostics && !perClass)) return html``;
  const curves = new Map((diagnostics?.curves ?? []).map((curve) => [curve.className, curve]));
  const decisions = new Map((diagnostics?.decisions ?? []).map((entry) => [entry.className, entry]));
  const withCurves = curves.size > 0;
  const withDecisions = decisions.size > 0;
  const withPerClass = !withCurves && !withDecisions && perClass !== undefined;
  const counts = (split: 'train' | 'val' | 'test', c: number) => {
    if (!dataset?.positives) return html`<td class="count">–</td>`;
    const positives = dataset.positives[split][c];
    return html`<td class="count">${positives} / ${dataset.counts[split] - positives}</td>`;
  };
  const rows = classes.map((name, c) => {
    const testPositives = dataset?.positives?.test[c];
    const few = testPositives !== undefined && testPositives < FEW_POSITIVES;
    const curve = curves.get(name);
    const decision = decisions.get(name);
    return html`<tr${few ? html` class="few-positives"` : ''}><th class="name"><span class="swatch" style="background:${classColour(c)}"></span>${name}</th>${counts('train', c)}${counts('val', c)}${counts('test', c)}${
      withCurves ? html`<td class="value">${curve ? html`${curve.auroc.toFixed(3)}${intervalMarkup(curve.aurocInterval)}` : html`<span class="undefined">–</span>`}</td><td class="value">${curve ? curve.averagePrecision.toFixed(3) : '–'}</td>` : ''
    }${withDecisions ? html`<td class="value">${valueWithInterval(decision?.sensitivity)}</td><td class="value">${valueWithInterval(decision?.specificity)}</td><td class="value">${valueWithInterval(decision?.ppv)}</td>` : ''}${
      withPerClass ? html`<td class="value">${perClass?.[name] === null || perClass?.[name] === undefined ? '–' : (perClass[name] as number).toFixed(3)}</td>` : ''
    }<td>${few ? html`<span class="mark" title="fewer than ${FEW_POSITIVES} TEST positives">⚠ ${testPositives} TEST positive${testPositives === 1 ? '' : 's'}</span>` : ''}</td></tr>\n`;
  });
  return html`<div class="table-scroll"><table class="per-class">
<thead><tr><th>class</th><th>TRAIN pos / neg</th><th>VAL pos / neg</th><th>TEST pos / neg</th>${withCurves ? html`<th>AUROC [95 % CI]</th><th>AP</th>` : ''}${withDecisions ? html`<th>sensitivity</th><th>specificity</th><th>PPV</th>` : ''}${withPerClass ? html`<th>${metric}</th>` : ''}<th></th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>
<p class="legend">Positives / negatives per split: items of the class (multi-label: marked with it) / the split's other items. ⚠: fewer than ${FEW_POSITIVES} TEST positives, so each positive weighs more than 0.1 of the class's AUROC or sensitivity. ${unreliableLegend}</p>`;
}

/** The confusion matrix twice: counts, and each true class's row as shares of its items (the heat colour). */
export function confusionTables(diagnostics: ClassificationDiagnostics): SafeHtml {
  const confusion = diagnostics.confusion;
  if (!confusion) return html``;
  const table = (normalised: boolean) => html`<div class="table-scroll"><table class="confusion">
<caption>${normalised ? 'Row-normalised (share of each true class)' : 'Counts'}</caption>
<thead><tr><th>true \\ predicted</th>${confusion.classes.map((name) => html`<th class="name">${name}</th>`)}</tr></thead>
<tbody>
${confusion.counts.map((row, t) => {
  const total = row.reduce((sum, count) => sum + count, 0);
  return html`<tr><th class="name">${confusion.classes[t]}</th>${row.map((count, predicted) => {
    const share = total ? count / total : 0;
    const colour = heatColour(share, 0, 1);
    return html`<td class="${predicted === t ? 'diagonal' : ''}" style="background:${colour};color:${textColourOn(colour)}">${normalised ? (total ? share.toFixed(2) : '–') : count}</td>`;
  })}</tr>\n`;
})}</tbody>
</table></div>`;
  return html`<div class="confusion-pair">${table(false)}${table(true)}</div>
<p class="legend">Rows: true class; columns: predicted class (${diagnostics.decision ?? 'the protocol\'s decision'}). Colour: share of the true class's TEST items, from 0 (dark) to 1 (yellow). Seed ${diagnostics.seed}.</p>`;
}
