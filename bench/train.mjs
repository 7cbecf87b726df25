// Training against PyTorch: the four workloads of issue 18, each timed in radprobe (on 1 and on 2 data-parallel
// worker threads) and in PyTorch (bench/reference/*.py, on 1 and on 2 threads), in
// the same run and interleaved round by round, with the load average before and after each workload:
//   unet    one SGD step of the U-Net decoder (5 blocks of grid×grid×D tokens, 3 classes, Dice + CE, micro-batches)
//   linear  one epoch of the 16-head linear grid (4 input settings × 4 learning rates, 15 labels, batch 128)
//   lora    one SGD step of a ViT (LoRA rank 48 on qkv/fc1/fc2, head) at --side, batch --vit-batch
//   full    one SGD step of the same ViT, every parameter training
// radprobe's times are of steady steps: the first epoch (worker start-up, warm-up) is left out. Each round also
// times two 1-worker trainings at once in two warmed-up processes: how much they slow each other bounds what any
// 2-thread scheme can gain on this machine (2 × alone ÷ together, "concurrency ceiling"). The PyTorch
// reference runs only when a python3 with torch is found (PYTHON, else python3, else /usr/bin/python3); without one
// the benchmark says so and prints radprobe's times alone. The sizes default to a small setting that finishes in a
// few minutes on an idle 2-core machine; the flags scale them up. The ViT batch defaults to 8: at 2, each of two
// threads gets one image, whose step is bound by reading the weights rather than by arithmetic, so a second
// thread gains little there. Run `npm run build` first, then
// `node bench/train.mjs [--rounds 1] [--grid 8] [--side 112] [--batch 8] [--micro 2] [--samples 2000] [--dim 384]
// [--depth 12] [--vit-batch 8] [--workloads unet,linear,lora,full]`.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random, describeTrainingBackend, trainingBackend } from '@radprobe/core';
import { buildSamples, trainHeadGrid } from '@radprobe/protocol-linear';
import { PixelLoader, resolvePeftOptions, trainNetwork } from '@radprobe/protocol-peft';
import { trainDecoders } from '@radprobe/protocol-seg';
import { tokenContext } from './token-context.mjs';
import { vitWeights } from './vit-weights.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROUNDS = Number(arg('--rounds', 1));
const GRID = Number(arg('--grid', 8));
const SIDE = Number(arg('--side', 112));
const BATCH = Number(arg('--batch', 8));
const MICRO = Number(arg('--micro', 2));
const SAMPLES = Number(arg('--samples', 2000));
const DIM = Number(arg('--dim', 384));
const DEPTH = Number(arg('--depth', 12));
const VIT_BATCH = Number(arg('--vit-batch', 8));
const WORKLOADS = arg('--workloads', 'unet,linear,lora,full').split(',');
const LABELS = 15;
const CLASSES = 3;
const REFERENCE = join(dirname(fileURLToPath(import.meta.url)), 'reference');

/** The first python3 that imports torch, or null. */
function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // Not there, or without torch: try the next.
    }
  }
  return null;
}

