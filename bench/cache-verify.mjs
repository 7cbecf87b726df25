// Feature-cache verification benchmark: reading N cached records through `ShardStore.read` (every record checked
// against its CRC-32) against a bare read of the same bytes from the same shard files, in the same chunks and into
// the same places, without checksums, measured in turn in the same process. Also times the check a run makes
// before its protocols read (`setAsideBadShards` on a freshly opened store: manifests, sizes, every record the run
// uses) and, for context, the per-record reads radprobe made before checksums. Records are ViT-S/14-sized: the global group
// (4 blocks × CLS and mean patch token × 384 = 12 KiB per item) and a last-block patch group (256 tokens × 384 =
// 384 KiB per item). The files are freshly written, so they are read from the page cache: this is the CPU cost of
// verification, its worst case relative to reads that wait for a disk.
//
//   npm run build && node --expose-gc bench/cache-verify.mjs [--global 20000] [--patch 400] [--rounds 5]
import { open, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { Random } from '@radprobe/core';
import { ShardStore, recordFloats } from '@radprobe/core/engine';
import { mib } from './measure.mjs';

const { values } = parseArgs({ options: { global: { type: 'string', default: '20000' }, patch: { type: 'string', default: '400' }, rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const work = join(process.cwd(), '.bench', 'cache-verify');
await rm(work, { recursive: true, force: true });

/** A group folder of `count` records written as the extractor writes them (shards of at most 1,024 items or 64 MiB). */
async function filledStore(name, floats, count) {
  const store = await ShardStore.open(join(work, name), floats);
  const random = new Random(1);
  const keys = Array.from({ length: count }, (_, i) => `${i.toString(16).padStart(8, '0')}${'0'.repeat(56)}`);
  const perShard = Math.min(1024, store.rowsPerShard);
  for (let start = 0; start < count; start += perShard) {
    const shardKeys = keys.slice(start, start + perShard);
    const data = new Float32Array(shardKeys.length * floats);
    for (let i = 0; i < data.length; i++) data[i] = random.normal();
    await store.writeShard(shardKeys, data);
  }
  return { keys, dir: join(work, name) };
}

/** Where each key lies: [shard, row], from the manifests, as the store's index has it. */
async function locations(dir) {
  const byKey = new Map();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.json')).sort()) {
    const { keys } = JSON.parse(await readFile(join(dir, name), 'utf8'));
    keys.forEach((key, row) => byKey.set(key, { shard: name.slice(0, -5), row }));
  }
  return byKey;
}

/**
 * The baseline: the bytes `ShardStore.read` reads, in the same chunks, straight into the output where the records'
 * places are consecutive as it does, without checking them.
 */
async function bareRead(dir, byKey, keys, floats) {
  const recordBytes = floats * 4;
  const out = new Float32Array(keys.length * floats);
  const bytes = new Uint8Array(out.buffer);
  const perShard = new Map();
  keys.forEach((key, target) => {
    const { shard, row } = byKey.get(key);
    if (!perShard.has(shard)) perShard.set(shard, []);
    perShard.get(shard).push({ row, target });
  });
  const chunkRows = Math.max(1, Math.floor(READ_CHUNK_BYTES / recordBytes));
  for (const [shard, wanted] of perShard) {
    wanted.sort((a, b) => a.row - b.row);
    const handle = await open(join(dir, `${shard}.f32`), 'r');
    const buffer = new Uint8Array(Math.min(wanted.length, chunkRows) * recordBytes);
    for (let start = 0; start < wanted.length; ) {
      let end = start + 1;
      while (end < wanted.length && end - start < chunkRows && wanted[end].row === wanted[end - 1].row + 1) end++;
      const length = (end - start) * recordBytes;
      let direct = true;
      for (let i = start + 1; i < end; i++) direct &&= wanted[i].target === wanted[start].target + (i - start);
      if (direct) {
        await handle.read(bytes, wanted[start].target * recordBytes, length, wanted[start].row * recordBytes);
      } else {
        await handle.read(buffer, 0, length, wanted[start].row * recordBytes);
        for (let i = start; i < end; i++) bytes.set(buffer.subarray((i - start) * recordBytes, (i - start + 1) * recordBytes), wanted[i].target * recordBytes);
      }
      start = end;
    }
    await handle.close();
  }
  return out;
}

/** How radprobe read before checksums: one positioned read per record, straight into the output. */
async function perRecordRead(dir, byKey, keys, floats) {
  const recordBytes = floats * 4;
  const out = new Float32Array(keys.length * floats);
  const perShard = new Map();
  keys.forEach((key, target) => {
    const { shard, row } = byKey.get(key);
    if (!perShard.has(shard)) perShard.set(shard, []);
    perShard.get(shard).push({ row, target });
  });
  for (const [shard, wanted] of perShard) {
    const handle = await open(join(dir, `${shard}.f32`), 'r');
    for (const { row, target } of wanted) await handle.read(new Uint8Array(out.buffer, target * recordBytes, recordBytes), 0, recordBytes, row * recordBytes);
    await handle.close();
  }
  return out;
}

/** Timed after a full collection where `--expose-gc` allows it, so that one side does not pay for the other's garbage. */
const seconds = async (work) => {
  globalThis.gc?.();
  const start = performance.now();
  const result = await work();
  return { seconds: (performance.now() - start) / 1000, result };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(label, group, count) {
  const floats = recordFloats(group);
  const name = label.replace(/\W+/g, '-');
  const { keys, dir } = await filledStore(name, floats, count);
  const byKey = await locations(dir);
  const store = await ShardStore.open(dir, floats);
  const bare = [];
  const verified = [];
  const old = [];
  const check = [];
  const same = (a, b) => Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)) === 0;
  if (!same(await bareRead(dir, byKey, keys, floats), await store.read(keys))) throw new Error('store.read and the bare read disagree');
  // Each round in a different order, so that neither side always runs first.
  const sides = [
    async () => bare.push((await seconds(() => bareRead(dir, byKey, keys, floats))).seconds),
    async () => verified.push((await seconds(() => store.read(keys))).seconds),
    async () => old.push((await seconds(() => perRecordRead(dir, byKey, keys, floats))).seconds),
    async () => check.push((await seconds(async () => (await ShardStore.open(dir, floats)).setAsideBadShards(keys))).seconds),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (let side = 0; side < sides.length; side++) await sides[(side + round) % sides.length]();
  }
  const bytes = count * floats * 4;
  const rate = (s) => `${(bytes / 2 ** 20 / s).toFixed(0)} MiB/s`;
  // Ratios are taken within each round (the sides ran seconds apart) and their median printed: load on a shared
  // machine drifts over a run, and a ratio of medians from different moments would carry that drift.
  const ratio = (a, b) => median(a.map((value, round) => value / b[round])).toFixed(2);
  console.log(`${label}: ${count} records of ${(floats * 4 / 1024).toFixed(0)} KiB (${mib(bytes)}), medians of ${ROUNDS} rounds`);
  console.log(`  bare read, no checksum             : ${median(bare).toFixed(3)} s  ${rate(median(bare))}`);
  console.log(`  ShardStore.read, every record CRC  : ${median(verified).toFixed(3)} s  ${rate(median(verified))}`);
  console.log(`  ratio verified / bare              : ${ratio(verified, bare)}`);
  console.log(`  run's check before protocols read  : ${median(check).toFixed(3)} s  (ratio to bare ${ratio(check, bare)})`);
  console.log(`  per-record reads, before checksums : ${median(old).toFixed(3)} s  (ratio verified / this ${ratio(verified, old)})`);
}

await mkdir(work, { recursive: true });
const probe = new Uint8Array(64 * 2 ** 20).map((_, i) => i * 31);
const crc = await seconds(async () => {
  for (let i = 0; i < 4; i++) crc32(probe);
});
console.log(`node:zlib crc32: ${((4 * probe.length) / 2 ** 30 / crc.seconds).toFixed(2)} GiB/s on 64 MiB buffers`);
await compare('global group (ViT-S/14, 4 blocks, CLS + mean patch)', { kind: 'global', blocks: 4, embedDim: 384, withPatchMean: true }, Number(values.global));
await compare('patch group (ViT-S/14 at 224, last block, 256 tokens)', { kind: 'patch', blocks: 1, embedDim: 384, tokens: 256 }, Number(values.patch));
await rm(work, { recursive: true, force: true });
