import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

describe('__KIND__ backbone', () => {
  it('embeds a 16×32 image as CLS and two patch tokens', async () => {
    const [factory] = plugin.backbones!;
    const backbone = await factory.create({}, { baseDir: '.', modelStoreDir: '.', device: 'auto', log: () => {} });
    // Channel c of the left patch holds c, of the right patch c + 1.
    const pixels = Float32Array.from({ length: 3 * 16 * 32 }, (_, i) => Math.floor(i / 512) + (i % 32 >= 16 ? 1 : 0));
    const batch = await backbone.embed(pixels, 1, 16, 32);
    expect(batch.grid).toEqual({ rows: 1, cols: 2 });
    expect([...batch.patch![0]]).toEqual([0, 1, 2, 1, 2, 3]);
    expect([...batch.cls[0]]).toEqual([0.5, 1.5, 2.5]);
  });
});
