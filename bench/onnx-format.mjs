// Decoding a large ONNX file: @radprobe/onnx-format (protobufjs over ONNX's onnx.proto, then radprobe's plain
// objects and typed arrays) against protobufjs's decode alone (the baseline: what the conversion costs on top) and
// against onnx-buf's generated codec (@bufbuild/protobuf, the same onnx.proto), in the same run. Run 1 in
// docs/benchmarks.md compared the hand-written codec that onnx-format had before (this script at commit 89d1331).
// The model is shaped like DINOv2 ViT-L/14 (304 M float parameters, 1.2 GB of raw_data initializers, ~1,900 nodes
// with attributes and int64 Constant tensors), written once as one file and once with its initializers in an
// external-data file, as exporters write models over protobuf's 2 GB limit. Every decode runs in a fresh child
// process, so peak RSS is the decoder's own; candidates alternate within each round, in a rotated order, and the
// median of each is reported with its ratio to protobufjs's decode.
//
//   npm run build && node bench/onnx-format.mjs [--rounds 3] [--blocks 24]
import { execFile } from 'node:child_process';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const here = fileURLToPath(import.meta.url);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The codecs under test. Each returns a loader: `decode(bytes)` and a summary of what the decoded model holds. */
const CODECS = {
  /** The file read into memory and nothing decoded: the floor every decoder's memory and time stand on. */
  'read only': async () => ({ decode: () => null, summary: () => null }),
  '@radprobe/onnx-format decodeModel': async () => {
    const { decodeModel } = await import('@radprobe/onnx-format');
    return {
      decode: (bytes) => decodeModel(bytes),
      summary: (model, bytes) => tensorSummary(model.graph.initializer, (tensor) => tensor.rawData, (tensor) => tensor.externalData ?? [], bytes),
    };
  },
  'protobufjs 8 decode alone': async () => {
    const { ModelProto } = await protobufjsOnnx();
    return {
      decode: (bytes) => ModelProto.decode(bytes),
      summary: (model, bytes) => tensorSummary(model.graph.initializer, (tensor) => tensor.rawData, (tensor) => tensor.externalData ?? [], bytes),
    };
  },
  'onnx-buf (@bufbuild/protobuf)': async () => {
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { ModelProtoSchema } = await import('onnx-buf');
    return {
      decode: (bytes) => fromBinary(ModelProtoSchema, bytes),
      summary: (model, bytes) => tensorSummary(model.graph.initializer, (tensor) => tensor.rawData, (tensor) => tensor.externalData ?? [], bytes),
    };
  },
};

/**
 * protobufjs with ONNX's schema: onnx-buf embeds onnx.proto (ONNX 1.20) as a FileDescriptorProto, which
 * protobufjs's descriptor extension turns into its reflection types, the same types `pbjs` makes from the .proto text.
 */
async function protobufjsOnnx() {
  const { toBinary } = await import('@bufbuild/protobuf');
  const { FileDescriptorProtoSchema } = await import('@bufbuild/protobuf/wkt');
  const { file_onnx } = await import('onnx-buf');
  const protobuf = (await import('protobufjs')).default;
  const descriptor = (await import('protobufjs/ext/descriptor/index.js')).default;
  const fileBytes = toBinary(FileDescriptorProtoSchema, file_onnx.proto);
  const set = descriptor.FileDescriptorSet.decode(new Uint8Array([0x0a, ...varint(fileBytes.length), ...fileBytes]));
  const root = protobuf.Root.fromDescriptor(set);
  return { ModelProto: root.lookupType('onnx.ModelProto') };
}

function varint(value) {
  const out = [];
  for (let rest = value; ; rest = Math.floor(rest / 128)) {
    if (rest < 128) return [...out, rest];
    out.push((rest % 128) | 128);
  }
}

/** Initializer count, raw bytes held, how many of them are views into the file's buffer, external entries. */
function tensorSummary(tensors, rawData, externalData, bytes) {
  let rawBytes = 0;
  let views = 0;
  let external = 0;
  for (const tensor of tensors) {
    const raw = rawData(tensor);
    if (raw?.length) {
      rawBytes += raw.length;
      if (raw.buffer === bytes.buffer) views++;
    }
    if (externalData(tensor).length > 0) external++;
  }
  return { initializers: tensors.length, rawBytes, views, external };
}

