import type { CellResult } from '@radprobe/core';
import { embeddedArtifacts, type ArtifactImages } from '../artifact-images.js';
import { html, type SafeHtml } from '../html.js';

/**
 * The cell's first few PNG artifacts (for segmentation: ground truth beside the prediction), embedded as data:
 * URLs; one that could not be read is named with the reason instead.
 */
export function artifactFigures(cell: CellResult, images: ArtifactImages): SafeHtml {
  const shown = embeddedArtifacts(cell.artifacts);
  if (!shown.length) return html``;
  const more = (cell.artifacts?.length ?? 0) - shown.length;
  const where = `${cell.backbone} × ${cell.dataset} × ${cell.protocol}`;
  return html`<div class="artifacts">
${shown.map((artifact) => {
  const image = images.get(artifact.file);
  if (!image || 'problem' in image) return html`<p class="artifact-missing">${artifact.file} ${image ? image.problem : 'was not read for this page'}.</p>`;
  return html`<figure class="artifact"><img class="artifact" src="${image.dataUrl}" alt="${artifact.name} from ${where} (the cell's notes say what it shows)"><figcaption><code>${artifact.file}</code></figcaption></figure>`;
})}
</div>
${more > 0 ? html`<p class="meta">${more} more file(s) in the run folder under <code>${shown[0].file.slice(0, shown[0].file.lastIndexOf('/') + 1)}</code>.</p>` : ''}`;
}
