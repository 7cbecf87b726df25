import { describe, expect, it } from 'vitest';
import { heatColour, textColourOn } from '../src/charts/colour-scale.js';

describe('heatColour', () => {
  it('maps min and max to the ends of the viridis stops', () => {
    expect(heatColour(0.6, 0.6, 0.8)).toBe('#440154');
    expect(heatColour(0.8, 0.6, 0.8)).toBe('#fde725');
  });

  it('interpolates between neighbouring stops', () => {
    // Position 0.125 is halfway between stop 0 (#440154) and stop 1 (#3b528b):
    // (0x44 + 0x3b) / 2 = 63.5 → 64 = 0x40; (0x01 + 0x52) / 2 = 41.5 → 42 = 0x2a; (0x54 + 0x8b) / 2 = 111.5 → 112 = 0x70.
    expect(heatColour(0.125, 0, 1)).toBe('#402a70');
    // Position 0.5 is stop 2 exactly.
    expect(heatColour(5, 0, 10)).toBe('#21918c');
  });

  it('clamps outside the range and uses mid-scale when every value is equal', () => {
    expect(heatColour(-1, 0, 1)).toBe('#440154');
    expect(heatColour(2, 0, 1)).toBe('#fde725');
    expect(heatColour(0.7, 0.7, 0.7)).toBe('#21918c');
  });
});

describe('textColourOn', () => {
  it('writes white on dark squares and near-black on light ones', () => {
    // #440154: 0.2126·0.267 + 0.7152·0.004 + 0.0722·0.329 ≈ 0.083 < 0.5.
    expect(textColourOn('#440154')).toBe('#ffffff');
    // #fde725: 0.2126·0.992 + 0.7152·0.906 + 0.0722·0.145 ≈ 0.869 > 0.5.
    expect(textColourOn('#fde725')).toBe('#111111');
  });
});
