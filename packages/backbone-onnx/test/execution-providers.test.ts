import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RadprobeError } from '@radprobe/core';
import {
  describeExecutionProviders,
  probeBinding,
  selectExecutionProviders,
  type BindingCapabilities,
} from '../src/execution-providers.js';

const backends = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
];
const withoutCuda: BindingCapabilities = { bindingDir: '/ort/bin', supportedBackends: backends, cudaLibraryPresent: false };
const withCuda: BindingCapabilities = { ...withoutCuda, cudaLibraryPresent: true };

describe('selectExecutionProviders', () => {
  it('runs on the CPU with every core and full graph optimisation when asked for cpu', () => {
    const choice = selectExecutionProviders('cpu', withCuda, 6);
    expect(choice.executionProviders).toEqual(['cpu']);
    expect(choice.sessionOptions).toMatchObject({ intraOpNumThreads: 6, graphOptimizationLevel: 'all' });
    expect(choice.provider).toBe('CPUExecutionProvider');
  });

  it('auto takes CUDA (with CPU behind it) when the provider library is installed', () => {
    const choice = selectExecutionProviders('auto', withCuda, 6);
    expect(choice.executionProviders).toEqual([{ name: 'cuda', deviceId: 0 }, 'cpu']);
    expect(choice.provider).toBe('CUDAExecutionProvider');
    expect(choice.reason).toContain('libonnxruntime_providers_cuda.so');
  });

  it('auto falls back to the CPU and says why in one short sentence, leaving how to get a GPU to radprobe doctor', () => {
    const choice = selectExecutionProviders('auto', withoutCuda, 2);
    expect(choice.executionProviders).toEqual(['cpu']);
    expect(choice.reason).toBe('CPUExecutionProvider with 2 threads: no CUDA provider installed (radprobe doctor says how to add one)');
  });

  it('cuda without the provider library says how to install the GPU build', () => {
    expect(() => selectExecutionProviders('cuda', withoutCuda, 2)).toThrow(RadprobeError);
    expect(() => selectExecutionProviders('cuda', withoutCuda, 2)).toThrow(/ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js.*CUDA 12 and cuDNN 9/);
  });

  it('cuda is refused when the binding was built without CUDA even if a library lies around', () => {
    const cpuOnly = { ...withCuda, supportedBackends: [{ name: 'cpu', bundled: true }] };
    expect(() => selectExecutionProviders('cuda', cpuOnly, 2)).toThrow(/no CUDA provider/);
  });
});

describe('describeExecutionProviders', () => {
  it('lists every backend of the binding with whether radprobe can use it', () => {
    const report = describeExecutionProviders(withoutCuda);
    expect(report.autoPicks).toBe('CPUExecutionProvider');
    expect(report.providers.map((p) => [p.name, p.usable])).toEqual([
      ['cpu', true],
      ['webgpu', false],
      ['cuda', false],
    ]);
    expect(report.providers[2].note).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js');
    expect(describeExecutionProviders(withCuda).autoPicks).toBe('CUDAExecutionProvider');
  });

  it('probes the installed binding (the CPU build here)', () => {
    const capabilities = probeBinding();
    expect(existsSync(capabilities.bindingDir)).toBe(true);
    expect(capabilities.supportedBackends.some((backend) => backend.name === 'cpu')).toBe(true);
    expect(capabilities.cudaLibraryPresent).toBe(existsSync(`${capabilities.bindingDir}/libonnxruntime_providers_cuda.so`));
  });
});
