import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RadprobeError, errorMessage, sha256File, writeFileAtomic } from '@radprobe/core';
import {
  STORE_MANIFEST,
  readStoreEntry,
  repositoryFor,
  storeFolder,
  variantFile,
  type ModelVariant,
  type StoreEntry,
  type StoredFile,
} from './model-store.js';

/** Progress of one file's download. */
export interface PullProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface PullOptions {
  storeDir: string;
  /** Hub address; `HF_ENDPOINT` or https://huggingface.co by default. */
  endpoint?: string;
  /** Access token for gated or private repositories; `HF_TOKEN` by default. */
  token?: string;
  revision?: string;
  variant?: ModelVariant;
  onProgress?: (progress: PullProgress) => void;
}

/** A file as the hub's tree API lists it. */
interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content, for files stored in LFS. */
  sha256?: string;
  /** Git blob id (sha1 of `blob <size>\0<content>`), for files stored in git itself. */
  gitOid?: string;
}

/** Configuration files fetched beside the model when the repository has them. */
const CONFIG_FILES = ['config.json', 'preprocessor_config.json'];

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function httpError(status: number, url: string, repo: string, token: string | undefined): RadprobeError {
  if (status === 401 || status === 403) {
    return new RadprobeError(
      `The hub refused ${url} (HTTP ${status}): ${repo} is gated or private. ` +
        (token ? 'The token in HF_TOKEN has no access to it.' : 'Set HF_TOKEN to an access token that can read it.'),
    );
  }
  if (status === 404) {
    return new RadprobeError(
      `The hub has no ${url} (HTTP 404): check that the repository ${repo} and the file exist ` +
        '(not every DINOv2 size has an ONNX export there, e.g. giant may be missing)',
    );
  }
  return new RadprobeError(`The hub answered HTTP ${status} for ${url}`);
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'follow' });
  } catch (error) {
    throw new RadprobeError(`Cannot reach ${url}: ${errorMessage(error)}`, { cause: error });
  }
}

async function listFolder(endpoint: string, repo: string, revision: string, folder: string, token: string | undefined): Promise<HubFile[]> {
  const url = `${endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}${folder ? `/${folder}` : ''}`;
  const response = await request(url, { headers: authHeaders(token) });
  if (!response.ok) throw httpError(response.status, url, repo, token);
  const listing = (await response.json()) as unknown;
  if (!Array.isArray(listing)) throw new RadprobeError(`The hub's listing ${url} is not an array`);
  return listing
    .filter((entry) => entry?.type === 'file' && typeof entry.path === 'string' && typeof entry.size === 'number')
    .map((entry) => ({
      path: entry.path,
      size: entry.lfs?.size ?? entry.size,
      sha256: typeof entry.lfs?.oid === 'string' ? entry.lfs.oid : undefined,
      gitOid: entry.lfs ? undefined : typeof entry.oid === 'string' ? entry.oid : undefined,
    }));
}

