import type { TensorFlow } from '@radprobe/core';
import type { GradSaveFunc, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';

/**
 * `block(x)` with activation checkpointing: the forward keeps only `x`, and the backward runs `block` again on
 * it under its own tape to get the gradients with respect to `x` and `trainables`. `block` must compute the same
 * function each time it is called (it replays its own dropout masks). tfjs-core's customGrad runs its forward
 * with the tape off (inside a kernel scope) and frees the block's internals when it returns; variables read
 * inside it get no gradient from the outer tape, so the block's trainable tensors are inputs of the custom op.
 */
export function checkpointedBlock(tf: TensorFlow, block: (x: Tensor2D) => Tensor2D, x: Tensor2D, trainables: readonly Variable[]): Tensor2D {
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const input = args[0] as Tensor2D;
    const save = args[args.length - 1] as GradSaveFunc;
    save([input]);
    return {
      value: block(input),
      gradFunc: (dy: Tensor, [savedInput]: Tensor[]) => recomputedGradients(tf, block, savedInput as Tensor2D, trainables, dy as Tensor2D),
    };
  });
  return op(x, ...trainables) as Tensor2D;
}

/**
 * `[d/dx, d/dtrainables]` of `block` at `x` against `dy`, recomputed under a tape of its own. The gradient
 * function runs while the outer backward walks its tape; tfjs-core 4.22's engine.gradients replaces the
 * engine's active tape when it starts at depth 0 and drops it when it ends, which would lose the outer tape's
 * saved tensors, so the outer tape is put back afterwards (the backward walks its own filtered copy meanwhile).
 */
function recomputedGradients(tf: TensorFlow, block: (x: Tensor2D) => Tensor2D, x: Tensor2D, trainables: readonly Variable[], dy: Tensor2D): Tensor[] {
  const state = tf.engine().state;
  const outerTape = state.activeTape;
  try {
    return tf.grads((...inputs: Tensor[]) => block(inputs[0] as Tensor2D))([x, ...trainables], dy);
  } finally {
    state.activeTape = outerTape;
  }
}
