import { describe, expect, it } from 'vitest';
import { activationLine, trustGrantedLine } from '../../src/trust-lines.js';

describe('the log lines about workspace trust', () => {
  it('read as sentences in a trusted and an untrusted workspace, the untrusted one saying how to run', () => {
    expect(activationLine(true)).toBe('radprobe extension active in a trusted workspace: runs evaluations, validates configs and loads plugins');
    expect(activationLine(false)).toBe(
      'radprobe extension active in an untrusted workspace: shows configs, installed plugins and past results only; trust the workspace to run evaluations',
    );
    expect(trustGrantedLine).toMatch(/^workspace trusted: radprobe now runs evaluations/);
  });
});
