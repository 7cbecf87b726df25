import { describe, expect, it } from 'vitest';
import { fakePlugins, runFake, writeFakeConfig } from './fake-run.js';

describe("a backbone's cache identity includes its resolved options", () => {
  it('re-embeds when an option that changes the output changes, though the weightsHash stays', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net', scale: 1 }] });
    const first = fakePlugins();
    await runFake(dir, first);
    expect(first.record.embedded).toBe(6);

    await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net', scale: 2 }] }, dir);
    const scaled = fakePlugins();
    await runFake(dir, scaled);
    expect(scaled.record.embedded).toBe(6);
    expect(scaled.record.firstFeatures[0]).toBeCloseTo(2 * first.record.firstFeatures[0], 5);
  });

  it('reuses the features when only what the engine owns changes: the entry name, batchSize, device', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net', scale: 3 }] });
    await runFake(dir, fakePlugins());
    await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'renamed', scale: 3, batchSize: 5, device: 'cpu' }] }, dir);
    const again = fakePlugins();
    await runFake(dir, again);
    expect(again.record.embedded).toBe(0);
  });
});
