import { Random, type TensorFlow } from '@radprobe/core';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';

/** The linear head on the backbone: `Linear(dim → outputs)`, reading the CLS token (and the mean patch token). */
export interface LinearHead {
  readonly variables: Variable[];
  /** Weights plus biases. */
  readonly parameterCount: number;
  logits(cls: Tensor2D, patchMean: Tensor2D): Tensor2D;
  dispose(): void;
}

/** Weights start as N(0, 0.01²), biases at 0 (the study's linear heads). */
const INIT_STD = 0.01;
/** Keeps the head's initialisation stream apart from the other streams seeded with the same seed. */
const INIT_STREAM = 0x5bd1e995;

export function createLinearHead(tf: TensorFlow, embedDim: number, avgpool: boolean, outputs: number, seed: number): LinearHead {
  const inputs = (avgpool ? 2 : 1) * embedDim;
  const random = new Random(seed ^ INIT_STREAM);
  const initial = Float32Array.from({ length: inputs * outputs }, () => INIT_STD * random.normal());
  // tidy frees the initial tensors; the variables survive it.
  const [weights, bias] = tf.tidy(() => [tf.variable(tf.tensor2d(initial, [inputs, outputs]), true), tf.variable(tf.zeros([outputs]), true)]);
  return {
    variables: [weights, bias],
    parameterCount: inputs * outputs + outputs,
    logits(cls, patchMean) {
      const input = avgpool ? tf.concat([cls, patchMean], 1) : cls;
      return tf.add(tf.matMul(input, weights), bias);
    },
    dispose() {
      weights.dispose();
      bias.dispose();
    },
  };
}
