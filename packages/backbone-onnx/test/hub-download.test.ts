import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '@radprobe/core';
import { pullModel, type PullProgress } from '../src/hub-download.js';
import { resolveModel, listStore } from '../src/model-store.js';
import { TensorDataType } from '@radprobe/onnx-format';
import { FakeHub, type FakeHubOptions } from '@radprobe/testkit';
import { identityModel } from './helpers/onnx-models.js';

const model = identityModel(TensorDataType.FLOAT, ['batch', 3, 'height', 'width']);
const files = {
  'onnx/model.onnx': model,
  'onnx/model_fp16.onnx': Uint8Array.of(1, 2, 3),
  'config.json': new TextEncoder().encode('{"hidden_size": 384}'),
  'preprocessor_config.json': new TextEncoder().encode('{"crop_size": 224}'),
  'README.md': new TextEncoder().encode('not fetched'),
};

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

async function startHub(options: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  hub = await new FakeHub({ repo: 'onnx-community/dinov2-small', files, ...options }).start();
  return hub;
}

describe('pullModel', () => {
  it('downloads the model and its configs, verified, into the store with a manifest', async () => {
    const { endpoint } = await startHub();
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    const progress: PullProgress[] = [];
    const result = await pullModel('dinov2-small', { storeDir, endpoint, token: '', onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ dir: join(storeDir, 'dinov2-small'), modelPath: join(storeDir, 'dinov2-small', 'onnx', 'model.onnx') });
    expect(new Uint8Array(await readFile(result.modelPath))).toEqual(model);
    expect(await readFile(join(result.dir, 'config.json'), 'utf8')).toBe('{"hidden_size": 384}');
    expect(existsSync(join(result.dir, 'README.md'))).toBe(false);
    const [entry] = await listStore(storeDir);
    expect(entry).toMatchObject({ name: 'dinov2-small', repo: 'onnx-community/dinov2-small', revision: 'main', modelFile: 'onnx/model.onnx' });
    expect(entry.files).toEqual([
      { path: 'config.json', size: 20, sha256: sha256(files['config.json']) },
      { path: 'onnx/model.onnx', size: model.length, sha256: sha256(model) },
      { path: 'preprocessor_config.json', size: 18, sha256: sha256(files['preprocessor_config.json']) },
    ]);
    expect(progress.filter((p) => p.file === 'onnx/model.onnx').at(-1)).toEqual({
      file: 'onnx/model.onnx',
      bytesDone: model.length,
      bytesTotal: model.length,
    });
    expect(await resolveModel('dinov2-small', storeDir)).toBe(result.modelPath);
  });

  it('fetches the chosen variant', async () => {
    const { endpoint } = await startHub();
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    const { modelPath } = await pullModel('dinov2-small', { storeDir, endpoint, token: '', variant: 'fp16' });
    expect(modelPath).toBe(join(storeDir, 'dinov2-small', 'onnx', 'model_fp16.onnx'));
    await expect(pullModel('dinov2-small', { storeDir, endpoint, token: '', variant: 'quantized' })).rejects.toThrow(
      'onnx-community/dinov2-small (revision main) has no onnx/model_quantized.onnx; it has onnx/model.onnx, onnx/model_fp16.onnx',
    );
  });

  it('resumes a partial download with a Range request', async () => {
    const fakeHub = await startHub();
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await mkdir(join(storeDir, 'dinov2-small', 'onnx'), { recursive: true });
    await writeFile(join(storeDir, 'dinov2-small', 'onnx', 'model.onnx.part'), model.subarray(0, 40));
    const { modelPath } = await pullModel('dinov2-small', { storeDir, endpoint: fakeHub.endpoint, token: '' });
    expect(new Uint8Array(await readFile(modelPath))).toEqual(model);
    expect(fakeHub.rangeRequests).toEqual(['onnx/model.onnx bytes=40-']);
    // Only the rest of the model and the two configs crossed the wire.
    expect(fakeHub.bytesServed).toBe(model.length - 40 + 20 + 18);
  });

  it('keeps verified files of an earlier pull instead of fetching them again', async () => {
    const fakeHub = await startHub();
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await pullModel('dinov2-small', { storeDir, endpoint: fakeHub.endpoint, token: '' });
    const served = fakeHub.bytesServed;
    await writeFile(join(storeDir, 'dinov2-small', 'config.json'), '{"hidden_size": 999}');
    await pullModel('dinov2-small', { storeDir, endpoint: fakeHub.endpoint, token: '' });
    // Only the edited config (same size, different content) is fetched again.
    expect(fakeHub.bytesServed - served).toBe(20);
    expect(await readFile(join(storeDir, 'dinov2-small', 'config.json'), 'utf8')).toBe('{"hidden_size": 384}');
  });

  it('starts again when the server ignores the Range request', async () => {
    const fakeHub = await startHub({ ignoreRange: true });
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await mkdir(join(storeDir, 'dinov2-small', 'onnx'), { recursive: true });
    await writeFile(join(storeDir, 'dinov2-small', 'onnx', 'model.onnx.part'), model.subarray(0, 40));
    const { modelPath } = await pullModel('dinov2-small', { storeDir, endpoint: fakeHub.endpoint, token: '' });
    expect(new Uint8Array(await readFile(modelPath))).toEqual(model);
    expect(fakeHub.rangeRequests).toHaveLength(1);
  });

  it('rejects a download whose checksum is wrong and leaves nothing in place', async () => {
    const tampered = Uint8Array.from(model, (byte, i) => (i === 10 ? byte ^ 0xff : byte));
    const { endpoint } = await startHub({ servedInstead: { 'onnx/model.onnx': tampered } });
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await expect(pullModel('dinov2-small', { storeDir, endpoint, token: '' })).rejects.toThrow(
      new RegExp(`resolve/main/onnx/model.onnx is corrupt \\(sha256 ${sha256(tampered)} instead of ${sha256(model)}\\)`),
    );
    expect(await readdir(join(storeDir, 'dinov2-small', 'onnx'))).toEqual([]);
    expect(existsSync(join(storeDir, 'dinov2-small', 'radprobe-store.json'))).toBe(false);
  });

  it('needs the token of a gated repository and sends it', async () => {
    const { endpoint } = await startHub({ token: 'hf_secret' });
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await expect(pullModel('dinov2-small', { storeDir, endpoint, token: '' })).rejects.toThrow(
      /HTTP 401.*gated or private\. Set HF_TOKEN/,
    );
    const { modelPath } = await pullModel('dinov2-small', { storeDir, endpoint, token: 'hf_secret' });
    expect(new Uint8Array(await readFile(modelPath))).toEqual(model);
  });

  it('explains a repository the hub does not have', async () => {
    const { endpoint } = await startHub();
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-pull-'));
    await expect(pullModel('dinov2-giant', { storeDir, endpoint, token: '' })).rejects.toThrow(
      /tree\/main \(HTTP 404\): check that the repository onnx-community\/dinov2-giant and the file exist.*giant may be missing/,
    );
  });
});
