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
