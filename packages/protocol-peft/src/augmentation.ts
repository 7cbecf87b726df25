import { RadprobeError, bilinearResizeMatrix, roundHalfEven, type Random } from '@radprobe/core';
import type { ResolvedAugmentation } from './options.js';

/** One augmented view of an image: the crop box (rows `top..top+height-1`, columns likewise) and the flip. */
export interface AugmentedView {
  top: number;
  left: number;
  height: number;
  width: number;
  flip: boolean;
}

/** torchvision's RandomResizedCrop tries this many boxes before falling back to a centre crop. */
const CROP_ATTEMPTS = 10;

/**
 * torchvision's `RandomResizedCrop.get_params`: a box of area `scale · H · W` and aspect ratio drawn log-uniformly
 * from `ratio`, at a uniform position; after ten boxes that do not fit, the largest centred box within the ratio
 * range. Rounding is Python's (half to even), as in torchvision.
 */
function cropBox(random: Random, height: number, width: number, scale: [number, number], ratio: [number, number]): Omit<AugmentedView, 'flip'> {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < CROP_ATTEMPTS; attempt++) {
    const targetArea = area * (scale[0] + (scale[1] - scale[0]) * random.next());
    const aspect = Math.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * random.next());
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: random.int(height - h + 1), left: random.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = roundHalfEven(w / ratio[0]);
  else if (inRatio > ratio[1]) w = roundHalfEven(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Draws the view of one training image: crop first, then the flip (torchvision's order of the two transforms). */
export function drawView(random: Random, height: number, width: number, settings: ResolvedAugmentation): AugmentedView {
  const box = settings.scale ? cropBox(random, height, width, settings.scale, settings.ratio) : { top: 0, left: 0, height, width };
  return { ...box, flip: settings.horizontalFlip && random.next() < 0.5 };
}

/** Per output position, the two source positions and weights of 1-D bilinear interpolation (half-pixel centres). */
function taps(inSize: number, outSize: number): { low: Int32Array; lowWeight: Float32Array; highWeight: Float32Array } {
  const matrix = bilinearResizeMatrix(inSize, outSize, false, true);
  const low = new Int32Array(outSize);
  const lowWeight = new Float32Array(outSize);
  const highWeight = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const row = matrix.subarray(o * inSize, (o + 1) * inSize);
    const first = row.findIndex((weight) => weight !== 0);
    low[o] = first;
    lowWeight[o] = row[first];
    highWeight[o] = first + 1 < inSize ? row[first + 1] : 0;
  }
  return { low, lowWeight, highWeight };
}

/**
 * The view of a `[3, height, width]` image at the image's own size: the crop box resized bilinearly back to
 * `height × width` (half-pixel centres, PyTorch's `align_corners = false`), mirrored when `flip`. A box covering
 * the whole image without flip returns an equal copy.
 */
export function applyView(pixels: Float32Array, height: number, width: number, view: AugmentedView): Float32Array {
  const plane = height * width;
  if (pixels.length !== 3 * plane) throw new RadprobeError(`peft augmentation: ${pixels.length} values are not a [3, ${height}, ${width}] image`);
  if (view.top < 0 || view.left < 0 || view.height < 1 || view.width < 1 || view.top + view.height > height || view.left + view.width > width) {
    throw new RadprobeError(`peft augmentation: crop box ${JSON.stringify(view)} does not lie within ${height}×${width}`);
  }
  const rows = taps(view.height, height);
  const columns = taps(view.width, width);
  const out = new Float32Array(3 * plane);
  const horizontal = new Float32Array(view.height * width);
  for (let channel = 0; channel < 3; channel++) {
    const source = channel * plane;
    for (let y = 0; y < view.height; y++) {
      const sourceRow = source + (view.top + y) * width + view.left;
      for (let x = 0; x < width; x++) {
        const column = columns.low[x];
        const high = columns.highWeight[x] === 0 ? 0 : pixels[sourceRow + column + 1] * columns.highWeight[x];
        horizontal[y * width + (view.flip ? width - 1 - x : x)] = pixels[sourceRow + column] * columns.lowWeight[x] + high;
      }
    }
    for (let y = 0; y < height; y++) {
      const row = rows.low[y];
      const lowWeight = rows.lowWeight[y];
      const highWeight = rows.highWeight[y];
      const target = channel * plane + y * width;
      for (let x = 0; x < width; x++) {
        const high = highWeight === 0 ? 0 : horizontal[(row + 1) * width + x] * highWeight;
        out[target + x] = horizontal[row * width + x] * lowWeight + high;
      }
    }
  }
  return out;
}