/** The child: import the codec, read the file, decode it, and report times and memory with the model still held. */
async function child(codecName, file) {
  const importStart = performance.now();
  const codec = await CODECS[codecName]();
  const importMs = performance.now() - importStart;
  const readStart = performance.now();
  const bytes = await readFile(file);
  const readMs = performance.now() - readStart;
  const decodeStart = performance.now();
  const model = codec.decode(bytes);
  const decodeMs = performance.now() - decodeStart;
  const memory = process.memoryUsage();
  const summary = model && codec.summary(model, bytes);
  process.stdout.write(JSON.stringify({ importMs, readMs, decodeMs, maxRss: await peakRss(), heapUsed: memory.heapUsed, arrayBuffers: memory.arrayBuffers, summary }));
}

/**
 * This process's peak RSS: Linux's VmHWM, which starts afresh at exec. `process.resourceUsage().maxRSS` does not:
 * it keeps the high-water mark of the parent forked before the exec, which hides a small decoder's peak.
 */
async function peakRss() {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) * 1024;
}

/** A ViT-L/14-shaped DINOv2 graph (24 blocks of D = 1024, MLP 4096), its weights as raw_data, or external. */
async function writeModel(dir, blocks, externalData) {
  const { encodeModel, float32Tensor, int64Tensor, intAttribute, intsAttribute, floatAttribute, tensorAttribute, tensorValueInfo, TensorDataType } = await import('@radprobe/onnx-format');
  const d = 1024;
  const hidden = 4096;
  const shapes = { 'patch_embed.proj.weight': [d, 3, 14, 14], 'patch_embed.proj.bias': [d], cls_token: [1, 1, d], pos_embed: [1, 1370, d] };
  for (let block = 0; block < blocks; block++) {
    const prefix = `blocks.${block}`;
    Object.assign(shapes, {
      [`${prefix}.norm1.weight`]: [d], [`${prefix}.norm1.bias`]: [d],
      [`${prefix}.attn.qkv.weight`]: [3 * d, d], [`${prefix}.attn.qkv.bias`]: [3 * d],
      [`${prefix}.attn.proj.weight`]: [d, d], [`${prefix}.attn.proj.bias`]: [d], [`${prefix}.ls1.gamma`]: [d],
      [`${prefix}.norm2.weight`]: [d], [`${prefix}.norm2.bias`]: [d],
      [`${prefix}.mlp.fc1.weight`]: [hidden, d], [`${prefix}.mlp.fc1.bias`]: [hidden],
      [`${prefix}.mlp.fc2.weight`]: [d, hidden], [`${prefix}.mlp.fc2.bias`]: [d], [`${prefix}.ls2.gamma`]: [d],
    });
  }
  const initializer = [];
  const dataFile = 'model.onnx.data';
  let dataOffset = 0;
  const handle = externalData ? await open(join(dir, dataFile), 'w') : undefined;
  for (const [name, dims] of Object.entries(shapes)) {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let index = 0; index < values.length; index++) values[index] = ((index * 2654435761) % 1000) / 1000 - 0.5;
    const tensor = float32Tensor(name, dims, values);
    if (!handle) {
      initializer.push(tensor);
      continue;
    }
    // Aligned as onnx's own writer aligns external data.
    dataOffset = Math.ceil(dataOffset / 4096) * 4096;
    await handle.write(tensor.rawData, 0, tensor.rawData.length, dataOffset);
    initializer.push({ name, dataType: TensorDataType.FLOAT, dims, dataLocation: 1, externalData: [{ key: 'location', value: dataFile }, { key: 'offset', value: String(dataOffset) }, { key: 'length', value: String(tensor.rawData.length) }] });
    dataOffset += tensor.rawData.length;
  }
  await handle?.close();
  // ~80 nodes a block, as torch.onnx.export writes them: shape arithmetic with int64 Constant tensors and attributes.
  const node = [];
  let previous = 'pixel_values';
  for (let block = 0; block < blocks; block++) {
    for (let step = 0; step < 80; step++) {
      const output = `/blocks.${block}/op_${step}`;
      const kind = step % 4;
      if (kind === 0) node.push({ opType: 'Constant', name: `${output}/Constant`, input: [], output: [`${output}/shape`], attribute: [tensorAttribute('value', int64Tensor('', [4], [1, -1, 16, 64]))] });
      else if (kind === 1) node.push({ opType: 'Reshape', name: output, input: [previous, `/blocks.${block}/op_${step - 1}/shape`], output: [output], attribute: [intAttribute('allowzero', 0)] });
      else if (kind === 2) node.push({ opType: 'Transpose', name: output, input: [previous], output: [output], attribute: [intsAttribute('perm', [0, 2, 1, 3])] });
      else node.push({ opType: 'LayerNormalization', name: output, input: [previous, `blocks.${block}.norm1.weight`, `blocks.${block}.norm1.bias`], output: [output], attribute: [floatAttribute('epsilon', 1e-6), intAttribute('axis', -1)] });
      if (kind !== 0) previous = output;
    }
  }
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'pytorch',
    producerVersion: '2.5.0',
    metadataProps: [],
    graph: {
      name: 'main_graph',
      node,
      initializer,
      input: [tensorValueInfo('pixel_values', TensorDataType.FLOAT, ['batch', 3, 518, 518])],
      output: [tensorValueInfo(previous, TensorDataType.FLOAT, ['batch', 1370, d])],
      valueInfo: [],
    },
  };
  const file = join(dir, 'model.onnx');
  await writeFile(file, encodeModel(model));
  return { file, externalBytes: dataOffset };
}

