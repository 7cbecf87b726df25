import type { LabelMap } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import type { ResolvedPreprocessing } from './preprocessing.js';
import { resampleTarget } from './preprocess.js';

/**
 * Carries a label map through the geometry its image goes through (resize, then centre crop), with nearest
 * neighbour sampling at pixel centres (Pillow's NEAREST) so that every output pixel keeps one of the input's
 * classes. The result has the preprocessing's output size, like the backbone input.
 */
export function resampleLabelMap(map: LabelMap, resolved: ResolvedPreprocessing, source: string): LabelMap {
  if (map.data.length !== map.width * map.height) {
    throw new RadprobeError(`${source}: label map has ${map.data.length} values for ${map.width}×${map.height} pixels`, { file: source });
  }
  const target = resampleTarget(map, resolved);
  const { top, left, height, width } = target.crop;
  const data = new (map.data instanceof Uint16Array ? Uint16Array : Uint8Array)(height * width);
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.min(map.width - 1, Math.floor(((left + x + 0.5) * map.width) / target.width));
  for (let y = 0; y < height; y++) {
    const sourceRow = Math.min(map.height - 1, Math.floor(((top + y + 0.5) * map.height) / target.height)) * map.width;
    for (let x = 0; x < width; x++) data[y * width + x] = map.data[sourceRow + columns[x]];
  }
  return { width, height, data };
}

/**
 * The inverse of `resampleLabelMap`: a label map in the preprocessing's output geometry (e.g. a prediction) carried
 * back onto the `size` grid of its source image. Each source pixel takes the class at its centre's position in the
 * resized image (nearest neighbour); pixels whose position the centre crop cut away become 0 (background).
 */
export function labelMapToSource(map: LabelMap, size: { width: number; height: number }, resolved: ResolvedPreprocessing, source: string): LabelMap {
  const { height: expectedHeight, width: expectedWidth } = resolved.outputSize;
  if (map.width !== expectedWidth || map.height !== expectedHeight || map.data.length !== map.width * map.height) {
    throw new RadprobeError(
      `${source}: label map of ${map.data.length} values as ${map.width}×${map.height} is not the preprocessing's ${expectedWidth}×${expectedHeight} output`,
      { file: source },
    );
  }
  const target = resampleTarget(size, resolved);
  const { top, left } = target.crop;
  const croppedIndex = (sourceIndex: number, sourceSide: number, resizedSide: number, offset: number, croppedSide: number) => {
    const index = Math.floor(((sourceIndex + 0.5) * resizedSide) / sourceSide) - offset;
    return index >= 0 && index < croppedSide ? index : -1;
  };
  const data = new (map.data instanceof Uint16Array ? Uint16Array : Uint8Array)(size.width * size.height);
  const columns = Int32Array.from({ length: size.width }, (_, x) => croppedIndex(x, size.width, target.width, left, map.width));
  for (let y = 0; y < size.height; y++) {
    const row = croppedIndex(y, size.height, target.height, top, map.height);
    if (row < 0) continue;
    for (let x = 0; x < size.width; x++) if (columns[x] >= 0) data[y * size.width + x] = map.data[row * map.width + columns[x]];
  }
  return { width: size.width, height: size.height, data };
}
