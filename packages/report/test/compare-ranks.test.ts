import { describe, expect, it } from 'vitest';
import { crossTaskRanking } from '../src/compare/cross-task-ranks.js';
import { buildMatrix } from '../src/compare/matrix.js';
import { rankAcrossTasks, type RankingInput } from '../src/compare/ranking.js';
import { runA, runB } from './compare-fixture.js';
import { hostileLabel } from './fixtures.js';

const family = (id: string, segmentation: boolean, settings: Array<Array<number | null>>) => ({
  id,
  dataset: id,
  protocol: 'p',
  segmentation,
  settings: settings.map((values, index) => ({ label: `s${index}`, values })),
});

describe('rankAcrossTasks', () => {
  it('ranks the highest value 1 and gives tied values the mean of the ranks they span', () => {
    // 0.9 first; the two 0.8 span ranks 2 and 3, so each gets 2.5; 0.7 is fourth.
    const input: RankingInput = { backbones: ['a', 'b', 'c', 'd'], families: [family('one', false, [[0.8, 0.9, 0.7, 0.8]]), family('two', true, [[0.5, 0.5, 0.1, 0.5]])] };
    const { ranks } = rankAcrossTasks(input, {});
    expect(ranks.map((rank) => rank.classification)).toEqual([2.5, 1, 4, 2.5]);
    // Three tied at the top span 1..3 (mean 2); the last is 4.
    expect(ranks.map((rank) => rank.segmentation)).toEqual([2, 2, 4, 2]);
  });

  it('counts a family once: each backbone\'s best setting, one chosen setting for all, or not at all', () => {
    // Backbone a: 0.6 and 0.9; b: 0.8 and 0.7. Best per backbone: a 0.9, b 0.8, so a 1, b 2.
    const input: RankingInput = { backbones: ['a', 'b'], families: [family('f', false, [[0.6, 0.8], [0.9, 0.7]])] };
    expect(rankAcrossTasks(input, {}).ranks).toEqual([{ segmentation: null, classification: 1 }, { segmentation: null, classification: 2 }]);
    expect(rankAcrossTasks(input, {}).families).toEqual([{ id: 'f', used: 'best setting per backbone', skipped: null }]);
    // Setting 0 for both: a 0.6, b 0.8, so b 1, a 2.
    expect(rankAcrossTasks(input, { f: 0 }).ranks.map((rank) => rank.classification)).toEqual([2, 1]);
    expect(rankAcrossTasks(input, { f: 0 }).families).toEqual([{ id: 'f', used: 's0', skipped: null }]);
    expect(rankAcrossTasks(input, { f: 'off' })).toEqual({ families: [{ id: 'f', used: null, skipped: 'left out' }], ranks: [{ segmentation: null, classification: null }, { segmentation: null, classification: null }] });
    expect(() => rankAcrossTasks(input, { f: 2 })).toThrow('ranking: family f has no setting 2');
  });

  it('does not count a family where fewer than two backbones have a value (a lone backbone would rank 1 for free)', () => {
    const input: RankingInput = { backbones: ['a', 'b'], families: [family('lone', false, [[0.9, null]]), family('both', false, [[0.1, 0.2]])] };
    const outcome = rankAcrossTasks(input, {});
    expect(outcome.families[0]).toEqual({ id: 'lone', used: null, skipped: 'fewer than two backbones have a value' });
    expect(outcome.ranks.map((rank) => rank.classification)).toEqual([2, 1]);
  });
});

describe('crossTaskRanking', () => {
  const matrix = () =>
    buildMatrix([
      { dir: 'a', results: runA() },
      { dir: 'b', results: runB() },
    ]).matrix;

  it('counts each dataset × protocol once, with each backbone\'s best setting by default', () => {
    const ranking = crossTaskRanking(matrix());
    expect(ranking.input.families.map((entry) => [entry.dataset, entry.protocol, entry.settings.map((setting) => setting.label)])).toEqual([
      ['cxr', 'linear', ['its one reported row']],
      ['cxr', 'knn', ['k=5', 'k=20']],
      ['cxr', 'fewshot', ['shots=1', 'shots=4']],
      ['lungs', 'seg', ['linear', 'unet']],
    ]);
    const ranks = Object.fromEntries(ranking.input.backbones.map((label, b) => [label, [ranking.outcome.ranks[b].segmentation, ranking.outcome.ranks[b].classification]]));
    // Family values (see compare-fixture.ts), best setting per backbone: linear B 0.9 (1), S 0.8 and R 0.8 (2.5), H 0.5
    // (4); knn S max(0.70, 0.75) = B max(0.60, 0.75) = 0.75 (1.5 each); few-shot S max(0.6, 0.7) = R max(0.65, 0.7) =
    // 0.7 (1.5 each); seg B 0.92 (1), S 0.90 (2), R 0.88 (3).
    // S: segmentation 2, classification (2.5 + 1.5 + 1.5) / 3 = 11/6. B: 1 and (1 + 1.5) / 2 = 1.25.
    // R: 3 and (2.5 + 1.5) / 2 = 2. H: classification only, 4.
    expect(ranks.small[0]).toBe(2);
    expect(ranks.small[1]).toBeCloseTo(11 / 6, 12);
    expect(ranks.base).toEqual([1, 1.25]);
    expect(ranks.resnet).toEqual([3, 2]);
    expect(ranks[hostileLabel]).toEqual([null, 4]);
  });

  it('takes a chosen setting or leaves a family out', () => {
    // knn at k=5: S 0.7 (1), B 0.6 (2); few-shot left out. S: (2.5 + 1) / 2 = 1.75; B: (1 + 2) / 2 = 1.5; R: linear only, 2.5.
    const ranking = crossTaskRanking(matrix(), { [JSON.stringify(['cxr', 'knn'])]: 0, [JSON.stringify(['cxr', 'fewshot'])]: 'off' });
    expect(ranking.outcome.ranks.map((rank) => rank.classification)).toEqual([1.75, 1.5, 2.5, 4]);
    expect(ranking.outcome.families.map((use) => use.used)).toEqual(['best setting per backbone', 'k=5', null, 'best setting per backbone']);
  });
});
