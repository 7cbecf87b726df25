import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

/** Gradients of kernels that move values without changing them: each routes `dy` back to where the values came from. */
export function shapeGradients(tf: TensorFlow): GradConfig[] {
  return [
    { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as Tensor, x.shape) }) },
    { kernelName: 'ExpandDims', inputsToSave: ['input'], gradFunc: (dy, [input]) => ({ input: () => tf.reshape(dy as Tensor, input.shape) }) },
    { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => tf.cast(dy as Tensor, 'float32') }) },
    { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(dy as Tensor) }) },
    {
      kernelName: 'Transpose',
      gradFunc: (dy, _, attrs) => {
        const { perm } = attrs as unknown as { perm: number[] };
        const inverse = new Array<number>(perm.length);
        perm.forEach((source, target) => (inverse[source] = target));
        return { x: () => tf.transpose(dy as Tensor, inverse) };
      },
    },
    {
      kernelName: 'Slice',
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => {
        const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
        const [begins, sizes] = tf.slice_util.parseSliceParams(x, begin, size);
        // The slice's gradient is dy in place and zeros around it.
        const paddings = x.shape.map((extent, i) => [begins[i], extent - begins[i] - sizes[i]] as [number, number]);
        return { x: () => tf.pad(dy as Tensor, paddings) };
      },
    },
    {
      kernelName: 'PadV2',
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => {
        const { paddings } = attrs as unknown as { paddings: Array<[number, number]> };
        return { x: () => tf.slice(dy as Tensor, paddings.map(([before]) => before), x.shape) };
      },
    },
    {
      kernelName: 'Concat',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => {
        const { axis } = attrs as unknown as { axis: number };
        const [concatAxis] = tf.util.parseAxisParam(axis, saved[0].shape);
        const parts = tf.split(dy as Tensor, saved.map((input) => input.shape[concatAxis]), concatAxis);
        // Concat's inputs are named by position ('0', '1', …).
        return Object.fromEntries(parts.map((part, i) => [String(i), () => part]));
      },
    },
  ];
}
