import { describe, expect, it } from 'vitest';
import { splitHash } from '../src/engine/splits/split-hash.js';

describe('splitHash', () => {
  it('hashes the sorted id:split lines, whatever order the loader listed the items in', () => {
    // `printf 'a:test\nb:train\nc:val' | sha256sum`
    const expected = '63a4cc24942b35a69d1298a7877d8ae4f587854a6f8bcc5c152d9f5e84d5178b';
    const items = [
      { id: 'c', split: 'val' as const },
      { id: 'a', split: 'test' as const },
      { id: 'b', split: 'train' as const },
    ];
    expect(splitHash(items)).toBe(expected);
    expect(splitHash([...items].reverse())).toBe(expected);
  });

  it('changes when an item moves to another split although the counts stay equal', () => {
    // `printf 'a:test\nb:val\nc:train' | sha256sum`: b and c swapped splits.
    expect(splitHash([{ id: 'a', split: 'test' }, { id: 'b', split: 'val' }, { id: 'c', split: 'train' }])).toBe('296b03ac8bc6ac2a30c18f42cfd1e4152d835a48a561f1b807ed1f3002daa2e8');
  });
});
