import { describe, expect, it } from 'vitest';
import { configEntryLocations } from '../../src/config/entry-locations.js';
import { configCells } from '../../src/testing/cell-items.js';

const text = `{
  // comments and trailing commas, as radprobe allows
  "backbones": [{ "kind": "onnx", "model": "models/vit-s/model.onnx" }, { "kind": "onnx", "name": "b2", "model": "x.onnx" },],
  "datasets": [{ "kind": "image-folder", "name": "cxr" }],
  "protocols": [
    { "kind": "knn", "k": [5, 10] },
    { "kind": "linear", "name": "logreg", "method": "logreg" },
    { "name": "no kind" }
  ]
}`;

describe('configEntryLocations', () => {
  it('finds each entry with radprobe default names and the offsets of the entry and its kind', () => {
    const entries = configEntryLocations(text);
    expect(entries.map(({ section, index, kind, name }) => `${section}[${index}] ${kind} ${name}`)).toEqual([
      'backbones[0] onnx model',
      'backbones[1] onnx b2',
      'datasets[0] image-folder cxr',
      'protocols[0] knn knn',
      'protocols[1] linear logreg',
    ]);
    const knn = entries[3];
    expect(text.slice(knn.offset, knn.offset + knn.length)).toBe('{ "kind": "knn", "k": [5, 10] }');
    expect(text.slice(knn.kindOffset, knn.kindOffset + knn.kindLength)).toBe('"knn"');
  });

  it('gives nothing for text that is not a config object', () => {
    expect(configEntryLocations('')).toEqual([]);
    expect(configEntryLocations('[1, 2]')).toEqual([]);
  });
});

describe('configCells', () => {
  it('lists backbone × dataset × protocol in run order', () => {
    expect(configCells(configEntryLocations(text)).map(({ backbone, dataset, protocol }) => `${backbone}/${dataset}/${protocol}`)).toEqual([
      'model/cxr/knn',
      'model/cxr/logreg',
      'b2/cxr/knn',
      'b2/cxr/logreg',
    ]);
  });
});
