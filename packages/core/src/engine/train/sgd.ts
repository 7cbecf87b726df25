import type { NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';

/** Variables that train at one learning rate. */
export interface ParameterGroup {
  variables: Variable[];
  /**
   * Base learning rate, or one per column (last axis) of every variable of the group: heads that share one
   * weight matrix, each a block of columns, then train at their own rates.
   */
  learningRate: number | Float32Array;
}

/**
 * SGD with momentum in PyTorch's form (dampening 0, no Nesterov, no weight decay): `v ← μ·v + g`, `w ← w − lr·v`,
 * with `v` starting at 0, so the first step is `w ← w − lr·g`.
 */
export class SgdMomentum {
  private readonly velocities: Variable[][];
  private readonly rates: Tensor[];

  constructor(
    private readonly tf: TensorFlow,
    private readonly groups: readonly ParameterGroup[],
    private readonly momentum: number,
  ) {
    if (!(momentum >= 0 && momentum < 1)) throw new RadprobeError(`SGD momentum ${momentum} must lie in [0, 1)`);
    this.rates = groups.map(({ variables, learningRate }) => {
      if (typeof learningRate === 'number') return tf.scalar(learningRate);
      for (const variable of variables) {
        if (variable.shape[variable.rank - 1] !== learningRate.length) {
          throw new RadprobeError(`SGD: ${learningRate.length} per-column learning rates for variable ${variable.name} of shape [${variable.shape.join(', ')}]`);
        }
      }
      return tf.tensor1d(learningRate);
    });
    // tidy frees the zero tensors that initialise the velocities; variables survive it.
    this.velocities = tf.tidy(() => groups.map(({ variables }) => variables.map((variable) => tf.variable(tf.zerosLike(variable), false))));
  }

  /** Every variable trained by this optimiser, for tf.variableGrads. */
  get variables(): Variable[] {
    return this.groups.flatMap((group) => group.variables);
  }

  /** One update with the gradients (keyed by variable name) at `factor` × the groups' base learning rates. */
  step(gradients: NamedTensorMap, factor: number): void {
    const { tf } = this;
    tf.tidy(() => {
      const scale = tf.scalar(factor);
      this.groups.forEach(({ variables }, g) => {
        const rate = tf.mul(this.rates[g], scale);
        variables.forEach((variable, v) => {
          const gradient = gradients[variable.name];
          if (!gradient) throw new RadprobeError(`SGD: no gradient for variable ${variable.name} (does the loss depend on it?)`);
          const velocity = this.velocities[g][v];
          velocity.assign(tf.add(tf.mul(velocity, this.momentum), gradient));
          variable.assign(tf.sub(variable, tf.mul(rate, velocity)));
        });
      });
    });
  }

  dispose(): void {
    for (const velocity of this.velocities.flat()) velocity.dispose();
    for (const rate of this.rates) rate.dispose();
  }
}
