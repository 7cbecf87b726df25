import { describe, expect, it } from 'vitest';
import { RadprobeError } from '../src/index.js';
import { labelMapToSource, resampleLabelMap, resolvePreprocessing } from '../src/engine/index.js';

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

/** A backbone without a patch grid (patch size 0): sides are taken as given, so small odd sizes can be hand-computed. */
const anySide = { patchSize: 0, normalization: imagenet };

describe('labelMapToSource', () => {
  it('carries a map back through a centre crop on both axes, cropped-away pixels becoming 0', () => {
    // Source 5 wide × 3 high, resized to 6×6, centre crop 3: margins (6 − 3)/2 = 1.5 round half to even → top = left = 2.
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 6 }, centerCrop: 3 }, anySide);
    const predicted = { width: 3, height: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const back = labelMapToSource(predicted, { width: 5, height: 3 }, resolved, 'p.png');
    // Source column x sits at resized column ⌊(x + 0.5)·6/5⌋ = 0, 1, 3, 4, 5 → cropped 1, 2 for x = 2, 3, others outside.
    // Source row y sits at resized row ⌊(y + 0.5)·6/3⌋ = 1, 3, 5 → cropped row 1 (values 4 5 6) for y = 1 only.
    expect(back).toMatchObject({ width: 5, height: 3 });
    expect([...back.data]).toEqual([0, 0, 0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0]);
  });

  it('undoes a shorter-side resize with a crop along the longer axis only, keeping 16-bit classes', () => {
    // Source 3 wide × 5 high, shorter side to 2: height ⌊2·5/3⌋ = 3; crop 2 keeps resized rows from round(0.5) = 0 (half to even).
    const resolved = resolvePreprocessing({ preset: 'upstream', resize: { mode: 'shorter-side', size: 2 }, centerCrop: 2 }, anySide);
    const back = labelMapToSource({ width: 2, height: 2, data: Uint16Array.from([300, 301, 302, 303]) }, { width: 3, height: 5 }, resolved, 'p.png');
    expect(back.data).toBeInstanceOf(Uint16Array);
    // Columns: ⌊(x + 0.5)·2/3⌋ = 0, 1, 1. Rows: ⌊(y + 0.5)·3/5⌋ = 0, 0, 1, 2, 2 → rows 3 and 4 fall below the crop (row 2).
    expect([...back.data]).toEqual([300, 301, 301, 300, 301, 301, 302, 303, 303, 0, 0, 0, 0, 0, 0]);
  });

  it('returns the original map after an enlarging resize and back (every source pixel lands on one of its copies)', () => {
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 7 } }, anySide);
    const original = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 4, 5]) };
    const back = labelMapToSource(resampleLabelMap(original, resolved, 'o.png'), { width: 3, height: 2 }, resolved, 'o.png');
    expect([...back.data]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses a map that is not the output size, naming the item', () => {
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 6 }, centerCrop: 3 }, anySide);
    expect(() => labelMapToSource({ width: 2, height: 2, data: new Uint8Array(4) }, { width: 5, height: 3 }, resolved, 'vol.nii#k=3')).toThrow(RadprobeError);
    expect(() => labelMapToSource({ width: 2, height: 2, data: new Uint8Array(4) }, { width: 5, height: 3 }, resolved, 'vol.nii#k=3')).toThrow(/vol\.nii#k=3: label map .* is not the preprocessing's 3×3 output/);
  });
});
