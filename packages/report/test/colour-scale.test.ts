import { describe, expect, it } from 'vitest';
import { contrastRatio, heatColour, textColourOn } from '../src/charts/colour-scale.js';

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
  it('writes white on dark squares and black on light ones', () => {
    expect(textColourOn('#440154')).toBe('#ffffff');
    expect(textColourOn('#fde725')).toBe('#000000');
    // Mid-scale green (share 0.53): luminance 0.26, so black (6.2:1), where the gamma-encoded channels chose white (3.5:1).
    expect(textColourOn(heatColour(0.53, 0, 1))).toBe('#000000');
  });

  it('keeps every colour of the scale readable: at least 4.5:1 (WCAG AA for text)', () => {
    const worst = Math.min(...Array.from({ length: 1001 }, (_, i) => heatColour(i / 1000, 0, 1)).map((colour) => contrastRatio(colour, textColourOn(colour))));
    expect(worst).toBeGreaterThanOrEqual(4.5);
  });

  it('measures contrast as WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
