import type { ConfigEntryLocation } from '../config/entry-locations.js';

/** One backbone × dataset × protocol cell of a config, as a test item sees it. */
export interface CellKey {
  backbone: string;
  dataset: string;
  protocol: string;
}

export const cellId = (configPath: string, cell: CellKey) => `${configPath}#${cell.backbone}|${cell.dataset}|${cell.protocol}`;

export const cellLabel = (cell: CellKey) => `${cell.backbone} × ${cell.dataset} × ${cell.protocol}`;

/** The cells of a config, in radprobe's run order (backbone, then dataset, then protocol), each at its protocol entry. */
export function configCells(entries: readonly ConfigEntryLocation[]): Array<CellKey & { protocolEntry: ConfigEntryLocation }> {
  const of = (section: ConfigEntryLocation['section']) => entries.filter((entry) => entry.section === section);
  return of('backbones').flatMap((backbone) =>
    of('datasets').flatMap((dataset) => of('protocols').map((protocol) => ({ backbone: backbone.name, dataset: dataset.name, protocol: protocol.name, protocolEntry: protocol }))),
  );
}
