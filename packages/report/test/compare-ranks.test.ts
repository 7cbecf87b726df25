import { describe, expect, it } from 'vitest';
import { crossTaskRanks } from '../src/compare/cross-task-ranks.js';
import { buildMatrix } from '../src/compare/matrix.js';
import { ranksHighestFirst } from '../src/compare/ranks.js';
import { runA, runB } from './compare-fixture.js';
import { hostileLabel } from './fixtures.js';

describe('ranksHighestFirst', () => {
  it('ranks the highest value 1 and gives tied values the mean of the ranks they span', () => {
    // 0.9 first; the two 0.8 span ranks 2 and 3, so each gets 2.5; 0.7 is fourth.
    expect(ranksHighestFirst([0.8, 0.9, 0.7, 0.8])).toEqual([2.5, 1, 4, 2.5]);
    // Three tied at the top span 1..3 (mean 2); the last is 4.
    expect(ranksHighestFirst([0.5, 0.5, 0.1, 0.5])).toEqual([2, 2, 4, 2]);
    expect(ranksHighestFirst([0.3])).toEqual([1]);
    expect(ranksHighestFirst([])).toEqual([]);
  });
});

describe('crossTaskRanks', () => {
  it('averages each backbone\'s ranks over the segmentation and the classification columns it has values in', () => {
    const { matrix } = buildMatrix([
      { dir: 'a', results: runA() },
      { dir: 'b', results: runB() },
    ]);
    const ranks = Object.fromEntries(crossTaskRanks(matrix).map((rank) => [rank.backbone.label, [rank.segmentation, rank.classification]]));
    // Column ranks (see compare-fixture.ts): linear B 1, S 2.5, R 2.5, H 4; knn k=5 S 1, B 2; knn k=20 S 1.5, B 1.5;
    // few-shot 1 shot R 1, S 2; 4 shots S 1.5, R 1.5; seg linear S 1, B 2, R 3; seg unet B 1, S 2, R 3.
    // S: segmentation (1 + 2) / 2 = 1.5, classification (2.5 + 1 + 1.5 + 2 + 1.5) / 5 = 1.7.
    // B: segmentation (2 + 1) / 2 = 1.5, classification (1 + 2 + 1.5) / 3 = 1.5.
    // R: segmentation (3 + 3) / 2 = 3, classification (2.5 + 1 + 1.5) / 3 = 5/3. H: classification only, 4.
    expect(ranks.small[0]).toBe(1.5);
    expect(ranks.small[1]).toBeCloseTo(1.7, 12);
    expect(ranks.base).toEqual([1.5, 1.5]);
    expect(ranks.resnet[0]).toBe(3);
    expect(ranks.resnet[1]).toBeCloseTo(5 / 3, 12);
    expect(ranks[hostileLabel]).toEqual([null, 4]);
  });
});
