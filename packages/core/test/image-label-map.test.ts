import { describe, expect, it } from 'vitest';
import { RadprobeError, resampleLabelMap, resolvePreprocessing } from '../src/index.js';

const imagenet = { mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number] };

describe('resampleLabelMap', () => {
  it('replicates classes when enlarging (each source pixel covers a 14×14 block of a 28×28 map)', () => {
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 28 } }, { patchSize: 14, normalization: imagenet });
    const map = resampleLabelMap({ width: 2, height: 2, data: Uint8Array.from([0, 1, 2, 3]) }, resolved, 'm.png');
    expect(map).toMatchObject({ width: 28, height: 28 });
    // Pixel centre y + 0.5 maps to source row ⌊(y + 0.5)·2/28⌋: rows 0–13 → 0, 14–27 → 1; columns likewise.
    expect([map.data[0], map.data[13], map.data[14], map.data[27 * 28 + 27], map.data[14 * 28]]).toEqual([0, 0, 1, 3, 2]);
  });

  it('follows the resize of the shorter side and the centre crop of its image', () => {
    // 4 wide × 2 high → shorter side 14 gives 28 × 14, centre crop 14 keeps columns 7–20 of the 28.
    const resolved = resolvePreprocessing({ preset: 'upstream', resize: { mode: 'shorter-side', size: 14 }, centerCrop: 14 }, { patchSize: 14, normalization: imagenet });
    const map = resampleLabelMap({ width: 4, height: 2, data: Uint16Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }, resolved, 'm.png');
    expect(map).toMatchObject({ width: 14, height: 14 });
    expect(map.data).toBeInstanceOf(Uint16Array);
    // Output column x is resized column 7 + x: source column ⌊(7 + x + 0.5)·4/28⌋ → x = 0 → 1, x = 13 → 2; row 0 → 0.
    expect([map.data[0], map.data[6], map.data[7], map.data[13], map.data[13 * 14]]).toEqual([2, 2, 3, 3, 6]);
  });

  it('refuses a label map whose data does not fill its size, naming the file', () => {
    const resolved = resolvePreprocessing('study', { patchSize: 14, normalization: imagenet });
    expect(() => resampleLabelMap({ width: 3, height: 3, data: new Uint8Array(4) }, resolved, 'bad.png')).toThrow(RadprobeError);
    expect(() => resampleLabelMap({ width: 3, height: 3, data: new Uint8Array(4) }, resolved, 'bad.png')).toThrow(/bad\.png: label map has 4 values/);
  });
});
