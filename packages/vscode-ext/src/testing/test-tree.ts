import type { ConfigEntryLocation } from '../config/entry-locations.js';
import type { CellFilter } from '../run/run-arguments.js';
import { cellKey, type ConfigCell } from './cell-items.js';

/** What a level of the Testing tree groups cells by. */
export type Dimension = 'protocol' | 'backbone' | 'dataset';

const dimensions: readonly Dimension[] = ['protocol', 'backbone', 'dataset'];

/** The `radprobe.testing.groupBy` default: what was compared (protocol), then by what (backbone), then on what. */
export const defaultGrouping: readonly Dimension[] = dimensions;

/** The setting's value when it orders all three dimensions once each, else the default (the schema says so too). */
export function groupingOf(setting: unknown): readonly Dimension[] {
  if (!Array.isArray(setting) || setting.length !== dimensions.length) return defaultGrouping;
  return dimensions.every((dimension) => setting.includes(dimension)) ? (setting as Dimension[]) : defaultGrouping;
}

/** A node of a config's Testing tree: one entry of the config, and the cells under it. */
export interface CellTreeNode {
  /** Unique among its siblings (what a TestItem id must be): a group's dimension and name, a leaf's cell key. */
  id: string;
  dimension: Dimension;
  /** The entry's name, its label. */
  name: string;
  /** The config entry this node names, where double-clicking it goes. */
  entry: ConfigEntryLocation;
  /** The names along the path from the config: what `radprobe run` is told to run the cells under this node. */
  filter: CellFilter;
  /** Every cell under this node (a leaf has one). */
  cells: ConfigCell[];
  /** Empty at the leaves, the last dimension. */
  children: CellTreeNode[];
}

/** The cells grouped level by level in `grouping` order, each level in the config's order of its entries. */
export function cellTree(cells: readonly ConfigCell[], grouping: readonly Dimension[]): CellTreeNode[] {
  const build = (under: readonly ConfigCell[], level: number, filter: CellFilter): CellTreeNode[] => {
    const dimension = grouping[level];
    const names = [...new Set(under.map((cell) => cell[dimension]))];
    return names.map((name) => {
      const cells = under.filter((cell) => cell[dimension] === name);
      const nodeFilter = { ...filter, [dimension]: name };
      const leaf = level === grouping.length - 1;
      return {
        id: leaf ? cellKey(cells[0]) : `${dimension}:${name}`,
        dimension,
        name,
        entry: cells[0].entries[dimension],
        filter: nodeFilter,
        cells,
        children: leaf ? [] : build(cells, level + 1, nodeFilter),
      };
    });
  };
  return build(cells, 0, {});
}
