import { RadprobeError, batchNormTraining, type Random, type TensorFlow } from '@radprobe/core';
import type { Tensor, Tensor1D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import type { DecoderKind } from './options.js';
import { resizeBilinear } from './bilinear-resize.js';
import { concatConv2d } from './concat-conv.js';
import { convTranspose2x2 } from './transposed-conv.js';

/** The shape of the features a decoder reads and of the logits it writes. */
export interface DecoderShape {
  /** Channels of the patch tokens (the backbone's D). */
  embedDim: number;
  classes: number;
  /** Patch grid (h, w). */
  grid: { rows: number; cols: number };
  /** The backbone input, which the logits are resized to. */
  output: { height: number; width: number };
}

/**
 * A segmentation decoder on frozen patch tokens. `inputs` are the cached blocks it reads, oldest first, each
 * `[m, h, w, D]` (the last is the final block); the result is logits `[m, H, W, C]` at the backbone input size.
 */
export interface Decoder {
  kind: DecoderKind;
  /** Blocks of patch tokens it reads. */
  blocks: number;
  /** Parameters that train. */
  variables: Variable[];
  /**
   * Logits of a chunk. In training, BatchNorm normalises with the chunk's statistics and appends them (mean and
   * unbiased variance per BatchNorm layer, kept out of the tidy scope) to `batchStatistics`; in evaluation it
   * uses the running statistics.
   */
  forward(inputs: readonly Tensor4D[], training: boolean, batchStatistics?: Tensor[]): Tensor4D;
  /** How many batch statistics a training `forward` collects: two (mean, variance) per BatchNorm layer. */
  statisticsCount: number;
  /** PyTorch's running-statistics update (momentum 0.1) with the statistics `forward` collected; disposes them. */
  updateRunningStatistics(batchStatistics: Tensor[]): void;
  dispose(): void;
}

const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1;

/** Variable names are global in tfjs: every decoder gets its own prefix. */
let decoderCount = 0;

/** Creates variables with PyTorch's default initialisation, drawing from one seeded stream in creation order. */
class Parameters {
  readonly trainable: Variable[] = [];
  readonly buffers: Variable[] = [];
  private readonly prefix = `seg-decoder-${decoderCount++}`;

  constructor(
    private readonly tf: TensorFlow,
    private readonly random: Random,
  ) {}

  /** `U(−1/√fanIn, 1/√fanIn)`: PyTorch's kaiming_uniform(a = √5) for conv weights and its bias rule. */
  uniform(name: string, shape: number[], fanIn: number): Variable {
    const bound = 1 / Math.sqrt(fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, () => bound * (2 * this.random.next() - 1));
    return this.add(name, this.tf.tensor(values, shape), true);
  }

  constant(name: string, length: number, value: number, trainable: boolean): Variable {
    return this.add(name, this.tf.fill([length], value), trainable);
  }

  private add(name: string, init: Tensor, trainable: boolean): Variable {
    const variable = this.tf.variable(init, trainable, `${this.prefix}/${name}`);
    init.dispose();
    (trainable ? this.trainable : this.buffers).push(variable);
    return variable;
  }

  dispose(): void {
    for (const variable of [...this.trainable, ...this.buffers]) variable.dispose();
  }
}

/** `kernel × kernel` convolution with bias, stride 1, zero padding `(kernel − 1)/2` (PyTorch `padding=1` for 3×3). */
interface Conv {
  filter: Variable;
  bias: Variable;
}

function conv(params: Parameters, name: string, kernel: number, inChannels: number, outChannels: number): Conv {
  const fanIn = inChannels * kernel * kernel;
  return { filter: params.uniform(`${name}/weight`, [kernel, kernel, inChannels, outChannels], fanIn), bias: params.uniform(`${name}/bias`, [outChannels], fanIn) };
}

function applyConv(tf: TensorFlow, layer: Conv, x: Tensor4D): Tensor4D {
  return tf.add(tf.conv2d(x, layer.filter as unknown as Tensor4D, 1, 'same'), layer.bias) as Tensor4D;
}

/** BatchNorm2d: affine, with running mean (starts 0) and variance (starts 1). */
interface BatchNorm {
  gamma: Variable;
  beta: Variable;
  runningMean: Variable;
  runningVariance: Variable;
}

function batchNorm(params: Parameters, name: string, channels: number): BatchNorm {
  return {
    gamma: params.constant(`${name}/weight`, channels, 1, true),
    beta: params.constant(`${name}/bias`, channels, 0, true),
    runningMean: params.constant(`${name}/running_mean`, channels, 0, false),
    runningVariance: params.constant(`${name}/running_var`, channels, 1, false),
  };
}

function applyBatchNorm(tf: TensorFlow, layer: BatchNorm, x: Tensor4D, training: boolean, statistics?: Tensor[]): Tensor4D {
  if (!training) return tf.batchNorm(x, layer.runningMean as Tensor1D, layer.runningVariance as Tensor1D, layer.beta as Tensor1D, layer.gamma as Tensor1D, BN_EPSILON);
  const { output, mean, variance } = batchNormTraining(tf, x, layer.gamma, layer.beta, BN_EPSILON);
  if (statistics) {
    // PyTorch normalises with the biased variance but keeps the unbiased one in the running estimate.
    const count = x.shape[0] * x.shape[1] * x.shape[2];
    statistics.push(tf.keep(tf.clone(mean)), tf.keep(tf.mul(variance, count / Math.max(1, count - 1))));
  }
  return output as Tensor4D;
}

function updateRunning(tf: TensorFlow, layers: readonly BatchNorm[], statistics: Tensor[]): void {
  if (statistics.length !== 2 * layers.length) throw new RadprobeError(`decoder: ${statistics.length} batch statistics for ${layers.length} BatchNorm layers`);
  tf.tidy(() => {
    layers.forEach((layer, i) => {
      layer.runningMean.assign(tf.add(tf.mul(layer.runningMean, 1 - BN_MOMENTUM), tf.mul(statistics[2 * i], BN_MOMENTUM)));
      layer.runningVariance.assign(tf.add(tf.mul(layer.runningVariance, 1 - BN_MOMENTUM), tf.mul(statistics[2 * i + 1], BN_MOMENTUM)));
    });
  });
  for (const tensor of statistics) tensor.dispose();
}

/** Patch tokens `(D, h, w)` → 1×1 conv `D → C` → bilinear upsampling to the input size (align_corners false). */
export function linearDecoder(tf: TensorFlow, shape: DecoderShape, random: Random): Decoder {
  const params = new Parameters(tf, random);
  const head = conv(params, 'conv', 1, shape.embedDim, shape.classes);
  const { height, width } = shape.output;
  return {
    kind: 'linear',
    blocks: 1,
    variables: params.trainable,
    forward: (inputs) => resizeBilinear(tf, applyConv(tf, head, inputs[inputs.length - 1]), [height, width], false),
    statisticsCount: 0,
    updateRunningStatistics: (statistics) => updateRunning(tf, [], statistics),
    dispose: () => params.dispose(),
  };
}

/** Output channels of the four up-blocks: D/2, D/4, D/8, C. */
export function unetChannels(embedDim: number, classes: number): number[] {
  const channels = [Math.floor(embedDim / 2), Math.floor(embedDim / 4), Math.floor(embedDim / 8), classes];
  if (channels[2] < 1) throw new RadprobeError(`U-Net decoder: embedding dimension ${embedDim} is below 8, so D/8 has no channel`);
  return channels;
}

interface UpBlock {
  transpose: { filter: Variable; bias: Variable };
  skipConv: Conv;
  skipNorm: BatchNorm;
  fuse: Conv;
  /** Absent in the last block, which ends in a plain conv so that the logits can be negative. */
  fuseNorm: BatchNorm | null;
}

/**
 * The study's U-Net decoder over the last 5 blocks `x0..x4` (x4 = last = bottleneck). Up-block `i` (skip
 * `x(3−i)`): ConvTranspose 2×2 stride 2 on the decoder path; Conv3×3 (D → out) + BatchNorm + ReLU on the skip at
 * patch resolution, bilinearly resized (align_corners true) to the decoder's size; concat (decoder, skip); Conv3×3
 * (2·out → out) + BatchNorm + ReLU. Channels D → D/2 → D/4 → D/8 → C, spatial h → 16h, then a bilinear resize
 * (align_corners false) to the input size. The last block ends with its plain conv: as coded in the study it also
 * had BatchNorm + ReLU, which makes every logit non-negative.
 */
export function unetDecoder(tf: TensorFlow, shape: DecoderShape, random: Random): Decoder {
  const params = new Parameters(tf, random);
  const { embedDim, classes } = shape;
  const channels = unetChannels(embedDim, classes);
  const blocks: UpBlock[] = channels.map((out, i) => {
    const inChannels = i === 0 ? embedDim : channels[i - 1];
    // PyTorch's ConvTranspose2d takes fan_in from weight dim 1 (its output channels): out · 2 · 2.
    const transposeFanIn = out * 4;
    return {
      transpose: { filter: params.uniform(`up${i}/transpose/weight`, [2, 2, out, inChannels], transposeFanIn), bias: params.uniform(`up${i}/transpose/bias`, [out], transposeFanIn) },
      skipConv: conv(params, `up${i}/skip/conv`, 3, embedDim, out),
      skipNorm: batchNorm(params, `up${i}/skip/bn`, out),
      fuse: conv(params, `up${i}/fuse/conv`, 3, 2 * out, out),
      fuseNorm: i === channels.length - 1 ? null : batchNorm(params, `up${i}/fuse/bn`, out),
    };
  });
  const norms = blocks.flatMap((block) => (block.fuseNorm ? [block.skipNorm, block.fuseNorm] : [block.skipNorm]));
  const { height, width } = shape.output;
  return {
    kind: 'unet',
    blocks: 5,
    variables: params.trainable,
    forward(inputs, training, statistics) {
      if (inputs.length !== 5) throw new RadprobeError(`U-Net decoder: needs the patch tokens of 5 blocks, got ${inputs.length}`);
      let y = inputs[4];
      blocks.forEach((block, i) => {
        const [, rows, cols] = y.shape;
        const up = convTranspose2x2(tf, y, block.transpose.filter as unknown as Tensor4D, block.transpose.bias as unknown as Tensor1D);
        const skip = tf.relu(applyBatchNorm(tf, block.skipNorm, applyConv(tf, block.skipConv, inputs[3 - i]), training, statistics));
        const fused = concatConv2d(tf, up, resizeBilinear(tf, skip, [2 * rows, 2 * cols], true), block.fuse.filter as unknown as Tensor4D, block.fuse.bias as unknown as Tensor1D);
        y = block.fuseNorm ? tf.relu(applyBatchNorm(tf, block.fuseNorm, fused, training, statistics)) : fused;
      });
      return resizeBilinear(tf, y, [height, width], false);
    },
    statisticsCount: 2 * norms.length,
    updateRunningStatistics: (statistics) => updateRunning(tf, norms, statistics),
    dispose: () => params.dispose(),
  };
}

/** The decoder of `kind`. */
export function createDecoder(tf: TensorFlow, kind: DecoderKind, shape: DecoderShape, random: Random): Decoder {
  return kind === 'linear' ? linearDecoder(tf, shape, random) : unetDecoder(tf, shape, random);
}
