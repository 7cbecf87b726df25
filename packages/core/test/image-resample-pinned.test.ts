import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resampleChannel, type ResampleTarget } from '../src/engine/image/resample.js';

/**
 * The resampler's exact output (sha256 of the float32 bytes) on large images, as computed before its vertical pass
 * was restructured for speed: a faster pass must keep every bit, since cached features are keyed by the
 * preprocessing's description, not by the code that ran it. The sizes give vertical filters of 19 taps (1024 →
 * 224), 27–28 taps (1536 → 224) and 7–8 taps (480 → 256), so every path of the pass (groups of eight, of four,
 * single taps) is exercised.
 */
function pseudoRandomImage(width: number, height: number, channels: number): Float32Array {
  const data = new Float32Array(width * height * channels);
  let state = 12345;
  for (let index = 0; index < data.length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[index] = (state >>> 20) - 2048;
  }
  return data;
}

function resampledHash(width: number, height: number, channels: number, channel: number, target: ResampleTarget): string {
  const out = new Float32Array(target.crop.width * target.crop.height);
  resampleChannel({ data: pseudoRandomImage(width, height, channels), width, height, channels, channel }, target, out, 0);
  return createHash('sha256').update(new Uint8Array(out.buffer)).digest('hex');
}

const square = (side: number): ResampleTarget => ({ width: side, height: side, crop: { top: 0, left: 0, width: side, height: side } });

describe('bicubic resampling: bit-exact output on large images', () => {
  it('1024² → 224² (study preset at NIH size)', () => {
    expect(resampledHash(1024, 1024, 1, 0, square(224))).toBe('456c68ffedceb187a98ab3d336a51a46bd654e5ecf94d34c1033719dad7499d4');
  });

  it('2048×1536 → 224² (CheXpert/DICOM sizes)', () => {
    expect(resampledHash(2048, 1536, 1, 0, square(224))).toBe('6c5f27ee8efd84d65015e368be2e9446ea71eb6f51f4de852af2a1f283a1fd3f');
  });

  it('640×480 RGB, green channel → 341×256, centre 224² (upstream preset)', () => {
    expect(resampledHash(640, 480, 3, 1, { width: 341, height: 256, crop: { top: 16, left: 58, width: 224, height: 224 } })).toBe('d89fd87db0534a352dd4c7265b6e5f101630dec310bc7b5b44a1994741c451c3');
  });
});
