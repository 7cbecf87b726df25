import type { ConfigEntryLocation } from '../config/entry-locations.js';

/** One backbone × dataset × protocol cell of a config, as a test item sees it. */
export interface CellKey {
  backbone: string;
  dataset: string;
  protocol: string;
}

/** "backbone|dataset|protocol": a cell's key, as the report's `data-cell` attributes write it. */
export const cellKey = (cell: CellKey) => `${cell.backbone}|${cell.dataset}|${cell.protocol}`;

export const cellLabel = (cell: CellKey) => `${cell.backbone} × ${cell.dataset} × ${cell.protocol}`;

/** A cell with the three config entries it is made of. */
export interface ConfigCell extends CellKey {
  entries: { backbone: ConfigEntryLocation; dataset: ConfigEntryLocation; protocol: ConfigEntryLocation };
}

/** The cells of a config, in radprobe's run order (backbone, then dataset, then protocol). */
export function configCells(entries: readonly ConfigEntryLocation[]): ConfigCell[] {
  const of = (section: ConfigEntryLocation['section']) => entries.filter((entry) => entry.section === section);
  return of('backbones').flatMap((backbone) =>
    of('datasets').flatMap((dataset) =>
      of('protocols').map((protocol) => ({ backbone: backbone.name, dataset: dataset.name, protocol: protocol.name, entries: { backbone, dataset, protocol } })),
    ),
  );
}
