import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultArtifact, TrainableBackbone } from '@radprobe/core';
import type { Candidate, ResolvedPeftOptions } from './options.js';
import { encodeSafetensors } from './safetensors.js';
import type { TrainedNetwork } from './training.js';

/**
 * The artifact `save` asks for of the network retrained for TEST: its adapter parameters as safetensors (with the
 * setting in the metadata), or a model file written by the backbone with the adapters merged in (the backbone
 * writes files, artifacts are bytes: it goes through a private temporary folder).
 */
export async function savedArtifact(
  network: Pick<TrainedNetwork, 'mergedParameters' | 'adapterParameters'>,
  candidate: Candidate,
  options: ResolvedPeftOptions,
  trainable: TrainableBackbone,
  stem: string,
): Promise<ResultArtifact | null> {
  if (options.save === 'none') return null;
  if (options.save === 'adapters') {
    const metadata: Record<string, string> = { mode: candidate.mode, learningRate: String(candidate.learningRate) };
    if (candidate.mode === 'lora') Object.assign(metadata, { rank: String(options.lora.rank), alpha: String(options.lora.alpha), scale: String(options.lora.alpha / options.lora.rank) });
    return { name: `${stem}-adapters.safetensors`, mediaType: 'application/octet-stream', data: encodeSafetensors(network.adapterParameters(), metadata) };
  }
  const folder = await mkdtemp(join(tmpdir(), 'radprobe-peft-'));
  try {
    const file = join(folder, 'merged.onnx');
    await trainable.writeWeights(network.mergedParameters(), file);
    return { name: `${stem}-merged.onnx`, mediaType: 'application/octet-stream', data: new Uint8Array(await readFile(file)) };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
