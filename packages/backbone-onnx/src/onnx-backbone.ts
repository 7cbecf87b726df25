import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import {
  RadprobeError,
  errorMessage,
  sha256,
  sha256File,
  type Backbone,
  type BackboneContext,
  type BackboneFactory,
  type BackboneInfo,
  type EmbeddedBatch,
  type JsonSchema,
  type TrainableBackbone,
  MAX_INPUT_SIDE,
} from '@radprobe/core';
import { selectExecutionProviders, type Device } from './execution-providers.js';
import { externalDataFiles } from './external-data.js';
import { describeOnnxInput } from './input-description.js';
import { readHfModelConfig } from './hf-config.js';
import { resolveModel } from './model-store.js';
import { findManifest, manifestNames, misnamedManifests, type OnnxManifest } from './onnx-manifest.js';
import { OnnxTrainableVit } from './onnx-trainable-vit.js';
import type { ArchitectureHints } from './vit-architecture.js';
import { collectTokens } from './split-tokens.js';
import { inferTokenLayout, registersFromSequence, type GraphValue, type TokenLayout, type TokenSource } from './token-layout.js';
import { WorkerSession } from './worker-session.js';

/** Options of a `kind: "onnx"` backbone entry. */
export interface OnnxBackboneOptions {
  /** Path of an .onnx file (relative to the config's folder), or a model-store name such as `dinov2-small`. */
  model: string;
  /** The device the engine passes: the entry's `device` (an option core adds to every backbone entry), else the run's. */
  device?: Device;
  /** Manifest path; default `model.onnx.radprobe.json` for `model.onnx`, else `radprobe.json` beside the model (unless that is a run config). */
  manifest?: string;
  /** Input side (or height and width) to use instead of the model's default. */
  inputSize?: number | { height: number; width: number };
}

const side = { type: 'integer', minimum: 1, maximum: MAX_INPUT_SIDE };

export const onnxBackboneOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    kind: { type: 'string' },
    name: { type: 'string' },
    model: { type: 'string', minLength: 1, description: 'Path of an .onnx file, or a model-store name (dinov2-small, owner/repo)' },
    manifest: { type: 'string', minLength: 1, 'x-radprobe-path': 'file', description: 'Manifest naming outputs, blocks, patch size, …' },
    inputSize: {
      oneOf: [side, { type: 'object', additionalProperties: false, required: ['height', 'width'], properties: { height: side, width: side } }],
    },
  },
};

function graphValues(metadata: readonly InferenceSession.ValueMetadata[]): GraphValue[] {
  return metadata.map((value) =>
    value.isTensor ? { name: value.name, type: value.type, shape: value.shape } : { name: value.name, type: undefined, shape: [] },
  );
}

/** Misnamed manifests already reported in this process: a backbone opened again (another command, a test) says it once. */
const reportedMisnamedManifests = new Set<string>();

async function warnAboutMisnamedManifests(modelPath: string, log: (message: string) => void): Promise<void> {
  const { own, folder } = manifestNames(modelPath);
  for (const file of await misnamedManifests(modelPath)) {
    if (reportedMisnamedManifests.has(file)) continue;
    reportedMisnamedManifests.add(file);
    log(
      `Warning: ${file} looks like a manifest of ${modelPath} but is not read: its name is not one radprobe looks for ` +
        `(${basename(own)}, else ${basename(folder)}, beside the model, or the backbone's "manifest" option); rename it to ${basename(own)}`,
    );
  }
}

/** Content hash of the weights: the .onnx file alone, or it and its external-data files. */
async function weightsHash(modelPath: string): Promise<string> {
  const modelHash = await sha256File(modelPath);
  const external = await externalDataFiles(modelPath);
  if (external.length === 0) return modelHash;
  const parts = [modelHash];
  for (const file of external) {
    if (!existsSync(file)) {
      throw new RadprobeError(`${modelPath} keeps weights in ${file}, which is missing`, { file: modelPath });
    }
    parts.push(await sha256File(file));
  }
  return sha256(parts.join('\n'));
}

