import type { DatasetSummary, RunResults } from '@radprobe/core';
import { html, type SafeHtml } from '../html.js';

/** Skipped items listed per dataset; the full list is in results.json. */
const skippedItemsShown = 50;

/** A section per dataset: task, classes, split sizes, notes and the items its loader skipped. */
export function datasetsSection(results: RunResults): SafeHtml {
  if (!results.datasets.length) return html``;
  return html`<section id="datasets">
<h2>Datasets</h2>
${results.datasets.map(datasetSection)}
</section>`;
}

function datasetSection(dataset: DatasetSummary): SafeHtml {
  const { train, val, test } = dataset.counts;
  const shown = dataset.skipped.slice(0, skippedItemsShown);
  const more = dataset.skipped.length - shown.length;
  return html`<section class="dataset">
<h3>${dataset.name}</h3>
<dl>
<dt>kind</dt><dd>${dataset.kind}</dd>
<dt>task</dt><dd>${dataset.task}</dd>
<dt>classes (${dataset.classes.length})</dt><dd>${dataset.classes.join(', ')}</dd>
<dt>items</dt><dd>train ${train}, val ${val}, test ${test}</dd>
<dt>patients</dt><dd>${dataset.patients ?? 'not recorded'}</dd>
</dl>
${dataset.notes.length ? html`<ul class="notes">${dataset.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
${
  dataset.skipped.length
    ? html`<details><summary>Skipped items (${dataset.skipped.length})</summary><ul class="skipped">${shown.map((item) => html`<li><code>${item.source}</code>: ${item.reason}</li>`)}${more > 0 ? html`<li>… and ${more} more (see results.json)</li>` : ''}</ul></details>`
    : html`<p>No items skipped.</p>`
}
</section>
`;
}
