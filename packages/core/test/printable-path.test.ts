import { describe, expect, it } from 'vitest';
import { printablePath } from '../src/index.js';

describe('printablePath', () => {
  it('escapes a newline, terminal escape codes and other control characters, and keeps the rest', () => {
    expect(printablePath('/data/we\nird\u001b[31mred\u0007.png')).toBe('/data/we\\nird\\x1b[31mred\\x07.png');
    expect(printablePath('tab\there\r\u007f\u009b')).toBe('tab\\x09here\\x0d\\x7f\\x9b');
    expect(printablePath('/données/胸部/é.png')).toBe('/données/胸部/é.png');
  });

  it('replaces a lone surrogate (a name that was not UTF-8) and keeps a surrogate pair', () => {
    expect(printablePath('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
    expect(printablePath('x-\ud83e\udec1.png')).toBe('x-\ud83e\udec1.png');
  });
});