async function openSession(modelPath: string, options: InferenceSession.SessionOptions): Promise<WorkerSession> {
  if (!existsSync(modelPath)) throw new RadprobeError(`Model file ${modelPath} does not exist`, { file: modelPath });
  try {
    return await WorkerSession.open(modelPath, options);
  } catch (error) {
    throw new RadprobeError(`Cannot load ${modelPath} with onnxruntime: ${errorMessage(error)}`, { file: modelPath, cause: error });
  }
}

async function run(session: WorkerSession, layout: TokenLayout, pixels: Float32Array, dims: number[], fetches: string[], modelPath: string) {
  try {
    return await session.run(layout.inputName, pixels, dims, fetches);
  } catch (error) {
    throw new RadprobeError(`onnxruntime failed to run ${modelPath} on input [${dims.join(', ')}]: ${errorMessage(error)}`, {
      file: modelPath,
      cause: error,
    });
  }
}

/** A fresh list of the outputs to fetch (callers append to it). */
function outputNames(source: TokenSource): string[] {
  return source.kind === 'sequence' ? [...source.outputs] : source.cls.flatMap((cls, i) => [cls, source.patch[i]]);
}

/**
 * Settles what the graph's symbolic shapes left open (width, register count) with one forward pass of a blank
 * image at the default input size.
 */
async function completeWithProbe(session: WorkerSession, layout: TokenLayout, modelPath: string): Promise<{ embedDim: number; registerTokens: number }> {
  if (layout.embedDim !== null && layout.registerTokens !== null) return { embedDim: layout.embedDim, registerTokens: layout.registerTokens };
  const { height, width } = layout.inputSize;
  const first = layout.source.kind === 'sequence' ? layout.source.outputs[0] : layout.source.cls[0];
  const outputs = await run(session, layout, new Float32Array(3 * height * width), [1, 3, height, width], [first], modelPath);
  const dims = outputs[first].dims;
  const embedDim = layout.embedDim ?? dims[dims.length - 1];
  const registerTokens = layout.registerTokens ?? registersFromSequence(dims[1], layout.inputSize, layout.patchSize, modelPath);
  if (layout.registerTokens === null) layout.inferred.push(`${registerTokens} register tokens (from a probe run: ${dims[1]} tokens)`);
  if (layout.embedDim === null) layout.inferred.push(`embedding width ${embedDim} (from a probe run)`);
  return { embedDim, registerTokens };
}

class OnnxBackbone implements Backbone {
  private poolerChecked = false;
  private network: Promise<OnnxTrainableVit | null> | undefined;

  constructor(
    readonly info: BackboneInfo,
    private readonly session: WorkerSession,
    private readonly layout: TokenLayout,
    private readonly modelPath: string,
    private readonly architectureHints: ArchitectureHints,
    private readonly log: (message: string) => void,
  ) {}

  /** The file's ViT for training (read once, on first use); null when the file holds no ViT. */
  trainable(): Promise<TrainableBackbone | null> {
    this.network ??= OnnxTrainableVit.open(this.modelPath, this.architectureHints, this.log);
    return this.network;
  }

  async embed(pixels: Float32Array, batchSize: number, height: number, width: number): Promise<EmbeddedBatch> {
    const { patchSize, embedDim, registerTokens } = this.info;
    if (pixels.length !== batchSize * 3 * height * width) {
      throw new RadprobeError(`${this.modelPath}: ${pixels.length} pixel values do not make ${batchSize}×3×${height}×${width}`, { file: this.modelPath });
    }
    if (height % patchSize !== 0 || width % patchSize !== 0) {
      throw new RadprobeError(`${this.modelPath}: input ${height}×${width} is not a multiple of the patch size ${patchSize}`, { file: this.modelPath });
    }
    const expected = this.info.inputSize;
    if (!this.info.dynamicInputSize && (height !== expected.height || width !== expected.width)) {
      throw new RadprobeError(`${this.modelPath} accepts only ${expected.height}×${expected.width} inputs, not ${height}×${width}`, { file: this.modelPath });
    }
    const checkPooler = !this.poolerChecked && this.layout.poolerOutput !== null;
    const fetches = outputNames(this.layout.source);
    if (checkPooler) fetches.push(this.layout.poolerOutput!);
    const outputs = await run(this.session, this.layout, pixels, [batchSize, 3, height, width], fetches, this.modelPath);
    const geometry = { batchSize, rows: height / patchSize, cols: width / patchSize, embedDim, registerTokens };
    const batch = collectTokens(this.layout.source, outputs, geometry, this.modelPath);
    if (checkPooler) {
      this.checkPooler(outputs[this.layout.poolerOutput!].data, batch.cls[batch.cls.length - 1]);
      this.poolerChecked = true;
    }
    return batch;
  }

