import type { TensorFlow } from '../compute/backend.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { registerExplicitTransposes } from './batch-matmul-transposes.js';
import { registerFastBackpropInput } from './conv2d-backprop-input.js';
import { arithmeticGradients } from './gradients-arithmetic.js';
import { layerGradients } from './gradients-layers.js';
import { shapeGradients } from './gradients-shape.js';

/**
 * Kernels whose gradients `ensureGradients` guarantees. tfjs-core registers no gradients by itself (the
 * `@tensorflow/tfjs` union package does, and tfjs-node loads it), and its per-kernel gradient modules cannot be
 * imported under Node's ESM resolver (extensionless relative imports), so the project registers its own.
 */
export const DIFFERENTIABLE_KERNELS = [
  'BatchMatMul', 'Add', 'Sub', 'Multiply', 'RealDiv', 'SquaredDifference', 'Neg', 'Square', 'Sqrt', 'Exp', 'Log', 'Sigmoid', 'Erf', 'Sum', 'Mean',
  'Reshape', 'ExpandDims', 'Identity', 'Cast', 'Transpose', 'Slice', 'PadV2', 'Concat',
  'Conv2D', 'Conv2DBackpropInput', 'FusedBatchNorm', 'Relu', 'Softmax', 'ResizeBilinear',
] as const;

/** Kernels the project adds to the wasm backend, which tfjs-backend-wasm 4.22 lacks but gradients above call. */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter'] as const;

/**
 * Registers the gradients above for the kernels that have none yet (a tfjs that registered its own keeps them),
 * the wasm backend's missing gradient kernels, a faster wasm `Conv2DBackpropInput` for stride-1 convolutions, and
 * wasm matrix products that transpose their operands explicitly.
 */
export function ensureGradients(tf: TensorFlow): void {
  for (const config of [...arithmeticGradients(tf), ...shapeGradients(tf), ...layerGradients(tf)]) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel(tf) as never });
  }
  registerFastBackpropInput(tf);
  registerExplicitTransposes(tf);
}
