import { RadprobeError, type PixelSource } from '@radprobe/core';
import { applyView, type AugmentedView } from './augmentation.js';

/** Bytes of preprocessed images kept between reads: small datasets stay in memory, large ones stream. */
export const DEFAULT_CACHE_BYTES = 256 * 2 ** 20;

/**
 * Reads backbone inputs batch by batch from the context's pixel source, keeping the most recently used images up
 * to a byte budget, so that a dataset larger than the budget is streamed rather than held.
 */
export class PixelLoader {
  readonly height: number;
  readonly width: number;
  private readonly cache = new Map<number, Float32Array>();
  private readonly capacity: number;

  constructor(
    private readonly source: PixelSource,
    cacheBytes = DEFAULT_CACHE_BYTES,
  ) {
    this.height = source.size.height;
    this.width = source.size.width;
    this.capacity = Math.floor(cacheBytes / (3 * this.height * this.width * 4));
  }

  /** Images held right now. */
  get cached(): number {
    return this.cache.size;
  }

  private async image(index: number): Promise<Float32Array> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const pixels = await this.source.pixels(index);
    const expected = 3 * this.height * this.width;
    if (pixels.length !== expected) {
      throw new RadprobeError(`peft: the pixels of item ${index} have ${pixels.length} values; [3, ${this.height}, ${this.width}] needs ${expected}`);
    }
    if (this.capacity > 0) {
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(index, pixels);
    }
    return pixels;
  }

  /** `[items, 3, H, W]` of `items` in order, each through its view when `views` is given (training). */
  async batch(items: readonly number[], views: readonly AugmentedView[] | null): Promise<Float32Array> {
    const size = 3 * this.height * this.width;
    const out = new Float32Array(items.length * size);
    for (const [position, index] of items.entries()) {
      const pixels = await this.image(index);
      out.set(views ? applyView(pixels, this.height, this.width, views[position]) : pixels, position * size);
    }
    return out;
  }
}
