import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The `[inChannels, N·outH·outW]` matrix of the input pixels that filter tap `(i, j)` of a convolution reads, zero
 * where the tap falls in the padding, copied from the channels-first input `[inChannels, N, inH, inW]` straight
 * in the wasm heap. Why not tfjs-wasm's Slice/StridedSlice and PadV2: at stride 1 its slice first copies the whole
 * input out of the heap (readSync) to take a window of it, per tap; here each output row is one `copyWithin` of a
 * contiguous input row (or a strided gather at stride > 1), and the padding is written as zeros, never
 * materialised around the input.
 */
export function copyTapWindow(backend: BackendWasm, channelsFirst: TensorInfo, info: backend_util.Conv2DInfo, i: number, j: number): TensorInfo {
  const { batchSize, inChannels, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  const window = backend.makeOutput([inChannels, batchSize * outHeight * outWidth], 'float32');
  // The whole wasm heap, viewed after makeOutput: allocating may grow the memory, which detaches older views.
  const heap = new Float32Array(backend.typedArrayFromHeap(window).buffer);
  const source = backend.getMemoryOffset(channelsFirst.dataId) / Float32Array.BYTES_PER_ELEMENT;
  const target = backend.getMemoryOffset(window.dataId) / Float32Array.BYTES_PER_ELEMENT;
  // Output column x reads input column x·stride + shift; [first, end) are the columns that land inside the input.
  const shift = j - padInfo.left;
  const first = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
  const end = Math.max(first, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
  for (let plane = 0; plane < inChannels * batchSize; plane++) {
    for (let y = 0; y < outHeight; y++) {
      const row = target + (plane * outHeight + y) * outWidth;
      const inputRow = y * strideHeight + i - padInfo.top;
      if (inputRow < 0 || inputRow >= inHeight) {
        heap.fill(0, row, row + outWidth);
        continue;
      }
      heap.fill(0, row, row + first);
      heap.fill(0, row + end, row + outWidth);
      const from = source + (plane * inHeight + inputRow) * inWidth + shift;
      if (strideWidth === 1) heap.copyWithin(row + first, from + first, from + end);
      else for (let x = first; x < end; x++) heap[row + x] = heap[from + x * strideWidth];
    }
  }
  return window;
}
