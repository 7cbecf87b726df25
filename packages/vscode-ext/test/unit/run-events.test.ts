import { describe, expect, it } from 'vitest';
import { LineSplitter, parseRunnerLine } from '../../src/protocol/run-events.js';

describe('parseRunnerLine', () => {
  it('reads a RunEvent line', () => {
    expect(parseRunnerLine('{"type":"run-start","runId":"r1","outputDir":"/o","cells":6}')).toEqual({
      kind: 'event',
      event: { type: 'run-start', runId: 'r1', outputDir: '/o', cells: 6 },
    });
  });

  it('passes other lines on as text: plain output, broken JSON, JSON that is not an event', () => {
    expect(parseRunnerLine('hello')).toEqual({ kind: 'text', text: 'hello' });
    expect(parseRunnerLine('{"type":"run-st')).toEqual({ kind: 'text', text: '{"type":"run-st' });
    expect(parseRunnerLine('{"type":"other"}')).toEqual({ kind: 'text', text: '{"type":"other"}' });
  });
});

describe('LineSplitter', () => {
  it('joins lines cut across chunks, multi-byte characters included, and drops CR', () => {
    const splitter = new LineSplitter();
    const bytes = new TextEncoder().encode('a × b\r\nsecond\nthi');
    // Cut inside "×" (two bytes in UTF-8, at offsets 2 and 3).
    expect(splitter.push(bytes.slice(0, 3))).toEqual([]);
    expect(splitter.push(bytes.slice(3))).toEqual(['a × b', 'second']);
    expect(splitter.push(new TextEncoder().encode('rd'))).toEqual([]);
    expect(splitter.end()).toEqual(['third']);
    expect(splitter.end()).toEqual([]);
  });
});
