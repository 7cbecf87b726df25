import { attributeText, findAttribute, type OnnxNode } from '@radprobe/onnx-format';
import { RadprobeError } from '@radprobe/core';
import type { GraphIndex } from './graph-constants.js';
import type { InitializerPart, ParameterBinding } from './vit-bindings.js';

/**
 * `pos_embed` of an export whose constant folding took its name away, found where the graph adds it to the
 * tokens. torch.onnx folds Meta's `pos_embed[:, 0]` and `pos_embed[:, 1:]` (reshaped, permuted) into two unnamed
 * constants but leaves the bicubic Resize to the export's grid in the graph, so the trained grid is recovered
 * exactly; an optimiser that evaluates the Resize too (onnxruntime's constant folding, for one) leaves only the
 * grid already interpolated to the export's size.
 */
export interface FoldedPositions {
  /** `pos_embed` as `[1 + N, D]`: the CLS position, then the N grid positions row by row. */
  binding: ParameterBinding;
  /** The Resize that interpolates the recovered trained grid; null when the grid is the export's own. */
  resize: OnnxNode | null;
}

/** Ops that keep their input's values in the same order. */
const ORDER_PRESERVING = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity']);

/** An initializer holding positions, and whether it stores them channels first (`[1, D, h, w]`) rather than last. */
interface StoredGrid {
  initializer: string;
  channelsFirst: boolean;
  resize: OnnxNode | null;
}

function elementCount(index: GraphIndex, initializer: string): number {
  return index.initializer(initializer)!.dims.reduce((product, side) => product * side, 1);
}

/** The token sequence `[CLS, patches]` the positions are added to: the axis-1 Concat that takes the expanded CLS token. */
function tokenConcat(index: GraphIndex, clsInitializer: string): OnnxNode | undefined {
  let frontier = [clsInitializer];
  for (let step = 0; step < 4 && frontier.length > 0; step++) {
    const readers = frontier.flatMap((value) => index.consumers(value));
    const concat = readers.find((node) => node.opType === 'Concat' && [1, -2].includes(findAttribute(node, 'axis')?.i ?? 0));
    if (concat) return concat;
    frontier = readers.filter((node) => node.opType === 'Expand' || ORDER_PRESERVING.has(node.opType)).flatMap((node) => node.output);
  }
  return undefined;
}

/**
 * Where the token-layout (channels-last) grid of `value` is stored: through order-preserving ops, Transposes that
 * move only the channel axis, and at most one cubic Resize (whose input is channels first), back to an initializer.
 */
function storedGrid(index: GraphIndex, value: string): StoredGrid | null {
  let channelsFirst = false;
  let resize: OnnxNode | null = null;
  for (let current = value; ; ) {
    if (index.initializer(current)) return { initializer: current, channelsFirst, resize };
    const node = index.producer(current);
    if (!node) return null;
    if (ORDER_PRESERVING.has(node.opType)) {
      current = node.input[0];
    } else if (node.opType === 'Transpose') {
      const perm = findAttribute(node, 'perm')?.ints ?? [];
      const rank = perm.length;
      const inputChannelAxis: number = perm[channelsFirst ? 1 : rank - 1];
      const spatial = perm.filter((axis) => axis !== 0 && axis !== inputChannelAxis);
      const keepsGrid = rank >= 3 && perm[0] === 0 && spatial.every((axis, i) => i === 0 || axis > spatial[i - 1]);
      if (!keepsGrid || (inputChannelAxis !== 1 && inputChannelAxis !== rank - 1)) return null;
      channelsFirst = inputChannelAxis === 1;
      current = node.input[0];
    } else if (node.opType === 'Resize' && resize === null && channelsFirst) {
      const mode = findAttribute(node, 'mode');
      if (mode === undefined || attributeText(mode) !== 'cubic') return null;
      resize = node;
      current = node.input[0];
    } else {
      return null;
    }
  }
}

/** The initializer of a value that is one, behind order-preserving ops. */
function storedConstant(index: GraphIndex, value: string): string | null {
  for (let current = value; ; ) {
    if (index.initializer(current)) return current;
    const node = index.producer(current);
    if (!node || !ORDER_PRESERVING.has(node.opType)) return null;
    current = node.input[0];
  }
}

/**
 * Finds the positional embedding added to the tokens when no initializer carries its name; null when the graph
 * adds none this code can follow. `clsInitializer` holds the CLS token; `file` names the model in errors.
 */
export function findFoldedPositions(index: GraphIndex, clsInitializer: string, embedDim: number, file: string): FoldedPositions | null {
  const tokens = tokenConcat(index, clsInitializer);
  const add = tokens && index.consumers(tokens.output[0]).find((node) => node.opType === 'Add');
  if (!tokens || !add) return null;
  let source = add.input[0] === tokens.output[0] ? add.input[1] : add.input[0];
  while (index.producer(source)?.opType === 'Cast') source = index.producer(source)!.input[0];
  const concat = index.producer(source);
  const parts: InitializerPart[] = [];
  let resize: OnnxNode | null = null;
  if (concat?.opType === 'Concat' && concat.input.length === 2) {
    const cls = storedConstant(index, concat.input[0]);
    const grid = storedGrid(index, concat.input[1]);
    if (cls === null || grid === null || elementCount(index, cls) !== embedDim) return null;
    const count = elementCount(index, grid.initializer) / embedDim;
    parts.push({ initializer: cls, transposed: false, rowOffset: 0, shape: [1, embedDim] });
    parts.push({ initializer: grid.initializer, transposed: grid.channelsFirst, rowOffset: 1, shape: [count, embedDim] });
    resize = grid.resize;
  } else {
    const whole = storedConstant(index, source);
    if (whole === null) return null;
    parts.push({ initializer: whole, transposed: false, rowOffset: 0, shape: [elementCount(index, whole) / embedDim, embedDim] });
  }
  const rows = parts.reduce((sum, part) => sum + part.shape[0], 0);
  const grid = Math.round(Math.sqrt(rows - 1));
  if (!Number.isInteger(rows) || grid * grid !== rows - 1) {
    throw new RadprobeError(
      `${file}: the positional embedding the graph adds to the tokens (from ${parts.map((part) => `'${part.initializer}'`).join(' and ')}) ` +
        `holds ${(rows - 1) * embedDim} values besides the CLS position, not a square grid of ${embedDim}-wide positions`,
      { file },
    );
  }
  return { binding: { name: 'pos_embed', shape: [rows, embedDim], parts }, resize };
}