  /** `pooler_output` is token 0 of `last_hidden_state` in a Dinov2Model; a mismatch means the layout was misread. */
  private checkPooler(pooler: Float32Array, cls: Float32Array): void {
    const mismatch = pooler.length !== cls.length || pooler.some((value, i) => Math.abs(value - cls[i]) > 1e-4 * (1 + Math.abs(cls[i])));
    if (mismatch) {
      throw new RadprobeError(
        `${this.modelPath}: "${this.layout.poolerOutput}" differs from token 0 of "last_hidden_state", so the sequence is ` +
          'not [CLS, registers, patches]; write a manifest naming the outputs',
        { file: this.modelPath },
      );
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

const STYLE_NAMES: Record<TokenLayout['style'], string> = { hf: 'HF style', meta: 'Meta style', manifest: 'manifest' };

/**
 * Provider choices already told. Every backbone of a run gets the same choice on the same machine, so it is said
 * once per process (a CLI run), not once per model.
 */
const toldProviderChoices = new Set<string>();

function tellProviderChoiceOnce(reason: string, log: (message: string) => void): void {
  if (toldProviderChoices.has(reason)) return;
  toldProviderChoices.add(reason);
  log(`onnxruntime: ${reason}`);
}

/** Loads ONNX exports of DINOv2 (Hugging Face and Meta styles, or any ViT described by a manifest). */
export const onnxBackboneFactory: BackboneFactory<OnnxBackboneOptions> = {
  kind: 'onnx',
  optionsSchema: onnxBackboneOptionsSchema,
  describeInput: describeOnnxInput,
  async create(options: OnnxBackboneOptions, context: BackboneContext): Promise<Backbone> {
    const modelPath = await resolveModel(options.model, context.modelStoreDir, context.baseDir);
    const { manifest, file: manifestFile } = await findManifest(modelPath, options.manifest, context.baseDir);
    await warnAboutMisnamedManifests(modelPath, context.log);
    const hfConfig = await readHfModelConfig(modelPath);
    const choice = selectExecutionProviders(options.device ?? context.device);
    const session = await openSession(modelPath, choice.sessionOptions);
    try {
      const layout = inferTokenLayout({
        modelPath,
        inputs: graphValues(session.inputMetadata),
        outputs: graphValues(session.outputMetadata),
        hfConfig,
        manifest,
        manifestFile,
        overrides: { inputSize: options.inputSize },
      });
      const { embedDim, registerTokens } = await completeWithProbe(session, layout, modelPath);
      const info: BackboneInfo = {
        description: `${options.model} (onnx, ${STYLE_NAMES[layout.style]})`,
        patchSize: layout.patchSize,
        embedDim,
        totalBlocks: layout.totalBlocks,
        exposedBlocks: layout.exposedBlocks,
        registerTokens,
        inputSize: layout.inputSize,
        dynamicInputSize: layout.dynamicInputSize,
        hasPatchTokens: true,
        normalization: layout.normalization,
        weightsHash: await weightsHash(modelPath),
        executionProvider: `onnxruntime ${choice.provider}`,
      };
      const sources = [manifestFile, ...hfConfig.files].filter((file): file is string => Boolean(file)).map((file) => basename(file));
      tellProviderChoiceOnce(choice.reason, context.log);
      context.log(
        `${modelPath}: read ${sources.length > 0 ? sources.join(', ') : 'no manifest or config'}; ` +
          `inferred: ${layout.inferred.length > 0 ? layout.inferred.join('; ') : 'nothing'}.`,
      );
      return new OnnxBackbone(info, session, layout, modelPath, { configHeads: hfConfig.heads, manifestHeads: manifest?.heads }, context.log);
    } catch (error) {
      await session.release();
      throw error;
    }
  },
};
