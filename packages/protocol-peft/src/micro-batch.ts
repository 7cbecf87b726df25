import type { VitArchitecture } from '@radprobe/core';

/**
 * Peak bytes that one image adds to a training step without checkpointing, per token, per block:
 * `BYTES_PER_TOKEN_PER_DIM · D + BYTES_PER_TOKEN_PER_HEAD_KEY · heads · tokens`. tfjs keeps every activation the backward needs and every
 * intermediate gradient until the backward ends, so a step peaks near three times the activations alone.
 * Measured with tf.profile's peakBytes on tfjs-wasm 4.22 (batch 3 minus batch 1, two blocks, LoRA rank 48 with
 * dropout, the mode that keeps most): 477 kB per token per block at D 384, 6 heads, 257 tokens; 454 kB at 65
 * tokens; the two give 1161 B·D + 20.1 B·heads·tokens, rounded up to 1200 and 24. Full fine-tuning keeps
 * less (408 kB at D 384, 257 tokens).
 */
const BYTES_PER_TOKEN_PER_DIM = 1200;
const BYTES_PER_TOKEN_PER_HEAD_KEY = 24;

/**
 * What one micro-batch may add to a step. tfjs-wasm's heap is 4 GiB in all and holds the weights, their
 * gradients and velocities and the allocator's fragmentation too (a ViT-S/14 step at 224 aborted at 8 images,
 * ran at 2 with 2.4 GiB peak RSS), so its share is kept well under half. The native TensorFlow backends allocate
 * from host (or GPU) memory and get more.
 */
export const ACTIVATION_BUDGET_BYTES: Readonly<Record<'wasm' | 'native', number>> = { wasm: 1.5 * 2 ** 30, native: 6 * 2 ** 30 };

/** Tokens of one `height × width` input: CLS, registers and the patches. */
export function tokensOf(architecture: VitArchitecture, height: number, width: number): number {
  return 1 + architecture.registerTokens + (height / architecture.patchSize) * (width / architecture.patchSize);
}

/**
 * Per token, per block, what a checkpointed step keeps of one image until its backward ends: the block's input
 * (4 B per channel) and the gradient with respect to it (4 B, tfjs keeps every intermediate gradient). Measured
 * with tf.profile as above: 3072 B per token from 2 to 4 blocks at D 384, exactly 8 B·D.
 */
const CHECKPOINT_BYTES_PER_TOKEN_PER_DIM_PER_BLOCK = 8;
/**
 * Per token, the rest of a checkpointed step's peak per image: one block's recomputed internals and their
 * gradients, plus the embedding, final norm and head. Measured as above (LoRA rank 48 with dropout, D 384, 6
 * heads, 2 and 4 blocks, less the kept inputs and gradients): 505 kB per token at 257 tokens, 482 kB at 65,
 * i.e. 1235 B·D + 20.1 B·heads·tokens, rounded up to 1300 and 24.
 */
const RECOMPUTE_BYTES_PER_TOKEN_PER_DIM = 1300;

/**
 * Estimated peak bytes one image adds to a training step of `architecture` at `height × width`, with every block
 * checkpointed or none.
 */
export function activationBytesPerImage(architecture: VitArchitecture, height: number, width: number, checkpointed: boolean): number {
  const tokens = tokensOf(architecture, height, width);
  const { depth, embedDim: d, heads } = architecture;
  const attention = BYTES_PER_TOKEN_PER_HEAD_KEY * heads * tokens;
  if (!checkpointed) return depth * tokens * (BYTES_PER_TOKEN_PER_DIM * d + attention);
  return tokens * (CHECKPOINT_BYTES_PER_TOKEN_PER_DIM_PER_BLOCK * depth * d + RECOMPUTE_BYTES_PER_TOKEN_PER_DIM * d + attention);
}

/**
 * The micro-batch of `microBatch: "auto"`: as many images as the budget holds by the estimate, at least one (a
 * single image over the budget still runs: nothing smaller exists), at most the batch.
 */
export function autoMicroBatch(architecture: VitArchitecture, height: number, width: number, budgetBytes: number, batchSize: number, checkpointed: boolean): number {
  const fits = Math.floor(budgetBytes / activationBytesPerImage(architecture, height, width, checkpointed));
  return Math.max(1, Math.min(batchSize, fits));
}

/**
 * The rule of `checkpointing: "auto"`: on when, without it, the budget would not hold the images a pass wants:
 * the given micro-batch (capped at the batch), or under `microBatch: "auto"` two images (one when the batch is a
 * single image), i.e. when the auto micro-batch would be 1 where the batch has more or the one image does not fit.
 * Checkpointing costs one more forward per step; it is worth it only where memory, not compute, limits the pass.
 */
export function autoCheckpointing(microBatch: number | 'auto', architecture: VitArchitecture, height: number, width: number, budgetBytes: number, batchSize: number): boolean {
  const images = microBatch === 'auto' ? Math.min(2, batchSize) : Math.min(microBatch, batchSize);
  return images * activationBytesPerImage(architecture, height, width, false) > budgetBytes;
}

/** How a training run holds its activations: images per forward/backward pass, and whether blocks are checkpointed. */
export interface MemoryPlan {
  microBatch: number;
  checkpointed: boolean;
}

/** The options' micro-batch and checkpointing for a run on `backend`, "auto" resolved against that backend's budget. */
export function memoryPlanOf(
  microBatch: number | 'auto',
  checkpointing: boolean | 'auto',
  architecture: VitArchitecture,
  height: number,
  width: number,
  backend: string,
  batchSize: number,
): MemoryPlan {
  const budget = ACTIVATION_BUDGET_BYTES[backend === 'wasm' ? 'wasm' : 'native'];
  const checkpointed = checkpointing === 'auto' ? autoCheckpointing(microBatch, architecture, height, width, budget, batchSize) : checkpointing;
  return {
    microBatch: microBatch === 'auto' ? autoMicroBatch(architecture, height, width, budget, batchSize, checkpointed) : Math.min(microBatch, batchSize),
    checkpointed,
  };
}
