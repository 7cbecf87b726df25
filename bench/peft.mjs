// Fine-tuning / PEFT benchmark: images/s of training steps (forward, backward and SGD update of backbone and
// linear head, batch --batch, default 8, gradients accumulated over micro-batches: --micro, default the "auto"
// rule) of a ViT-S/14-sized DINOv2 (D 384, depth 12, 6 heads, MLP 1536, 224×224 input, random weights) rebuilt in
// tensorflow.js by @radprobe/protocol-peft, for full fine-tuning, LoRA (rank 48, dropout 0.1, qkv/fc1/fc2) and
// BitFit, through the protocol's own training loop (augmentation included), against the eval forward of the same
// network at the same batch, measured in the same run (the baseline of the ratios). Peak RSS is the process's so
// far after each phase. The training steps run without activation checkpointing (checkpointing: false, so auto
// micro-batches are the plain estimate's), then LoRA again with checkpointing: "auto" (on for ViT-S/14 at 224 on
// wasm, and the auto micro-batch sized by the checkpointed estimate), run first so that its peak RSS is not the
// plain runs'. --vit-b adds one timed LoRA step (after a warm-up) of a ViT-B/14-sized network (D 768, 12 blocks,
// 12 heads) at 224 with checkpointing, batch --vit-b-batch (default 2). On the compute backend (wasm unless
// tfjs-node is installed). Run `npm run build` first, then
// `node bench/peft.mjs [--steps 2] [--batch 8] [--micro 1] [--vit-b] [--vit-b-batch 2]`.
import { Random, describeTrainingBackend, trainingBackend } from '@radprobe/core';
import { PixelLoader, buildVit, resolvePeftOptions, trainNetwork } from '@radprobe/protocol-peft';
import { vitWeights } from './vit-weights.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const STEPS = arg('--steps', 2);
const BATCH = arg('--batch', 8);
const MICRO = arg('--micro', 'auto');
const VIT_B = process.argv.includes('--vit-b');
const VIT_B_BATCH = arg('--vit-b-batch', 2);
const SIDE = 224;

const random = new Random(0);
const weights = vitWeights(random, 384, 12, 6);

const tf = await trainingBackend();
const peakRss = () => `${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`;
console.log(`backend ${(await describeTrainingBackend()).description}; ViT-S/14-sized, ${SIDE}×${SIDE}, batch ${BATCH}, ${STEPS} timed steps after one warm-up`);
const images = Array.from({ length: BATCH }, () => Float32Array.from({ length: 3 * SIDE * SIDE }, () => random.normal()));

const frozen = buildVit(tf, weights, { mode: 'bitfit' }, 0);
const pixels = tf.tensor4d(Float32Array.from(images.flatMap((image) => Array.from(image))), [BATCH, 3, SIDE, SIDE]);
const forward = async () => {
  const cls = tf.tidy(() => frozen.forward(pixels, null).cls);
  await cls.data();
  cls.dispose();
};
await forward();
const evalStart = performance.now();
for (let s = 0; s < STEPS; s++) await forward();
const baseline = (STEPS * BATCH * 1000) / (performance.now() - evalStart);
frozen.dispose();
pixels.dispose();
console.log(`eval forward: ${baseline.toFixed(2)} images/s (baseline); peak RSS ${peakRss()}`);

// One batch per epoch: each epoch is one SGD step over the batch, and onEpoch marks the step's end.
const source = { size: { height: SIDE, width: SIDE }, pixels: async (index) => images[index].slice() };
const targets = { outputs: 1, multiclass: false, labels: Int32Array.from(images, (_, i) => i % 2), targets: Float32Array.from(images, (_, i) => i % 2) };
/** Images/s of `steps` timed SGD steps (after one warm-up) of batch `batch`, each step one epoch over the batch. */
async function trainingRate(networkWeights, mode, batch, steps, checkpointing) {
  const ends = [];
  const network = await trainNetwork({
    tf,
    weights: networkWeights,
    candidate: { mode, learningRate: 1e-5 },
    options: resolvePeftOptions({ epochs: steps + 1, batchSize: batch, microBatch: MICRO, checkpointing, learningRates: [1e-5] }),
    targets,
    loader: new PixelLoader(source),
    train: images.slice(0, batch).map((_, i) => i),
    seed: 0,
    onEpoch: () => ends.push(performance.now()),
  });
  const rate = (steps * batch * 1000) / (ends[steps] - ends[0]);
  const { trainable, total } = network.parameters;
  const line = `${rate.toFixed(3)} images/s per training step (micro-batch ${network.microBatch}, ${network.checkpointed ? 'checkpointed' : 'not checkpointed'}), ${(rate / baseline).toFixed(3)}× the ViT-S eval forward; trainable ${trainable} of ${total} (${((100 * trainable) / total).toFixed(2)} %)`;
  network.dispose();
  return line;
}
console.log(`lora, checkpointing auto: ${await trainingRate(weights, 'lora', BATCH, STEPS, 'auto')}; peak RSS ${peakRss()}`);
for (const mode of ['full', 'lora', 'bitfit']) console.log(`${mode}, checkpointing off: ${await trainingRate(weights, mode, BATCH, STEPS, false)}; peak RSS ${peakRss()}`);
if (VIT_B) {
  const vitB = vitWeights(random, 768, 12, 12);
  console.log(`ViT-B/14-sized lora, checkpointing auto, batch ${VIT_B_BATCH}, 1 timed step: ${await trainingRate(vitB, 'lora', VIT_B_BATCH, 1, 'auto')}; peak RSS ${peakRss()}`);
}
