import { describe, expect, it } from 'vitest';
import { printablePath } from '../src/index.js';

describe('printablePath', () => {
  it('leaves ordinary paths alone, letters beyond ASCII included', () => {
    expect(printablePath('/data/train/normal/café 01.png')).toBe('/data/train/normal/café 01.png');
    expect(printablePath(Buffer.from('/data/café.png'))).toBe('/data/café.png');
  });

  it('escapes newlines, tabs, terminal escape codes and other control characters', () => {
    expect(printablePath('/data/a\nb.png')).toBe('/data/a\\nb.png');
    expect(printablePath('x\r\ty')).toBe('x\\r\\ty');
    expect(printablePath('/data/\u001b[2J\u001b]0;owned\u0007.png')).toBe('/data/\\x1b[2J\\x1b]0;owned\\x07.png');
    expect(printablePath('del\u007f c1\u009b bidi\u202e')).toBe('del\\x7f c1\\u009b bidi\\u202e');
    expect(printablePath('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate');
  });

  it('shows the bytes of a name that is not UTF-8 (a Latin-1 name on Linux) as \\x escapes', () => {
    expect(printablePath(Buffer.from('/data/caf\u00e9.png', 'latin1'))).toBe('/data/caf\\xe9.png');
    expect(printablePath(Buffer.from([0x61, 0xc3, 0x28, 0xe2, 0x82, 0x0a]))).toBe('a\\xc3(\\xe2\\x82\\n');
    expect(printablePath(Buffer.from([0xf0, 0x9f, 0x98, 0x80]))).toBe('😀');
  });
});