const BASELINE = 'protobufjs 8 decode alone';
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, blocks: { type: 'string', default: '24' } } });
  const rounds = Number(values.rounds);
  const work = join(process.cwd(), '.bench', 'onnx-format');
  await rm(work, { recursive: true, force: true });
  const variants = [];
  for (const externalData of [false, true]) {
    const dir = join(work, externalData ? 'external' : 'single-file');
    await mkdir(dir, { recursive: true });
    const { file, externalBytes } = await writeModel(dir, Number(values.blocks), externalData);
    const { size } = await stat(file);
    variants.push({ label: externalData ? `external data (.onnx ${mib(size)} + .data ${mib(externalBytes)})` : `one file (${mib(size)})`, file });
  }
  const names = Object.keys(CODECS);
  console.log(`load average before: ${loadavg().map((value) => value.toFixed(1)).join(' ')} (2 cores shared with other work: times are noisy, memory is not)`);
  for (const { label, file } of variants) {
    const samples = new Map(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, index) => names[(index + round) % names.length]);
      for (const name of order) {
        const { stdout } = await run(process.execPath, ['--max-old-space-size=8192', here, '--child', name, file], { maxBuffer: 1 << 20 });
        samples.get(name).push(JSON.parse(stdout));
      }
    }
    console.log(`\n${label}, ${rounds} rounds, medians:`);
    console.log(`  ${'codec'.padEnd(38)} ${'import'.padStart(8)} ${'decode'.padStart(9)} ${'× pbjs'.padStart(7)} ${'peak RSS'.padStart(9)} ${'− read only'.padStart(11)} ${'heap'.padStart(9)}  initializers: raw bytes (views into the file), external`);
    const floor = median(samples.get('read only').map((sample) => sample.maxRss));
    const baselineDecode = median(samples.get(BASELINE).map((sample) => sample.decodeMs));
    for (const name of names) {
      const list = samples.get(name);
      const decodeMs = median(list.map((sample) => sample.decodeMs));
      const rss = median(list.map((sample) => sample.maxRss));
      const summary = list[0].summary;
      const held = summary ? `${summary.initializers}: ${mib(summary.rawBytes)} (${summary.views} views), ${summary.external} external` : '';
      console.log(
        `  ${name.padEnd(38)} ${`${median(list.map((sample) => sample.importMs)).toFixed(0)} ms`.padStart(8)} ${`${decodeMs.toFixed(0)} ms`.padStart(9)} ${name === 'read only' ? ''.padStart(7) : `${(decodeMs / baselineDecode).toFixed(2)}`.padStart(7)} ${mib(rss).padStart(9)} ${mib(rss - floor).padStart(11)} ${mib(median(list.map((sample) => sample.heapUsed))).padStart(9)}  ${held}`,
      );
    }
  }
  console.log(`\nload average after: ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
  await rm(work, { recursive: true, force: true });
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