async function gitBlobOid(file: string, size: number): Promise<string> {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Where a 206 answer starts (`Content-Range: bytes <start>-<end>/<total>`), or -1 if unreadable. */
function rangeStart(response: Response): number {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : -1;
}

/** Why a file does not match the hub's listing, or `null` when it does. */
async function verificationProblem(file: string, digest: string, expected: HubFile): Promise<string | null> {
  const size = await fileSize(file);
  if (size !== expected.size) return `size ${size} instead of ${expected.size} bytes`;
  if (expected.sha256 && digest !== expected.sha256) return `sha256 ${digest} instead of ${expected.sha256}`;
  if (expected.gitOid && (await gitBlobOid(file, size)) !== expected.gitOid) return `git blob id differs from ${expected.gitOid}`;
  return null;
}

/**
 * Downloads one file to `<target>.part` (resuming a partial one with a Range request), verifies its size and
 * checksum, then renames it into place; a file that fails verification is deleted. A verified file already in place
 * is not fetched again.
 */
async function downloadFile(url: string, target: string, expected: HubFile, repo: string, options: PullOptions): Promise<string> {
  const partial = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  // A file already in place from an earlier pull is kept when it still matches the listing.
  if ((await fileSize(target)) === expected.size) {
    const digest = await sha256File(target);
    if ((await verificationProblem(target, digest, expected)) === null) return digest;
  }
  let done = await fileSize(partial);
  if (done > expected.size) {
    await rm(partial, { force: true });
    done = 0;
  }
  if (done < expected.size) {
    const headers = { ...authHeaders(options.token), ...(done > 0 ? { Range: `bytes=${done}-` } : {}) };
    const response = await request(url, { headers });
    if (!response.ok) throw httpError(response.status, url, repo, options.token);
    // A server that ignores the Range header answers 200 with the whole file: start again from byte 0.
    const resumed = response.status === 206 && rangeStart(response) === done;
    if (!resumed) done = 0;
    if (!response.body) throw new RadprobeError(`The hub sent no body for ${url}`);
    const report = () => options.onProgress?.({ file: expected.path, bytesDone: done, bytesTotal: expected.size });
    report();
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    const counted = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        done += chunk.length;
        report();
        yield chunk;
      }
    };
    try {
      await pipeline(body, counted, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }));
    } catch (error) {
      throw new RadprobeError(`Download of ${url} broke off after ${done} bytes (run pull again to resume): ${errorMessage(error)}`, { cause: error });
    }
  }
  const digest = await sha256File(partial);
  const problem = await verificationProblem(partial, digest, expected);
  if (problem) {
    await rm(partial, { force: true });
    throw new RadprobeError(`Download of ${url} is corrupt (${problem}); it was deleted, run pull again`, { file: target });
  }
  await rename(partial, target);
  return digest;
}

/**
 * Downloads a model (a known name such as `dinov2-small`, or any `owner/repo`) from the Hugging Face hub into the
 * store: the chosen ONNX variant with its external-data files, and the config files the repository has.
 */
export async function pullModel(name: string, options: PullOptions): Promise<{ dir: string; modelPath: string }> {
  const repo = repositoryFor(name);
  const endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const token = options.token ?? process.env.HF_TOKEN;
  const revision = options.revision ?? 'main';
  const modelFile = variantFile(options.variant ?? 'fp32');
  const folder = storeFolder(options.storeDir, name);

  const listing = [
    ...(await listFolder(endpoint, repo, revision, '', token)),
    ...(await listFolder(endpoint, repo, revision, dirname(modelFile), token)),
  ];
  const model = listing.find((file) => file.path === modelFile);
  if (!model) {
    const onnxFiles = listing.filter((file) => file.path.endsWith('.onnx')).map((file) => file.path);
    throw new RadprobeError(
      `${repo} (revision ${revision}) has no ${modelFile}` + (onnxFiles.length > 0 ? `; it has ${onnxFiles.join(', ')}` : ''),
    );
  }
  // Models over 2 GB keep their weights in `<model>_data` (and numbered siblings) beside the graph.
  const wanted = [
    model,
    ...listing.filter((file) => file.path.startsWith(`${modelFile}_data`)),
    ...listing.filter((file) => CONFIG_FILES.includes(file.path)),
  ];
  const stored: StoredFile[] = [];
  for (const file of wanted) {
    const url = `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.path}`;
    const sha256 = await downloadFile(url, join(folder, file.path), file, repo, { ...options, token });
    stored.push({ path: file.path, size: file.size, sha256 });
  }

  const previous = await readStoreEntry(folder);
  const kept = (previous?.revision === revision ? previous.files : []).filter((file) => !stored.some((s) => s.path === file.path));
  const entry: StoreEntry = {
    name,
    repo,
    revision,
    modelFile,
    files: [...kept, ...stored].sort((a, b) => a.path.localeCompare(b.path)),
    pulledAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(folder, STORE_MANIFEST), `${JSON.stringify(entry, null, 2)}\n`);
  return { dir: folder, modelPath: join(folder, modelFile) };
}
