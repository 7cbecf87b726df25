// kNN benchmark: 20,000 TRAIN × 5,000 TEST random features of dim 384, k up to 200, through the built
// @radprobe/protocol-knn, against a naive baseline (full similarity matrix in plain JS, then a full sort per
// query) measured in the same run. Also times the similarity block on the compute backend against a
// register-blocked plain-JS product (the evidence for engine/compute/backend.ts), and the bootstrap.
// Run `npm run build` first, then `node bench/knn.mjs [--baseline-queries N]`.
import { Random, aurocMetric, bootstrapInterval, computeBackend, topKSimilarities } from '@radprobe/core';
import { knnProtocol } from '@radprobe/protocol-knn';
import { measure, mib } from './measure.mjs';

const TRAIN = 20_000;
const TEST = 5_000;
const DIM = 384;
const CLASSES = 10;
const K = [10, 20, 100, 200];
const baselineArg = process.argv.indexOf('--baseline-queries');
const BASELINE_QUERIES = baselineArg > 0 ? Number(process.argv[baselineArg + 1]) : 1_000;


function randomRows(random, rows) {
  const data = new Float32Array(rows * DIM);
  for (let i = 0; i < data.length; i++) data[i] = random.normal();
  return data;
}

function unit(data) {
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length / DIM; r++) {
    let sum = 0;
    for (let t = 0; t < DIM; t++) sum += data[r * DIM + t] ** 2;
    const norm = Math.sqrt(sum);
    for (let t = 0; t < DIM; t++) out[r * DIM + t] = data[r * DIM + t] / norm;
  }
  return out;
}

/** C[i][j] = A_i · B_j with 4×4 register blocking: about the best plain JS does. */
function blockedProduct(a, aRows, b, bRows, dim, out) {
  for (let i = 0; i < aRows; i += 4) {
    const a0 = i * dim, a1 = a0 + dim, a2 = a1 + dim, a3 = a2 + dim;
    for (let j = 0; j < bRows; j += 4) {
      const b0 = j * dim, b1 = b0 + dim, b2 = b1 + dim, b3 = b2 + dim;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let t = 0; t < dim; t++) {
        const x0 = a[a0 + t], x1 = a[a1 + t], x2 = a[a2 + t], x3 = a[a3 + t];
        const y0 = b[b0 + t], y1 = b[b1 + t], y2 = b[b2 + t], y3 = b[b3 + t];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      let o = i * bRows + j;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += bRows;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += bRows;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += bRows;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
  }
}

/** One similarity block, [256, 384] × [384, 8192], on the backend and in plain JS: GFLOP/s of each (best of 3). */
async function compareBlock(tf, queries, keys) {
  const rows = 256, width = 8192, flops = 2 * rows * width * DIM;
  const keysT = new Float32Array(DIM * width);
  for (let j = 0; j < width; j++) for (let t = 0; t < DIM; t++) keysT[t * width + j] = keys[j * DIM + t];
  const a = tf.tensor2d(queries.subarray(0, rows * DIM), [rows, DIM]);
  const b = tf.tensor2d(keysT, [DIM, width]);
  let backend = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    backend = Math.min(backend, performance.now() - start);
  }
  a.dispose();
  b.dispose();
  const out = new Float32Array(rows * width);
  let js = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    blockedProduct(queries, rows, keys, width, DIM, out);
    js = Math.min(js, performance.now() - start);
  }
  return { backend: flops / backend / 1e6, js: flops / js / 1e6 };
}

function fakeContext(train, test, trainLabels, testLabels) {
  const items = [
    ...Array.from({ length: TRAIN }, (_, i) => ({ id: `train${i}`, split: 'train', label: trainLabels[i], source: `train${i}` })),
    ...Array.from({ length: TEST }, (_, i) => ({ id: `test${i}`, split: 'test', label: testLabels[i], source: `test${i}`, patient: `p${i >> 1}` })),
  ];
  const matrices = {
    train: { rows: TRAIN, dim: DIM, data: train, items: Array.from({ length: TRAIN }, (_, i) => i) },
    test: { rows: TEST, dim: DIM, data: test, items: Array.from({ length: TEST }, (_, i) => TRAIN + i) },
  };
  return {
    dataset: { name: 'random', task: 'multiclass', classes: Array.from({ length: CLASSES }, (_, c) => `c${c}`), items, notes: [] },
    backbone: { embedDim: DIM },
    features: { clsBlocks: 1, patchBlocks: 0, cls: async (split) => matrices[split] },
    seed: 0,
    bootstrap: { samples: 1000, confidence: 0.95 },
    progress: () => {},
    log: () => {},
    signal: new AbortController().signal,
  };
}