/** Seconds per step of a reference script on `threads` threads. */
function reference(python, script, threads, args) {
  const out = execFileSync(python, [join(REFERENCE, script), String(threads), ...args.map(String)], { cwd: REFERENCE, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return JSON.parse(out.trim().split('\n').pop()).seconds;
}

/** Seconds of the epochs after the first, divided by `stepsPerEpoch` × their count: steady steps only. */
function steadyStepSeconds(ends, stepsPerEpoch) {
  return (ends[ends.length - 1] - ends[0]) / 1000 / ((ends.length - 1) * stepsPerEpoch);
}

const tf = await trainingBackend();
const random = new Random(0);

async function unetStep(workers) {
  const pool = Float32Array.from({ length: GRID * GRID * DIM + 4096 }, () => random.normal());
  const items = Array.from({ length: 2 * BATCH }, (_, i) => i);
  const masks = new Map(items.map((i) => [i, Uint8Array.from({ length: SIDE * SIDE }, (_, p) => (p + i) % CLASSES)]));
  const ends = [];
  const trained = await trainDecoders({
    context: tokenContext(items, { grid: GRID, dim: DIM, blocks: 5, classes: CLASSES, pool }),
    kind: 'unet',
    shape: { embedDim: DIM, classes: CLASSES, grid: { rows: GRID, cols: GRID }, output: { height: SIDE, width: SIDE } },
    masks: { height: SIDE, width: SIDE, masks },
    train: items,
    learningRates: [1e-2],
    loss: 'dice+ce',
    epochs: 2,
    batchSize: BATCH,
    microBatchSize: MICRO,
    seed: 0,
    workers,
    onEpoch: () => ends.push(performance.now()),
  });
  trained.dispose();
  return steadyStepSeconds(ends, 2);
}

async function linearEpoch(workers) {
  const width = 5 * DIM;
  const data = Float32Array.from({ length: SAMPLES * width }, () => random.normal());
  const items = Array.from({ length: SAMPLES }, (_, i) => ({ id: `${i}`, split: 'train', source: `${i}`, labels: Array.from({ length: LABELS }, () => (random.next() < 0.1 ? 1 : 0)) }));
  const dataset = { name: 'bench', task: 'multilabel', classes: Array.from({ length: LABELS }, (_, c) => `c${c}`), items, notes: [] };
  const table = { rows: SAMPLES, width, embedDim: DIM, clsBlocks: 4, withPatchMean: true, data, items: items.map((_, i) => i) };
  const samples = buildSamples(table, dataset, () => 'train');
  const heads = [1, 4].flatMap((blocks) => [false, true].flatMap((avgpool) => [1e-3, 5e-3, 1e-2, 5e-2].map((learningRate) => ({ setting: { blocks, avgpool }, learningRate }))));
  const ends = [];
  const grid = await trainHeadGrid({ samples, table, train: items.map((_, i) => i), heads, multiclass: false, epochs: 2, batchSize: 128, seed: 0, workers, onEpoch: () => ends.push(performance.now()) });
  grid.dispose();
  return steadyStepSeconds(ends, 1);
}

const weights = vitWeights(random, DIM, DEPTH, DIM / 64, SIDE / 14);
const images = Array.from({ length: VIT_BATCH }, () => Float32Array.from({ length: 3 * SIDE * SIDE }, () => random.normal()));
async function vitStep(mode, workers) {
  const ends = [];
  const network = await trainNetwork({
    tf,
    weights,
    candidate: { mode, learningRate: 1e-5 },
    options: resolvePeftOptions({ epochs: 2, batchSize: VIT_BATCH, microBatch: VIT_BATCH, checkpointing: false, learningRates: [1e-5], augmentation: { randomResizedCrop: false, horizontalFlip: false } }),
    targets: { outputs: 1, multiclass: false, labels: Int32Array.from(images, (_, i) => i % 2), targets: Float32Array.from(images, (_, i) => i % 2) },
    loader: new PixelLoader({ size: { height: SIDE, width: SIDE }, pixels: async (index) => images[index].slice() }),
    train: images.map((_, i) => i),
    seed: 0,
    workers,
    onEpoch: () => ends.push(performance.now()),
  });
  network.dispose();
  return steadyStepSeconds(ends, 1);
}

const workloads = {
  unet: { what: `U-Net step (tokens ${GRID}²×${DIM} × 5 blocks, output ${SIDE}², batch ${BATCH} in micro-batches of ${MICRO})`, radprobe: unetStep, script: 'unet_step.py', args: [1, GRID, DIM, SIDE, BATCH, MICRO] },
  linear: { what: `16-head linear grid epoch (${SAMPLES} samples, input up to ${5 * DIM} wide, ${LABELS} labels, batch 128)`, radprobe: linearEpoch, script: 'linear_grid_epoch.py', args: [1, SAMPLES, DIM, LABELS] },
  lora: { what: `LoRA step (ViT D ${DIM}, depth ${DEPTH}, ${SIDE}², batch ${VIT_BATCH})`, radprobe: (workers) => vitStep('lora', workers), script: 'vit_step.py', args: [1, 'lora', DIM, DEPTH, DIM / 64, SIDE, VIT_BATCH, VIT_BATCH] },
  full: { what: `full fine-tuning step (ViT D ${DIM}, depth ${DEPTH}, ${SIDE}², batch ${VIT_BATCH})`, radprobe: (workers) => vitStep('full', workers), script: 'vit_step.py', args: [1, 'full', DIM, DEPTH, DIM / 64, SIDE, VIT_BATCH, VIT_BATCH] },
};

/**
 * `--solo NAME`: this process is one of the two concurrent 1-worker runs. It trains once to warm up (start-up and
 * the first touch of its memory would otherwise overlap the other's timed steps), says `ready`, waits for `go` on
 * stdin, then prints the step time of a second training.
 */
const solo = arg('--solo', null);
if (solo) {
  await workloads[solo].radprobe(1);
  console.log('ready');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  console.log(JSON.stringify({ seconds: await workloads[solo].radprobe(1) }));
  process.exit(0);
}

/** Mean step time of two 1-worker runs of `name` timed together in two processes with this run's flags. */
async function together(name) {
  const flags = process.argv.slice(2).filter((_, i, all) => all[i] !== '--workloads' && all[i - 1] !== '--workloads');
  const runs = [0, 1].map(() => spawn(process.execPath, [fileURLToPath(import.meta.url), ...flags, '--solo', name], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = runs.map((run) => createInterface({ input: run.stdout })[Symbol.asyncIterator]());
  const next = async (line) => {
    const { value, done } = await line.next();
    if (done) throw new Error(`a concurrent ${name} run ended early`);
    return value;
  };
  await Promise.all(lines.map(async (line) => expectReady(await next(line))));
  for (const run of runs) run.stdin.end('go\n');
  const seconds = await Promise.all(lines.map(async (line) => JSON.parse(await next(line)).seconds));
  return (seconds[0] + seconds[1]) / 2;
}

function expectReady(line) {
  if (line !== 'ready') throw new Error(`expected 'ready' from a concurrent run, got '${line}'`);
}

const python = findPython();
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
console.log(`radprobe on ${(await describeTrainingBackend()).description}; ${ROUNDS} round(s), interleaved`);
console.log(python ? `PyTorch reference: ${python} (${execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim()})` : 'PyTorch reference skipped: no python3 with torch found (set PYTHON to one)');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const format = (seconds) => (seconds === undefined ? '—' : `${seconds.toFixed(3)} s`);
for (const name of WORKLOADS) {
  const workload = workloads[name];
  if (!workload) throw new Error(`unknown workload ${name} (unet, linear, lora, full)`);
  const before = load();
  const times = { r1: [], r2: [], t1: [], t2: [], c: [] };
  for (let round = 0; round < ROUNDS; round++) {
    times.r1.push(await workload.radprobe(1));
    if (python) times.t1.push(reference(python, workload.script, 1, workload.args));
    times.r2.push(await workload.radprobe(2));
    times.c.push(await together(name));
    if (python) times.t2.push(reference(python, workload.script, 2, workload.args));
  }
  const [r1, r2, t1, t2, c] = ['r1', 'r2', 't1', 't2', 'c'].map((key) => (times[key].length ? median(times[key]) : undefined));
  console.log(`\n${name}: ${workload.what}; load average ${before} → ${load()}`);
  console.log(`  radprobe 1 worker ${format(r1)}, 2 workers ${format(r2)} (${(r1 / r2).toFixed(2)}× faster)`);
  console.log(`  two 1-worker runs at once: ${format(c)} each; concurrency ceiling ${((2 * r1) / c).toFixed(2)}×`);
  if (python) {
    console.log(`  PyTorch 1 thread ${format(t1)}, 2 threads ${format(t2)}`);
    console.log(`  radprobe ÷ PyTorch: 1 worker vs 1 thread ${(r1 / t1).toFixed(2)}×; 2 workers vs 2 threads ${(r2 / t2).toFixed(2)}×`);
  }
}
