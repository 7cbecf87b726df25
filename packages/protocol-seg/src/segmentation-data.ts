import { RadprobeError, type ProtocolContext } from '@radprobe/core';

const ALL_SPLITS = ['train', 'val', 'test'] as const;

/** Patch tokens of some items, one `[items, h, w, D]` array per block, oldest block first. */
export interface TokenChunk {
  items: number[];
  grid: { rows: number; cols: number };
  dim: number;
  blocks: Float32Array[];
}

/**
 * Reads the patch tokens of the last `blocks` blocks of `items` (indices into the context's items) from the cache,
 * item by item: only these items are ever in memory, so a dataset's tokens are never all held at once.
 */
export async function readTokens(context: ProtocolContext, items: readonly number[], blocks: number): Promise<TokenChunk> {
  const sorted = [...items].sort((a, b) => a - b);
  const subset = context.restrict(sorted);
  const data: Float32Array[] = [];
  let grid: TokenChunk['grid'] | null = null;
  let dim = 0;
  for (let fromEnd = blocks - 1; fromEnd >= 0; fromEnd--) {
    let position = 0;
    let block: Float32Array | null = null;
    for await (const tokens of subset.features.patchTokens(ALL_SPLITS, fromEnd)) {
      grid ??= tokens.grid;
      dim ||= tokens.dim;
      const size = grid.rows * grid.cols * dim;
      if (tokens.data.length !== size) throw new RadprobeError(`seg: item ${context.dataset.items[sorted[tokens.item]].source} has ${tokens.data.length} patch-token values, expected ${size}`);
      block ??= new Float32Array(sorted.length * size);
      block.set(tokens.data, tokens.item * size);
      position++;
    }
    if (position !== sorted.length || !block) throw new RadprobeError(`seg: the cache returned patch tokens for ${position} of ${sorted.length} items`);
    data.push(block);
  }
  return { items: sorted, grid: grid!, dim, blocks: data };
}

/** Every item's label map at the backbone input size, one byte per pixel. */
export interface MaskTable {
  height: number;
  width: number;
  /** By context item index; only the items read are present. */
  masks: Map<number, Uint8Array>;
}

/** Reads the label maps of `items`, checking their size and that every value is a class index. */
export async function readMasks(context: ProtocolContext, items: readonly number[]): Promise<MaskTable> {
  const source = context.masks;
  const { dataset } = context;
  if (!source) throw new RadprobeError(`seg: dataset ${dataset.name} provides no segmentation masks`);
  if (dataset.classes.length > 256) throw new RadprobeError(`seg: dataset ${dataset.name} has ${dataset.classes.length} classes; at most 256 fit one byte per pixel`);
  const { height, width } = source.size;
  const masks = new Map<number, Uint8Array>();
  for (const index of items) {
    context.signal.throwIfAborted();
    const map = await source.mask(index);
    const item = dataset.items[index];
    if (map.width !== width || map.height !== height) throw new RadprobeError(`seg: the mask of ${item.source} is ${map.width}×${map.height}, not the input size ${width}×${height}`);
    const bytes = new Uint8Array(map.data.length);
    for (let p = 0; p < bytes.length; p++) {
      const value = map.data[p];
      if (value >= dataset.classes.length) throw new RadprobeError(`seg: the mask of ${item.source} has class ${value} at pixel ${p}; the dataset has ${dataset.classes.length} classes`);
      bytes[p] = value;
    }
    masks.set(index, bytes);
  }
  return { height, width, masks };
}

/** The label maps of `items`, concatenated (`[items, H, W]`). */
export function stackMasks(table: MaskTable, items: readonly number[]): Int32Array {
  const size = table.height * table.width;
  const out = new Int32Array(items.length * size);
  items.forEach((item, i) => {
    const mask = table.masks.get(item);
    if (!mask) throw new RadprobeError(`seg: no mask was read for item ${item}`);
    out.set(mask, i * size);
  });
  return out;
}
