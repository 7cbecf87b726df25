import type { Dataset, DatasetItem, PixelSource } from '../../contracts/index.js';
import { preprocessInto } from '../image/preprocess.js';
import { type ResolvedPreprocessing } from '../image/preprocessing.js';
import { RadprobeError } from '../util/errors.js';
import { itemReason } from './item-error.js';

/**
 * The items' backbone inputs, made on demand by the same decoding and preprocessing as feature extraction, so a
 * protocol that runs the network itself sees exactly the pixels the cached features came from.
 */
export function pixelSource(dataset: Dataset, items: readonly DatasetItem[], preprocessing: ResolvedPreprocessing): PixelSource {
  const { height, width } = preprocessing.outputSize;
  return {
    size: preprocessing.outputSize,
    async pixels(index) {
      const item = items[index];
      if (!item) throw new RadprobeError(`no item ${index} among the ${items.length} of dataset "${dataset.name}"`);
      const out = new Float32Array(3 * height * width);
      try {
        preprocessInto(await dataset.open(item), preprocessing, out, 0);
      } catch (error) {
        throw new RadprobeError(`${item.source}: ${itemReason(item, error)}`, { file: item.source, cause: error });
      }
      return out;
    },
  };
}