/** Full similarity matrix of the first `queries` TEST rows in plain JS, then a full sort of each row. */
function naiveTopK(test, train, queries, k) {
  const similarities = new Float32Array(queries * TRAIN);
  for (let q = 0; q < queries; q++) {
    for (let j = 0; j < TRAIN; j++) {
      let dot = 0;
      for (let t = 0; t < DIM; t++) dot += test[q * DIM + t] * train[j * DIM + t];
      similarities[q * TRAIN + j] = dot;
    }
  }
  const indices = new Int32Array(queries * k);
  const order = Array.from({ length: TRAIN }, (_, j) => j);
  for (let q = 0; q < queries; q++) {
    const row = similarities.subarray(q * TRAIN, (q + 1) * TRAIN);
    for (let j = 0; j < TRAIN; j++) order[j] = j;
    order.sort((a, b) => row[b] - row[a] || a - b);
    for (let i = 0; i < k; i++) indices[q * k + i] = order[i];
  }
  return indices;
}

const random = new Random(0);
const train = randomRows(random, TRAIN);
const test = randomRows(random, TEST);
const trainLabels = Int32Array.from({ length: TRAIN }, () => random.int(CLASSES));
const testLabels = Int32Array.from({ length: TEST }, () => random.int(CLASSES));
const { name, tf } = await computeBackend();
console.log(`kNN benchmark: ${TRAIN} TRAIN × ${TEST} TEST, dim ${DIM}, k ${K.join('/')}, compute backend ${name}, node ${process.version}`);

const block = await compareBlock(tf, unit(test), unit(train));
console.log(`similarity block [256×384]·[384×8192]: ${name} ${block.backend.toFixed(1)} GFLOP/s, blocked plain JS ${block.js.toFixed(1)} GFLOP/s`);

const search = await measure('topKSimilarities (k 200, unit rows)', () => topKSimilarities(unit(test), unit(train), DIM, 200));
const protocol = await measure('knn protocol (features → 4 rows of metrics with 1000-resample CIs)', () =>
  knnProtocol.run({ k: K }, fakeContext(train, test, trainLabels, testLabels)),
);
console.log(`  top1 per k: ${protocol.result.rows.map((row) => `${row.setting.k}: ${row.metrics.top1.value.toFixed(4)}`).join(', ')}`);

const trainUnit = unit(train);
const testUnit = unit(test);
const baseline = await measure(`naive baseline on ${BASELINE_QUERIES} queries (full similarity matrix + sort)`, async () =>
  naiveTopK(testUnit, trainUnit, BASELINE_QUERIES, 200),
);
// float32 (backend) and float64 (baseline) dot products may order near-equal neighbours differently.
const agree = baseline.result.filter((index, i) => index === search.result.indices[i]).length / baseline.result.length;
const scaled = (baseline.seconds * TEST) / BASELINE_QUERIES;
console.log(`  neighbour indices equal to topKSimilarities': ${(100 * agree).toFixed(3)} %`);
console.log(`  baseline scaled to ${TEST} queries: ${scaled.toFixed(1)} s; topKSimilarities is ${(scaled / search.seconds).toFixed(1)}× faster`);
console.log(`  full ${TEST}×${TRAIN} similarity matrix alone would take ${mib(TEST * TRAIN * 4)}`);

const AUROC_ITEMS = 25_000;
const scores = Float32Array.from({ length: AUROC_ITEMS }, () => random.next());
const positive = Uint8Array.from(scores, (s) => (random.next() < s ? 1 : 0));
const groups = { groups: Int32Array.from({ length: AUROC_ITEMS }, (_, i) => i), count: AUROC_ITEMS, unit: 'item' };
await measure(`bootstrap: 1000 resamples of AUROC on ${AUROC_ITEMS} items`, async () =>
  bootstrapInterval(aurocMetric(scores, positive), groups, { samples: 1000, confidence: 0.95, seed: 0 }),
);
console.log(`process maxRSS: ${mib(process.resourceUsage().maxRSS * 1024)}`);
