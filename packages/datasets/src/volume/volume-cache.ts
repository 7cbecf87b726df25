import { readNiftiFile, type NiftiVolume } from './nifti.js';

/**
 * Decoded volumes by file, least recently used dropped first. Slices are opened one at a time, mostly in volume
 * order, so a few entries (an image and its label map, and the next pair) avoid decoding a volume per slice.
 * Concurrent requests for one file share its single decode; a failed decode is not kept.
 */
export class VolumeCache {
  private readonly entries = new Map<string, Promise<NiftiVolume>>();

  constructor(
    private readonly capacity: number,
    private readonly decode: (file: string) => Promise<NiftiVolume> = readNiftiFile,
  ) {}

  get(file: string): Promise<NiftiVolume> {
    const cached = this.entries.get(file);
    if (cached) {
      this.entries.delete(file);
      this.entries.set(file, cached);
      return cached;
    }
    const decoding = this.decode(file);
    this.entries.set(file, decoding);
    decoding.catch(() => {
      if (this.entries.get(file) === decoding) this.entries.delete(file);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return decoding;
  }
}
