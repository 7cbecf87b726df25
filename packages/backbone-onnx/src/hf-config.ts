import { dirname, join } from 'node:path';
import { RadprobeError } from '@radprobe/core';
import { readJsonObjectIfPresent } from './json-file.js';

/** What a Hugging Face `config.json` and `preprocessor_config.json` say about a ViT, where they say it. */
export interface HfModelConfig {
  /** The files the facts came from. */
  files: string[];
  embedDim?: number;
  depth?: number;
  /** `num_attention_heads`: needed to train the network, not to run it. */
  heads?: number;
  patchSize?: number;
  registerTokens?: number;
  /** The preprocessor's crop size: the input the model is evaluated at. */
  inputSize?: { height: number; width: number };
  normalization?: { mean: [number, number, number]; std: [number, number, number] };
}

function integerField(json: Record<string, unknown>, key: string, file: string, minimum = 1): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new RadprobeError(`${file}: /${key} must be an integer ≥ ${minimum}, found ${JSON.stringify(value)}`, {
      file,
      pointer: `/${key}`,
    });
  }
  return value;
}

function channelTriple(json: Record<string, unknown>, key: string, file: string): [number, number, number] | undefined {
  const value = json[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== 3 || !value.every((entry) => typeof entry === 'number')) {
    throw new RadprobeError(`${file}: /${key} must be an array of 3 numbers, found ${JSON.stringify(value)}`, {
      file,
      pointer: `/${key}`,
    });
  }
  return value as [number, number, number];
}

function cropSize(json: Record<string, unknown>, file: string): { height: number; width: number } | undefined {
  const value = json.crop_size;
  if (value === undefined || value === null) return undefined;
  const isSide = (side: unknown): side is number => typeof side === 'number' && Number.isInteger(side) && side >= 1;
  if (isSide(value)) return { height: value, width: value };
  const size = value as { height?: unknown; width?: unknown };
  if (typeof value === 'object' && isSide(size.height) && isSide(size.width)) return { height: size.height, width: size.width };
  throw new RadprobeError(
    `${file}: /crop_size must be a positive integer or {height, width}, found ${JSON.stringify(value)}`,
    { file, pointer: '/crop_size' },
  );
}

/**
 * Reads `config.json` and `preprocessor_config.json` from the model's folder or, for the hub's layout (model in
 * `onnx/`, configs at the repository root), from its parent. `image_size` is deliberately not used as the input
 * size: for DINOv2 it is the pretraining resolution (518), while the preprocessor's crop size (224) is what the
 * model is evaluated at.
 */
export async function readHfModelConfig(modelPath: string): Promise<HfModelConfig> {
  const result: HfModelConfig = { files: [] };
  for (const folder of [dirname(modelPath), dirname(dirname(modelPath))]) {
    const configFile = join(folder, 'config.json');
    const config = await readJsonObjectIfPresent(configFile);
    const preprocessorFile = join(folder, 'preprocessor_config.json');
    const preprocessor = await readJsonObjectIfPresent(preprocessorFile);
    if (!config && !preprocessor) continue;
    if (config) {
      result.files.push(configFile);
      result.embedDim = integerField(config, 'hidden_size', configFile);
      result.depth = integerField(config, 'num_hidden_layers', configFile);
      result.heads = integerField(config, 'num_attention_heads', configFile);
      result.patchSize = integerField(config, 'patch_size', configFile);
      result.registerTokens = integerField(config, 'num_register_tokens', configFile, 0);
    }
    if (preprocessor) {
      result.files.push(preprocessorFile);
      result.inputSize = cropSize(preprocessor, preprocessorFile);
      const mean = channelTriple(preprocessor, 'image_mean', preprocessorFile);
      const std = channelTriple(preprocessor, 'image_std', preprocessorFile);
      if ((mean === undefined) !== (std === undefined)) {
        throw new RadprobeError(`${preprocessorFile}: /image_mean and /image_std must be given together`, {
          file: preprocessorFile,
          pointer: mean === undefined ? '/image_mean' : '/image_std',
        });
      }
      if (mean && std) result.normalization = { mean, std };
    }
    return result;
  }
  return result;
}
