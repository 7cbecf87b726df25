import { deflateSync } from 'node:zlib';
import { RadprobeError } from '@radprobe/core';

/** Background black, then distinct saturated colours; classes beyond the list reuse it in order. */
const PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
  [220, 190, 255],
  [170, 110, 40],
  [255, 250, 200],
  [128, 0, 0],
];

/** Colour of class `c` in mask images. */
export function classColour(c: number): readonly [number, number, number] {
  return c === 0 ? PALETTE[0] : PALETTE[1 + ((c - 1) % (PALETTE.length - 1))];
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it (ISO 3309, reflected, initial and final XOR 0xffffffff). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit RGB PNG of `rgb` (`[height, width, 3]`), every scanline with filter type 0. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RadprobeError(`PNG: ${rgb.length} bytes are not a ${width}×${height} RGB image`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
}

/** Gap between the two label maps, in pixels (white). */
const GAP = 4;

/** The true and the predicted label map side by side (truth left), each class in its colour, as a PNG. */
export function labelMapsPng(truth: Uint8Array, prediction: Uint8Array, width: number, height: number): Uint8Array {
  if (truth.length !== width * height || prediction.length !== width * height) throw new RadprobeError(`mask image: label maps are not ${width}×${height}`);
  const total = 2 * width + GAP;
  const rgb = new Uint8Array(total * height * 3).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgb.set(classColour(truth[y * width + x]), (y * total + x) * 3);
      rgb.set(classColour(prediction[y * width + x]), (y * total + width + GAP + x) * 3);
    }
  }
  return encodeRgbPng(rgb, total, height);
}
