import { type Provenance, type RunResults } from '@radprobe/core';
import { describeWorkerPlacement } from '@radprobe/core/engine';
import { html, type SafeHtml } from '../html.js';

/** Under the title: when the run ran and what identifies its code, config and machine. */
export function provenanceSummary(results: RunResults): SafeHtml {
  const { provenance } = results;
  return html`<dl class="summary">
<dt>run</dt><dd><code>${results.runId}</code>, ${results.startedAt} to ${results.finishedAt}</dd>
<dt>config sha256</dt><dd><code>${provenance.configHash}</code></dd>
<dt>git commit</dt><dd>${provenance.gitCommit ? html`<code>${provenance.gitCommit}</code>` : 'none (the config is not in a git repository)'}</dd>
<dt>seed</dt><dd>${provenance.seed}</dd>
<dt>machine</dt><dd>${machine(provenance)}</dd>
</dl>`;
}

/** At the end: the package versions, the plugins the run used and the backbones' weights, enough to reproduce a number. */
export function provenanceSection(provenance: Provenance): SafeHtml {
  const packages = Object.entries(provenance.packages).sort(([a], [b]) => (a < b ? -1 : 1));
  return html`<section id="provenance">
<h2>Provenance</h2>
<p>${machine(provenance)}; host ${provenance.hostname}.</p>
${provenance.worker ? html`<p>worker: ${describeWorkerPlacement(provenance.worker)}.</p>` : ''}
${
  packages.length
    ? html`<table><thead><tr><th>package</th><th>version</th></tr></thead><tbody>${packages.map(([name, version]) => html`<tr><td>${name}</td><td>${version}</td></tr>`)}</tbody></table>`
    : ''
}
${
  provenance.plugins?.length
    ? html`<table><thead><tr><th>plugin</th><th>version</th><th>first-party</th><th>kinds</th><th>location</th></tr></thead><tbody>${provenance.plugins.map(
        (plugin) =>
          html`<tr><td>${plugin.name}</td><td>${plugin.version}</td><td>${plugin.firstParty ? 'yes' : 'no'}</td><td>${Object.entries(plugin.contributed)
            .map(([section, kinds]) => `${section}: ${kinds.join(', ')}`)
            .join('; ')}</td><td><code>${plugin.location ?? 'not known'}</code></td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  provenance.backbones.length
    ? html`<table><thead><tr><th>backbone</th><th>description</th><th>weights sha256</th><th>execution provider</th></tr></thead><tbody>${provenance.backbones.map(
        (backbone) => html`<tr><td>${backbone.name}</td><td>${backbone.description}</td><td><code>${backbone.weightsHash}</code></td><td>${backbone.executionProvider}</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

function machine(provenance: Provenance): string {
  const gibibytes = (provenance.memoryBytes / 2 ** 30).toFixed(1);
  return `node ${provenance.node} on ${provenance.platform}, ${provenance.cpu} × ${provenance.cpus}, ${gibibytes} GiB`;
}
