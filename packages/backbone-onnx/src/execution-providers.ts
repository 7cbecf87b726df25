import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { listSupportedBackends, type InferenceSession } from 'onnxruntime-node';
import { RadprobeError } from '@radprobe/core';

/** The device a user asks for in a config or on the command line. */
export type Device = 'auto' | 'cpu' | 'cuda';

/** What the installed onnxruntime-node binding can do, as far as choosing a device needs. */
export interface BindingCapabilities {
  /** Folder of the native binding, where the optional provider libraries are installed. */
  bindingDir: string;
  /** Backends the binding was compiled with; `bundled: false` ones need a separately installed library. */
  supportedBackends: { name: string; bundled: boolean }[];
  /** Whether the CUDA provider library sits beside the binding (installed only on request). */
  cudaLibraryPresent: boolean;
}

/** The execution providers for a session, and why they were picked. */
export interface ExecutionProviderChoice {
  executionProviders: InferenceSession.ExecutionProviderConfig[];
  /** Session options that go with the providers (threads, graph optimisation). */
  sessionOptions: InferenceSession.SessionOptions;
  /** The provider that does the work, in onnxruntime's words (e.g. `CUDAExecutionProvider`). */
  provider: string;
  /**
   * One short sentence: which provider was picked and why, said once per run. How to get a GPU provider is left to
   * `radprobe doctor` (`describeExecutionProviders`) and to the error of a device "cuda" that cannot be had.
   */
  reason: string;
}

// npm runs no install script for radprobe's projects (ignore-scripts), so the GPU files come from running
// onnxruntime-node's own script, which works the same under npm 10 and 11.
const CUDA_INSTALL_HINT =
  'install onnxruntime-node\'s CUDA execution provider with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` ' +
  '(it downloads the provider from outside the npm registry), which needs CUDA 12 and cuDNN 9 on the machine';

function cudaLibraryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
}

/** Inspects the installed onnxruntime-node binding. */
export function probeBinding(): BindingCapabilities {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  // The binding loads its native module from this folder, and the CUDA provider library must sit beside it.
  const bindingDir = join(packageRoot, 'bin', 'napi-v6', process.platform, process.arch);
  return {
    bindingDir,
    supportedBackends: listSupportedBackends().map(({ name, bundled }) => ({ name, bundled })),
    cudaLibraryPresent: existsSync(join(bindingDir, cudaLibraryName(process.platform))),
  };
}

function cudaUsable(capabilities: BindingCapabilities): boolean {
  return capabilities.cudaLibraryPresent && capabilities.supportedBackends.some((backend) => backend.name === 'cuda');
}

/**
 * Maps a device request onto onnxruntime execution providers: `auto` takes CUDA when its provider library is
 * installed and CPU otherwise; `cuda` without the library is an error that says how to install it.
 */
export function selectExecutionProviders(
  device: Device,
  capabilities: BindingCapabilities = probeBinding(),
  cpuThreads: number = availableParallelism(),
): ExecutionProviderChoice {
  const cpuOptions: InferenceSession.SessionOptions = {
    intraOpNumThreads: cpuThreads,
    graphOptimizationLevel: 'all',
    // The session runs in a worker thread while the main thread decodes the next batch: threads of the pool that
    // wait for work sleep rather than spin, leaving their core to the decoder (and to other processes on a shared
    // machine, where spinning threads measured at about half the throughput).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  if (device === 'cpu') {
    return {
      executionProviders: ['cpu'],
      sessionOptions: { ...cpuOptions, executionProviders: ['cpu'] },
      provider: 'CPUExecutionProvider',
      reason: `CPUExecutionProvider with ${cpuThreads} threads, as requested (device "cpu")`,
    };
  }
  if (cudaUsable(capabilities)) {
    // CPU stays in the list so that operators without a CUDA kernel still run.
    const executionProviders: InferenceSession.ExecutionProviderConfig[] = [{ name: 'cuda', deviceId: 0 }, 'cpu'];
    return {
      executionProviders,
      sessionOptions: { graphOptimizationLevel: 'all', executionProviders },
      provider: 'CUDAExecutionProvider',
      reason:
        device === 'cuda'
          ? 'CUDAExecutionProvider on GPU 0, as requested (device "cuda")'
          : `CUDAExecutionProvider on GPU 0: device "auto" found ${cudaLibraryName(process.platform)} in ${capabilities.bindingDir}`,
    };
  }
  if (device === 'cuda') {
    throw new RadprobeError(
      `Device "cuda" was requested, but the installed onnxruntime-node has no CUDA provider ` +
        `(${cudaLibraryName(process.platform)} is not in ${capabilities.bindingDir}): ${CUDA_INSTALL_HINT}, ` +
        'or use device "cpu".',
    );
  }
  return {
    executionProviders: ['cpu'],
    sessionOptions: { ...cpuOptions, executionProviders: ['cpu'] },
    provider: 'CPUExecutionProvider',
    reason: `CPUExecutionProvider with ${cpuThreads} threads: no CUDA provider installed (radprobe doctor says how to add one)`,
  };
}

/** One backend of the binding, for `radprobe doctor`. */
export interface ExecutionProviderStatus {
  name: string;
  /** Shipped inside the npm package (as opposed to installed on request). */
  bundled: boolean;
  /** Whether radprobe can use it here. */
  usable: boolean;
  /** Why (not). */
  note: string;
}

/** Everything `radprobe doctor` reports about onnxruntime: what the binding supports and what is usable. */
export function describeExecutionProviders(capabilities: BindingCapabilities = probeBinding()): {
  bindingDir: string;
  providers: ExecutionProviderStatus[];
  autoPicks: string;
} {
  const providers = capabilities.supportedBackends.map((backend): ExecutionProviderStatus => {
    if (backend.name === 'cpu') return { ...backend, usable: true, note: 'always available' };
    if (backend.name === 'cuda') {
      return capabilities.cudaLibraryPresent
        ? { ...backend, usable: true, note: `${cudaLibraryName(process.platform)} is installed` }
        : { ...backend, usable: false, note: `not installed: ${CUDA_INSTALL_HINT}` };
    }
    return { ...backend, usable: false, note: 'supported by the binding but not used by radprobe' };
  });
  return {
    bindingDir: capabilities.bindingDir,
    providers,
    autoPicks: selectExecutionProviders('auto', capabilities).provider,
  };
}
