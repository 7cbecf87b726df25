import { describe, expect, it } from 'vitest';
import { bfloat16BitsToNumber, float16BitsToNumber, numberToFloat16Bits } from '../src/index.js';

describe('float16 conversion', () => {
  it('decodes hand-checked bit patterns', () => {
    // sign | exponent(5) | fraction(10): 0x3c00 = 2^0; 0x3555 = 2^-2 · (1 + 0x155/1024) = 0.333251953125;
    // 0x7bff = 2^15 · (2 - 2^-10) = 65504; 0x0001 = 2^-24; 0x8000 = -0; 0x7c00 = +Infinity.
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0x3555)).toBe(0.333251953125);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });

  it('encodes with round-to-nearest-even', () => {
    expect(numberToFloat16Bits(1)).toBe(0x3c00);
    expect(numberToFloat16Bits(-2)).toBe(0xc000);
    // 1/3 lies between 0x3555 (0.33325195) and 0x3556 (0.33349609), nearer the first.
    expect(numberToFloat16Bits(1 / 3)).toBe(0x3555);
    // 1 + 2^-11 is exactly halfway between 1 (even mantissa) and 1 + 2^-10: ties go to even.
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up to 0x3c02.
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // 65520 is halfway between 65504 and 2^16 (not representable): rounds to even, i.e. overflows to Infinity.
    expect(numberToFloat16Bits(65520)).toBe(0x7c00);
    expect(numberToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal units, tie to even = 2
    expect(numberToFloat16Bits(2 ** -26)).toBe(0x0000); // a quarter unit underflows to zero
    expect(numberToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });

  it('decodes bfloat16 as the top half of a float32', () => {
    // 0x3f80 → float32 0x3f800000 = 1; 0xc040 → 0xc0400000 = -3.
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xc040)).toBe(-3);
  });
});
