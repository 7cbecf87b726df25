import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunFolder } from '../src/engine/run/run-folder.js';

describe('RunFolder', () => {
  it('gives a run started in the same second as another of the same config the next free id', async () => {
    const output = await mkdtemp(join(tmpdir(), 'radprobe-run-folder-'));
    const where = { key: 'output' };
    const first = await RunFolder.create(output, '20260101-000000-abcdef12', where);
    // A killed run's leftover staging folder, and a finished run, both hold their ids.
    await mkdir(join(output, '.20260101-000000-abcdef12-3.partial'));
    await mkdir(join(output, '20260101-000000-abcdef12-4'));
    const second = await RunFolder.create(output, '20260101-000000-abcdef12', where);
    const third = await RunFolder.create(output, '20260101-000000-abcdef12', where);
    expect([first.runId, second.runId, third.runId]).toEqual(['20260101-000000-abcdef12', '20260101-000000-abcdef12-2', '20260101-000000-abcdef12-5']);
    expect(third.staging).toBe(join(output, '.20260101-000000-abcdef12-5.partial'));
  });
});
