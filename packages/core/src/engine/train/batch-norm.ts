import type { GradSaveFunc, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';

export interface BatchNormOptions {
  /** Weight of the current batch in the running statistics; 0.1 unless given (PyTorch's default). */
  momentum?: number;
  /** Added to the variance; 1e-5 unless given. */
  epsilon?: number;
}

/**
 * Batch normalisation over the last (channel) axis with PyTorch's BatchNorm2d semantics. In training mode it
 * normalises with the batch's mean and biased variance over every other axis, and moves the running statistics
 * `r ← (1 − momentum)·r + momentum·batch` with the unbiased variance; in evaluation mode it normalises with the
 * running statistics. `gamma` (1) and `beta` (0) train; the running statistics are non-trainable variables.
 */
export class BatchNorm {
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly runningMean: Variable;
  readonly runningVariance: Variable;
  private readonly momentum: number;
  private readonly epsilon: number;

  constructor(
    private readonly tf: TensorFlow,
    readonly channels: number,
    name: string,
    options: BatchNormOptions = {},
  ) {
    this.momentum = options.momentum ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-5;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new RadprobeError(`batch norm ${name}: momentum ${this.momentum} must lie in [0, 1]`);
    if (!(this.epsilon > 0)) throw new RadprobeError(`batch norm ${name}: epsilon ${this.epsilon} must be positive`);
    this.gamma = tf.variable(tf.ones([channels]), true, `${name}/gamma`);
    this.beta = tf.variable(tf.zeros([channels]), true, `${name}/beta`);
    this.runningMean = tf.variable(tf.zeros([channels]), false, `${name}/running_mean`);
    this.runningVariance = tf.variable(tf.ones([channels]), false, `${name}/running_variance`);
  }

  /** The variables an optimiser trains. */
  get trainableVariables(): Variable[] {
    return [this.gamma, this.beta];
  }

  /** Normalises `x` (channels last); in training mode also updates the running statistics. */
  apply(x: Tensor, training: boolean): Tensor {
    const { tf } = this;
    if (x.shape[x.rank - 1] !== this.channels) throw new RadprobeError(`batch norm: input of shape [${x.shape.join(', ')}] does not end in ${this.channels} channels`);
    if (!training) return tf.batchNorm(x, this.runningMean, this.runningVariance, this.beta, this.gamma, this.epsilon);
    const count = x.size / this.channels;
    if (count < 2) throw new RadprobeError(`batch norm: training needs more than one value per channel, got input of shape [${x.shape.join(', ')}]`);
    const { output, mean, variance } = batchNormTraining(tf, x, this.gamma, this.beta, this.epsilon);
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - this.momentum), tf.mul(mean, this.momentum)));
    this.runningVariance.assign(tf.add(tf.mul(this.runningVariance, 1 - this.momentum), tf.mul(variance, (this.momentum * count) / (count - 1))));
    return output;
  }

  dispose(): void {
    for (const variable of [this.gamma, this.beta, this.runningMean, this.runningVariance]) variable.dispose();
  }
}

/**
 * Batch normalisation of `x` (channels last) with its own batch statistics: `y = γ·x̂ + β`, `x̂ = (x − μ)/√(σ² + ε)`,
 * μ and the biased σ² over every axis but the last. The gradient is in closed form and counts the statistics'
 * dependence on x: `∂x = γ/(M√(σ²+ε)) · (M·dy − Σdy − x̂·Σ(dy·x̂))`, `∂γ = Σ dy·x̂`, `∂β = Σ dy` (sums over the M
 * values of a channel): one pass of elementwise work, where differentiating through tf.moments takes several.
 * Also returns μ and σ² (not differentiated) for running statistics.
 */
export function batchNormTraining(tf: TensorFlow, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): { output: Tensor; mean: Tensor; variance: Tensor } {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / x.shape[x.rank - 1];
  const { mean, variance } = tf.moments(x, axes);
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, scale, offset] = args as Tensor[];
    const save = args[3] as GradSaveFunc;
    const inverseDeviation = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(tf.sub(input, mean), inverseDeviation);
    save([normalized, inverseDeviation, scale]);
    return {
      value: tf.add(tf.mul(normalized, scale), offset),
      gradFunc: (dy: Tensor, [savedNormalized, savedInverse, savedScale]: Tensor[]) => {
        const dySum = tf.sum(dy, axes);
        const dyNormalizedSum = tf.sum(tf.mul(dy, savedNormalized), axes);
        const centred = tf.sub(tf.sub(tf.mul(dy, count), dySum), tf.mul(savedNormalized, dyNormalizedSum));
        return [tf.mul(centred, tf.div(tf.mul(savedScale, savedInverse), count)), dyNormalizedSum, dySum];
      },
    };
  });
  return { output: op(x, gamma, beta), mean, variance };
}
