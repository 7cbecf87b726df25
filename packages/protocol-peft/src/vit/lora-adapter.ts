import type { ParameterTensor, Random, TensorFlow } from '@radprobe/core';
import type { Rank, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { transposedValues } from './transposed-values.js';
import { matMul2d } from './vit-layers.js';

/**
 * A low-rank update of one Linear layer: `y = x·Wᵀ + b + (alpha/rank)·dropout(x)·Aᵀ·Bᵀ`. A is `[rank, in]`, drawn
 * uniformly from ±1/√in (PEFT's kaiming_uniform_(a=√5) bound), B is `[out, rank]` zeros, so the adapted layer
 * starts equal to the frozen one. Held transposed (`[in, rank]`, `[rank, out]`) like the frozen weights.
 */
export class LoraAdapter {
  readonly down: Variable<Rank.R2>;
  readonly up: Variable<Rank.R2>;
  readonly scale: number;

  constructor(
    private readonly tf: TensorFlow,
    readonly layer: string,
    readonly inputs: number,
    readonly outputs: number,
    readonly rank: number,
    alpha: number,
    random: Random,
  ) {
    const bound = 1 / Math.sqrt(inputs);
    const down = Float32Array.from({ length: inputs * rank }, () => (2 * random.next() - 1) * bound);
    // tidy frees the initial values; the variables survive it.
    this.down = tf.tidy(() => tf.variable(tf.tensor2d(down, [inputs, rank]), true));
    this.up = tf.tidy(() => tf.variable(tf.zeros([rank, outputs]) as Tensor2D, true));
    this.scale = alpha / rank;
  }

  /** The update `(alpha/rank)·x·Aᵀ·Bᵀ` of rows `x` `[n, in]` (already dropped out when training). */
  delta(x: Tensor2D): Tensor2D {
    const { tf } = this;
    return matMul2d(tf, tf.mul(matMul2d(tf, x, this.down, true), this.scale), this.up, true);
  }

  /** `weight` (held `[in, out]`) plus the update `(alpha/rank)·(B·A)ᵀ`, i.e. W + (alpha/rank)·B·A in PyTorch's layout. */
  merged(weight: Tensor): Tensor2D {
    const { tf } = this;
    return tf.add(weight, tf.mul(tf.matMul(this.down, this.up), this.scale));
  }

  /** A and B under PEFT's state-dict names (`<layer>.lora_A.weight` `[rank, in]`, `<layer>.lora_B.weight` `[out, rank]`). */
  parameters(): Array<[string, ParameterTensor]> {
    return [
      [`${this.layer}.lora_A.weight`, { shape: [this.rank, this.inputs], values: transposedValues(this.down.dataSync() as Float32Array, this.inputs, this.rank) }],
      [`${this.layer}.lora_B.weight`, { shape: [this.outputs, this.rank], values: transposedValues(this.up.dataSync() as Float32Array, this.rank, this.outputs) }],
    ];
  }

  get size(): number {
    return this.rank * (this.inputs + this.outputs);
  }

  dispose(): void {
    this.down.dispose();
    this.up.dispose();
  }
}
