import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { pngAround, zeroDeflateStream } from '@radprobe/testkit';
import { brainTumorMriDataset, btcvDataset, imageFolderDataset, medmnistDataset, openImageFile, readNiftiFile, readNiftiGeometry } from '../src/index.js';
import { parseDicomFile } from '../src/dicom/parse.js';
import { parseNpz } from '../src/npz.js';
import { encodeNifti, voxelValues, writeNifti } from '../src/volume/nifti-writer.js';
import { encodeRle, imageElements, pixelData8, SYNTAX_UIDS, writeDicom } from './dicom-writer.js';
import { contextAt, temporaryFolder, writeGrayPng } from './fixtures.js';
import { writeMatV73 } from './mat-v73-fixtures.js';
import { npyBytes } from './npy-fixtures.js';

const MIB = 2 ** 20;

/** How much the resident set grew while `run` ran: a secondary check, the error message before decoding is the first. */
async function rssGrowth(run: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().rss;
  await run();
  return process.memoryUsage().rss - before;
}

/** A NIfTI-1 header and voxels of `dims` int16, with dim[1..3] then rewritten to `declared`. */
function niftiDeclaring(declared: [number, number, number]): Uint8Array {
  const bytes = encodeNifti({ datatype: 'int16', dims: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  declared.forEach((size, axis) => view.setInt16(42 + 2 * axis, size, true));
  return bytes;
}

describe('decode limits in the dataset loaders: a bomb costs what its header costs to read', () => {
  it('PNG: a 400 KB file declaring 20,000² (a 400 MB image stream) is refused before inflating; the run\'s limits reach the loader', async () => {
    const root = await temporaryFolder();
    const bomb = join(root, 'train', 'normal', 'bomb.png');
    await mkdir(join(root, 'train', 'normal'), { recursive: true });
    await writeFile(bomb, pngAround({ width: 20000, height: 20000, bitDepth: 8, colorType: 0 }, zeroDeflateStream(20000 * 20001, 'zlib')));
    await writeGrayPng(join(root, 'train', 'normal', 'small.png'), 9, 40, 30);
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    const [bombItem, smallItem] = dataset.items;
    let message = '';
    const growth = await rssGrowth(() => dataset.open(bombItem).catch((error: Error) => (message = error.message)));
    expect(message).toBe(
      `${bomb}: the header declares a 20000×20000 PNG, 1 sample(s) of 8 bits per pixel (400 megapixels), above the decode limit of 200 megapixels per image; ` +
        'if the file is genuine, raise "decodeLimits.maxMegapixels" in the config (at most 2000)',
    );
    expect(growth).toBeLessThan(100 * MIB);
    expect(await dataset.open(smallItem)).toMatchObject({ width: 40, height: 30 });
    const strict = await imageFolderDataset.create({ root }, contextAt('/', { maxMegapixels: 0.001, maxDecodedMiB: 1 }));
    await expect(strict.open(smallItem)).rejects.toThrow(/small\.png: .*\(1200 pixels\), above the decode limit of 0\.001 megapixels per image/);
  });

  it('NIfTI: a .nii.gz declaring 30,000 × 30,000 × 1,000 int16 is refused from its header, by the item listing and by the reader', async () => {
    const file = join(await temporaryFolder(), 'huge.nii.gz');
    await writeFile(file, gzipSync(niftiDeclaring([30000, 30000, 1000])));
    const refusal = /huge\.nii\.gz: the header declares a 30000×30000×1000 NIfTI volume of int16 \(900 megapixels\), above the decode limit of 200 megapixels per image; .*"decodeLimits\.maxMegapixels"/;
    await expect(readNiftiGeometry(file)).rejects.toThrow(refusal);
    await expect(readNiftiFile(file)).rejects.toThrow(refusal);
    await expect(readNiftiFile(file, { maxMegapixels: 2000, maxDecodedMiB: 4000 })).rejects.toThrow(/the header declares a 30000×30000×1000 NIfTI volume of int16 \(1676\.4 GiB uncompressed\), above the decode limit of 4000 MiB/);
  });

  it('NIfTI: a .nii.gz is inflated only as far as its header and voxels need, never through what follows them', async () => {
    const folder = await temporaryFolder();
    const dims: [number, number, number] = [16, 16, 12];
    const values = voxelValues(dims, (i, j, k) => i + 16 * j + 256 * k);
    const volume = gzipSync(encodeNifti({ datatype: 'int16', dims, values }));
    // A second gzip member that breaks off: a reader that inflates the whole stream fails on it.
    const brokenTail = join(folder, 'broken-tail.nii.gz');
    await writeFile(brokenTail, Buffer.concat([volume, zeroDeflateStream(4 * MIB, 'gzip').subarray(0, 100)]));
    expect(Array.from((await readNiftiFile(brokenTail)).voxels)).toEqual(values);
    // A second member of 300 MB of zeros: the 6 KB the header needs are read, the rest never expanded.
    const bomb = join(folder, 'bomb.nii.gz');
    await writeFile(bomb, Buffer.concat([volume, zeroDeflateStream(300 * MIB, 'gzip')]));
    let read: number[] = [];
    const growth = await rssGrowth(async () => (read = Array.from((await readNiftiFile(bomb)).voxels)));
    expect(read).toEqual(values);
    expect(growth).toBeLessThan(100 * MIB);
  });

  it('NIfTI: a truncated .nii.gz is named once, with what is wrong', async () => {
    const root = await temporaryFolder();
    const dims: [number, number, number] = [8, 8, 4];
    await writeNifti(join(root, 'imagesTr', 'img0001.nii.gz'), { datatype: 'int16', dims, values: voxelValues(dims, (i) => i) });
    await writeNifti(join(root, 'labelsTr', 'label0001.nii.gz'), { datatype: 'uint8', dims, values: voxelValues(dims, () => 0) });
    const image = join(root, 'imagesTr', 'img0001.nii.gz');
    const whole = gzipSync(encodeNifti({ datatype: 'int16', dims, values: voxelValues(dims, (i) => i * 37) }));
    const dataset = await btcvDataset.create({ root }, contextAt('/'));
    await writeFile(image, whole.subarray(0, whole.length - 40));
    await expect(dataset.open(dataset.items[0])).rejects.toThrow(new RegExp(`^${image.replaceAll('.', '\\.')}: truncated \\.nii\\.gz \\(the gzip stream breaks off before the end of the data\\)$`));
  });

  it('DICOM: an RLE file declaring 30,000² is refused from its header, before any frame is decoded', async () => {
    const file = join(await temporaryFolder(), 'huge.dcm');
    const elements = imageElements({ rows: 30000, columns: 30000, bitsAllocated: 16 });
    await writeFile(file, writeDicom({ encoding: 'explicit', transferSyntax: SYNTAX_UIDS.rle, elements, fragments: [encodeRle([[0, 0, 0, 0]], 2)] }));
    await expect(openImageFile(file)).rejects.toThrow(
      /huge\.dcm: the header declares a 30000×30000 DICOM image, 1 frame\(s\) of 1 sample\(s\) of 16 bits \(900 megapixels\), above the decode limit of 200 megapixels per image/,
    );
  });

  it('DICOM: a deflated data set inflates no further than the byte cap allows', () => {
    const filler = { tag: 0x00091010, vr: 'OB', value: new Uint8Array(40 * MIB) };
    const bytes = writeDicom({ encoding: 'deflate', elements: [...imageElements({ rows: 2, columns: 2, bitsAllocated: 8 }), filler, pixelData8([1, 2, 3, 4])] });
    expect(parseDicomFile(bytes, 'ok.dcm', { maxMegapixels: 200, maxDecodedMiB: 64 }).header.rows).toBe(2);
    expect(() => parseDicomFile(bytes, 'bomb.dcm', { maxMegapixels: 200, maxDecodedMiB: 1 })).toThrow(
      /^bomb\.dcm: the deflated data set inflates past 17 MiB, above the decode limit of 1 MiB of pixel data .*"decodeLimits\.maxDecodedMiB"/,
    );
  });

  it('npz: an entry declaring more than the byte cap is refused before it is inflated, and so is an array whose header does', () => {
    const images = npyBytes({ dtype: '|u1', shape: [2, 2, 2], values: [0, 1, 2, 3, 4, 5, 6, 7] });
    const archive = zipSync({ 'train_images.npy': images });
    expect(parseNpz(archive, 'ok.npz', { maxMegapixels: 200, maxDecodedMiB: 1 }).get('train_images')!.shape).toEqual([2, 2, 2]);
    // A 40 MB array of zeros compresses to 40 KB: refused under a 16 MiB cap from the archive's declared size.
    const big = zipSync({ 'train_images.npy': npyBytes({ dtype: '|u1', shape: [40, 1000, 1000], values: new Uint8Array(40 * 1000 * 1000) }) });
    expect(() => parseNpz(big, 'big.npz', { maxMegapixels: 200, maxDecodedMiB: 16 })).toThrow(
      /^big\.npz:train_images\.npy: the header declares an archive entry \(38 MiB uncompressed\), above the decode limit of 16 MiB/,
    );
    // A small entry whose .npy header declares 100,000 images of 224 × 224 × 3.
    const declared = new TextDecoder('latin1').decode(images).replace('(2, 2, 2)', '(100000, 224, 224, 3)');
    const lying = zipSync({ 'train_images.npy': Uint8Array.from(declared, (char) => char.charCodeAt(0)) });
    expect(() => parseNpz(lying, 'lying.npz', { maxMegapixels: 200, maxDecodedMiB: 2048 })).toThrow(
      /^lying\.npz:train_images\.npy: the header declares an array of shape \(100000, 224, 224, 3\) of \|u1 \(14 GiB uncompressed\), above the decode limit of 2048 MiB/,
    );
  });

  it('npz: the run\'s limits reach the medmnist loader', async () => {
    const file = join(await temporaryFolder(), 'organmnist3d.npz');
    const u1 = (shape: number[]) => npyBytes({ dtype: '|u1', shape, values: new Uint8Array(shape.reduce((a, b) => a * b, 1)) });
    const arrays = Object.fromEntries(['train', 'val', 'test'].flatMap((split) => [[`${split}_images.npy`, u1([1, 64, 64, 64])], [`${split}_labels.npy`, u1([1, 1])]]));
    await writeFile(file, zipSync(arrays));
    await expect(medmnistDataset.create({ file }, contextAt('/'))).resolves.toMatchObject({ name: 'medmnist' });
    await expect(medmnistDataset.create({ file }, contextAt('/', { maxMegapixels: 0.001, maxDecodedMiB: 100 }))).rejects.toThrow(
      /organmnist3d\.npz: train_images: the header declares images of 64×64 pixels \(4096 pixels\), above the decode limit of 0\.001 megapixels per image/,
    );
  });

  it('.mat (HDF5): a variable\'s dimensions × type are checked before its values are read', async () => {
    const root = await temporaryFolder();
    const file = join(root, '1.mat');
    await writeMatV73(file, 'cjdata', {
      label: { type: 'double', shape: [1, 1], values: [1] },
      PID: { type: 'uint16', shape: [3, 1], values: [...'100'].map((char) => char.charCodeAt(0)) },
      image: { type: 'int16', shape: [1000, 1000], values: new Array<number>(1000 * 1000).fill(7) },
    });
    const dataset = await brainTumorMriDataset.create({ root }, contextAt('/'));
    expect(await dataset.open(dataset.items[0])).toMatchObject({ width: 1000, height: 1000 });
    const strict = await brainTumorMriDataset.create({ root }, contextAt('/', { maxMegapixels: 200, maxDecodedMiB: 1 }));
    await expect(strict.open(strict.items[0])).rejects.toThrow(/1\.mat: the header declares a 1000×1000 <i2 variable cjdata\/image \(2 MiB uncompressed\), above the decode limit of 1 MiB/);
  });
});
