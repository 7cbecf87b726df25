import { describe, expect, it } from 'vitest';
import type { DatasetItem } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';
import plugin from '../src/index.js';

const items: DatasetItem[] = [
  { id: 'a1', split: 'train', label: 0, source: 'a1.png' },
  { id: 'b1', split: 'train', label: 1, source: 'b1.png' },
  { id: 'a2', split: 'test', label: 0, source: 'a2.png' },
  { id: 'b2', split: 'test', label: 1, source: 'b2.png' },
];
// b2 lies nearer a1 than b1: one of the two TEST items is right.
const cls = [[[0, 0]], [[10, 0]], [[1, 0]], [[4, 0]]];

describe('__KIND__ protocol', () => {
  it('reports TEST top-1 with a bootstrap interval', async () => {
    const [protocol] = plugin.protocols!;
    const context = memoryProtocolContext({ task: 'multiclass', classes: ['a', 'b'], items, cls, seed: 1 });
    const result = await protocol.run({}, context);
    expect(result.primaryMetric).toBe('top1');
    expect(result.rows[0].metrics.top1.value).toBe(0.5);
    expect(result.rows[0].metrics.top1.ci).toMatchObject({ confidence: 0.95, unit: 'item' });
  });
});
