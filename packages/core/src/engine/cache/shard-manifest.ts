import { crc32 } from 'node:zlib';
import { canonicalJson } from '../util/hash.js';

/**
 * Describes one shard: which records its `.f32` file holds, in order, and their checksums. Written after the
 * data, so its presence means the shard is whole.
 */
export interface ShardManifest {
  version: 2;
  rows: number;
  recordFloats: number;
  keys: string[];
  /** CRC-32 of each row: of its key's UTF-8 bytes, then of its data bytes, so that a row read under another key fails too. */
  checksums: number[];
  createdAt: string;
  /** CRC-32 of the canonical JSON of every other field: a changed key, checksum or count fails it. */
  manifestChecksum: number;
}

const VERSION = 2;

/** The checksum of one record stored under `key`. */
export function recordChecksum(key: string, record: Uint8Array): number {
  return crc32(record, crc32(key));
}

function manifestChecksum(fields: Omit<ShardManifest, 'manifestChecksum'>): number {
  return crc32(canonicalJson(fields));
}

/** The manifest of a new shard holding `keys`, row-major in `data`. */
export function shardManifest(keys: string[], data: Uint8Array, recordFloats: number): ShardManifest {
  const recordBytes = recordFloats * 4;
  const checksums = keys.map((key, row) => recordChecksum(key, data.subarray(row * recordBytes, (row + 1) * recordBytes)));
  const fields = { version: VERSION, rows: keys.length, recordFloats, keys, checksums, createdAt: new Date().toISOString() } as const;
  return { ...fields, manifestChecksum: manifestChecksum(fields) };
}

/**
 * Why a shard cannot be used. `unverifiable`: written by a radprobe from before checksums, so nothing proves its
 * records are the ones embedded; `corrupt`: a check failed.
 */
export interface ShardDefect {
  kind: 'corrupt' | 'unverifiable';
  reason: string;
}

/** A manifest's text checked against its own checksum and the record size of the group it lies in. */
export function parseShardManifest(text: string, recordFloats: number): ShardManifest | ShardDefect {
  let manifest: Omit<Partial<ShardManifest>, 'version'> & { version?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (error) {
    return { kind: 'corrupt', reason: `unreadable manifest (${(error as Error).message})` };
  }
  if (manifest?.version === 1) return { kind: 'unverifiable', reason: 'written without checksums by an older radprobe: cannot be verified' };
  if (manifest?.version !== VERSION) return { kind: 'corrupt', reason: `manifest of unknown version ${JSON.stringify(manifest?.version)}` };
  const { manifestChecksum: stated, ...fields } = manifest as ShardManifest;
  if (stated !== manifestChecksum(fields)) return { kind: 'corrupt', reason: 'manifest fails its checksum' };
  if (fields.recordFloats !== recordFloats) return { kind: 'corrupt', reason: `records of ${fields.recordFloats} floats, expected ${recordFloats} in this group` };
  if (!Array.isArray(fields.keys) || !Array.isArray(fields.checksums) || fields.keys.length !== fields.rows || fields.checksums.length !== fields.rows) {
    return { kind: 'corrupt', reason: `manifest lists ${fields.keys?.length} keys and ${fields.checksums?.length} checksums for ${fields.rows} rows` };
  }
  return manifest as ShardManifest;
}
