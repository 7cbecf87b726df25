import { join } from 'node:path';
import { Random, writeFileAtomic } from '@radprobe/core';
import { encodeGrayPng } from './gray-png.js';

const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

/**
 * A chest-X-ray caricature and its lung masks, in the Montgomery County layout (`CXR_png/`, `ManualMask/leftMask/`,
 * `ManualMask/rightMask/`, masks 255 inside): a bright body, two dark lung fields whose size and position vary from
 * image to image (so that no fixed mask fits them all), a bright heart overlapping the left lung field, and pixel
 * noise. The patient's right lung is on the image's left, as on a frontal film. Deterministic in `seed`.
 */
export async function writeSyntheticMontgomery(root: string, options: { images: number; side: number; seed: number }): Promise<void> {
  const { side } = options;
  const random = new Random(options.seed);
  const jitter = (spread: number) => spread * (2 * random.next() - 1);
  for (let i = 0; i < options.images; i++) {
    const name = `MCUCXR_${String(i).padStart(4, '0')}_0.png`;
    const shiftX = jitter(0.2);
    const shiftY = jitter(0.15);
    const lungs = [0, 1].map((k) => ({
      cx: (k === 0 ? 0.32 : 0.68) + shiftX + jitter(0.03),
      cy: 0.47 + shiftY + jitter(0.03),
      rx: 0.12 + jitter(0.04),
      ry: 0.25 + jitter(0.06),
    }));
    const heart = { cx: 0.56 + shiftX, cy: 0.62 + shiftY, rx: 0.1, ry: 0.08 };
    const pixels = new Float64Array(side * side);
    const right = new Uint8Array(side * side);
    const left = new Uint8Array(side * side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const [u, v] = [(x + 0.5) / side, (y + 0.5) / side];
        const p = y * side + x;
        let value = inside(u, v, 0.5 + shiftX, 0.5 + shiftY, 0.42, 0.48) ? 0.75 : 0.08;
        lungs.forEach((lung, k) => {
          if (!inside(u, v, lung.cx, lung.cy, lung.rx, lung.ry)) return;
          value = 0.22 + 0.05 * Math.sin(40 * v);
          (k === 0 ? right : left)[p] = 1;
        });
        if (inside(u, v, heart.cx, heart.cy, heart.rx, heart.ry)) {
          value = 0.85;
          left[p] = 0;
          right[p] = 0;
        }
        pixels[p] = value + jitter(0.04);
      }
    }
    await writeFileAtomic(join(root, 'CXR_png', name), encodeGrayPng(pixels, side, side, 8));
    await writeFileAtomic(join(root, 'ManualMask', 'leftMask', name), encodeGrayPng(left, side, side, 8));
    await writeFileAtomic(join(root, 'ManualMask', 'rightMask', name), encodeGrayPng(right, side, side, 8));
  }
}
