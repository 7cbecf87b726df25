import { crc32 } from 'node:zlib';
import { cp, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/index.js';
import { FeatureCache, ShardStore, listCache, pruneCache, type CacheEntryIdentity } from '../src/engine/index.js';

const FLOATS = 4;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'radprobe-shards-'));
});

/** Records whose floats say which key and column they are. */
const records = (keys: string[]) => Float32Array.from(keys.flatMap((key) => Array.from({ length: FLOATS }, (_, column) => key.charCodeAt(0) * 10 + column)));

async function storeWith(...shards: string[][]): Promise<ShardStore> {
  const store = await ShardStore.open(dir, FLOATS);
  for (const keys of shards) await store.writeShard(keys, records(keys));
  return store;
}

async function shardIds(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.json')).sort().map((name) => name.slice(0, -5));
}

async function flipBit(id: string, row: number): Promise<void> {
  const path = join(dir, `${id}.f32`);
  const bytes = await readFile(path);
  bytes[row * FLOATS * 4 + 2] ^= 0x01;
  await writeFile(path, bytes);
}

describe('feature cache shards carry checksums checked on every read', () => {
  it('reads what was written, and a record that changed after the run checked it fails the read, naming the shard', async () => {
    const store = await storeWith(['a', 'b', 'c']);
    expect(await store.setAsideBadShards(['a', 'b', 'c'])).toEqual([]);
    expect(await store.read(['c', 'a', 'c'])).toEqual(records(['c', 'a', 'c']));

    const [id] = await shardIds();
    await flipBit(id, 1);
    await expect(store.read(['a'])).resolves.toEqual(records(['a']));
    await expect(store.read(['b'])).rejects.toThrow(`feature cache shard ${join(dir, `${id}.f32`)} changed during this run: record 1 (item b) fails its checksum; run again`);
  });

  it('a record stored under another key fails even when the manifest was rewritten consistently', async () => {
    await storeWith(['a', 'b']);
    const [id] = await shardIds();
    const path = join(dir, `${id}.json`);
    const { manifestChecksum: _, ...fields } = JSON.parse(await readFile(path, 'utf8')) as { keys: string[]; manifestChecksum: number };
    fields.keys.reverse();
    await writeFile(path, JSON.stringify({ ...fields, manifestChecksum: crc32(canonicalJson(fields)) }));

    const reopened = await ShardStore.open(dir, FLOATS);
    expect(reopened.problems).toEqual([]);
    expect(await reopened.verify()).toEqual([{ shard: id, kind: 'corrupt', reason: 'record 0 (item b) fails its checksum' }]);
    expect(reopened.has('a')).toBe(false);
  });

  it('a key held by a bad shard and a good one is served by the good one, after checking it', async () => {
    await storeWith(['a', 'b'], ['a', 'c']);
    const [first, second] = await shardIds();
    await flipBit(first, 0);
    const store = await ShardStore.open(dir, FLOATS);
    const warnings = await store.setAsideBadShards(['a', 'b', 'c']);
    expect(warnings).toEqual([`feature cache shard ${join(dir, first)}: record 0 (item a) fails its checksum; set aside as ${first}.*.bad; its 1 item is embedded again`]);
    expect([store.has('a'), store.has('b'), store.has('c')]).toEqual([true, false, true]);
    expect(await store.read(['a', 'c'])).toEqual(records(['a', 'c']));
    expect((await readdir(dir)).sort()).toEqual([`${first}.f32.bad`, `${first}.json.bad`, `${second}.f32`, `${second}.json`]);
  });

  it('leaves files it did not write alone, even ones named like manifests', async () => {
    await storeWith(['a']);
    await writeFile(join(dir, 'notes.json'), '{"not": "a manifest"}');
    const store = await ShardStore.open(dir, FLOATS);
    expect(store.problems).toEqual([]);
    expect(await store.setAsideBadShards(['a'])).toEqual([]);
    expect(existsSync(join(dir, 'notes.json'))).toBe(true);
  });
});

describe('prune never follows a link out of the cache', () => {
  const identity: CacheEntryIdentity = { weightsHash: 'f'.repeat(64), backboneDescription: 'test', backboneOptions: 'none', exposedBlocks: [0], embedDim: FLOATS, preprocessing: 'none' };

  it('a linked entry folder is not an entry: prune --all removes the real entry and nothing behind the link', async () => {
    const cache = await FeatureCache.open(join(dir, 'cache'), identity);
    const store = await cache.store({ kind: 'global', blocks: 1, embedDim: FLOATS, withPatchMean: false });
    await store.writeShard(['a'], records(['a']));
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await cp(cache.dir, join(elsewhere, cache.key), { recursive: true });
    const linked = join(dir, 'cache', `${'e'.repeat(16)}-${'0'.repeat(16)}`);
    await symlink(join(elsewhere, cache.key), linked);

    const listed = await listCache(join(dir, 'cache'));
    expect(listed.entries.map((entry) => entry.key)).toEqual([cache.key]);
    expect(listed.foreign).toEqual([linked]);
    const report = await pruneCache(join(dir, 'cache'), { all: true });
    expect(report.removedEntries).toEqual([cache.key]);
    expect(report.kept).toEqual([linked]);
    expect(existsSync(cache.dir)).toBe(false);
    expect((await readdir(join(elsewhere, cache.key), { recursive: true })).sort()).toEqual(['entry.json', 'global-b1-d4', ...(await readdir(join(elsewhere, cache.key, 'global-b1-d4'))).map((name) => `global-b1-d4/${name}`)].sort());
  });
});
