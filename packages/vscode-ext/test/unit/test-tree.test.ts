import { describe, expect, it } from 'vitest';
import { configEntryLocations } from '../../src/config/entry-locations.js';
import { configCells } from '../../src/testing/cell-items.js';
import { cellTree, groupingOf, type CellTreeNode } from '../../src/testing/test-tree.js';

const config = `{
  // two backbones, two datasets, two protocols: 8 cells
  "backbones": [{ "kind": "onnx", "model": "models/vit-s/model.onnx", "name": "vit-s" }, { "kind": "onnx", "model": "models/reg4.onnx" }],
  "datasets": [{ "kind": "nih-chestxray14", "name": "nih", "root": "a" }, { "kind": "image-folder", "name": "cxr", "root": "b" }],
  "protocols": [{ "kind": "knn" }, { "kind": "linear", "name": "logreg" }],
}`;
const cells = configCells(configEntryLocations(config));

/** The tree as "name [filter]" lines, indented by level. */
const outline = (nodes: CellTreeNode[], depth = 0): string[] =>
  nodes.flatMap((node) => [`${'  '.repeat(depth)}${node.name} ${JSON.stringify(node.filter)}`, ...outline(node.children, depth + 1)]);

describe('cellTree', () => {
  it('groups protocol → backbone → dataset by default, each level in config order, each node with the filter that runs it', () => {
    const tree = cellTree(cells, groupingOf(undefined));
    expect(outline(tree).slice(0, 7)).toEqual([
      'knn {"protocol":"knn"}',
      '  vit-s {"protocol":"knn","backbone":"vit-s"}',
      '    nih {"protocol":"knn","backbone":"vit-s","dataset":"nih"}',
      '    cxr {"protocol":"knn","backbone":"vit-s","dataset":"cxr"}',
      '  reg4 {"protocol":"knn","backbone":"reg4"}',
      '    nih {"protocol":"knn","backbone":"reg4","dataset":"nih"}',
      '    cxr {"protocol":"knn","backbone":"reg4","dataset":"cxr"}',
    ]);
    expect(tree.map((node) => node.name)).toEqual(['knn', 'logreg']);
    expect(tree[0].cells).toHaveLength(4);
    // A leaf's id is its cell's key (unique in the config); a group's its dimension and name (unique among siblings).
    expect(tree[1].id).toBe('protocol:logreg');
    expect(tree[1].children[1].children[0].id).toBe('reg4|nih|logreg');
  });

  it('points each node at the config entry it names, where double-clicking it goes', () => {
    const [knn] = cellTree(cells, groupingOf(undefined));
    const at = (node: CellTreeNode) => config.slice(node.entry.offset, node.entry.offset + node.entry.length);
    expect(at(knn)).toBe('{ "kind": "knn" }');
    expect(at(knn.children[1])).toBe('{ "kind": "onnx", "model": "models/reg4.onnx" }');
    expect(at(knn.children[1].children[1])).toBe('{ "kind": "image-folder", "name": "cxr", "root": "b" }');
  });

  it('follows the configured order', () => {
    const tree = cellTree(cells, groupingOf(['dataset', 'protocol', 'backbone']));
    expect(outline(tree).slice(0, 4)).toEqual([
      'nih {"dataset":"nih"}',
      '  knn {"dataset":"nih","protocol":"knn"}',
      '    vit-s {"dataset":"nih","protocol":"knn","backbone":"vit-s"}',
      '    reg4 {"dataset":"nih","protocol":"knn","backbone":"reg4"}',
    ]);
  });
});

describe('groupingOf', () => {
  it('takes an order of all three dimensions, and the default for anything else', () => {
    expect(groupingOf(['backbone', 'dataset', 'protocol'])).toEqual(['backbone', 'dataset', 'protocol']);
    for (const setting of [undefined, 'protocol', ['protocol', 'backbone'], ['protocol', 'protocol', 'dataset'], ['protocol', 'backbone', 'split']]) {
      expect(groupingOf(setting)).toEqual(['protocol', 'backbone', 'dataset']);
    }
  });
});
