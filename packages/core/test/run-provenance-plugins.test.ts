import { describe, expect, it } from 'vitest';
import { fakePlugins, runFake, writeFakeConfig } from './fake-run.js';

describe('provenance lists every plugin package whose kinds the run used', () => {
  it("with version and location, first-party or not, including a wrapping protocol's inner kind", async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net' }], protocols: [{ kind: 'wrap', inner: 'count' }] });
    const { results } = await runFake(dir, fakePlugins());
    expect(results.provenance.plugins).toEqual([
      { name: '@acme/radprobe-fake', version: '1.2.0', location: '/opt/acme/radprobe-fake', firstParty: false, contributed: { backbones: ['fake'], datasets: ['memory'] } },
      { name: '@acme/radprobe-protocols', version: '0.3.0', location: '/opt/acme/radprobe-protocols', firstParty: false, contributed: { protocols: ['count', 'wrap'] } },
    ]);
  });

  it('leaves out packages whose kinds the run did not use', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net' }] });
    const { results } = await runFake(dir, fakePlugins());
    expect(results.provenance.plugins!.find((plugin) => plugin.name === '@acme/radprobe-protocols')!.contributed).toEqual({ protocols: ['count'] });
  });
});
