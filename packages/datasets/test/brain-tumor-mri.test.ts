import { writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brainTumorMriDataset } from '../src/index.js';
import { contextAt, temporaryFolder } from './fixtures.js';
import { writeMatV73 } from './mat-v73-fixtures.js';

const chars = (text: string) => ({ type: 'uint16' as const, shape: [text.length, 1], values: [...text].map((char) => char.charCodeAt(0)) });

/** `<n>.mat` with a 2×3 int16 image whose MATLAB column-major values are `values`. */
async function writeSlice(root: string, n: number, label: number, pid: string, values = [10, 40, 20, 50, 30, 60]): Promise<void> {
  await writeMatV73(join(root, `${n}.mat`), 'cjdata', {
    label: { type: 'double', shape: [1, 1], values: [label] },
    PID: chars(pid),
    image: { type: 'int16', shape: [2, 3], values },
  });
}

/**
 * A MAT-file written by the HDF5 library itself (h5py 3.7 / HDF5 1.10, gzip-compressed base64), laid out as
 * MATLAB writes v7.3 files: a 512-byte user block, chunked and deflated image. Python:
 *   with h5py.File('real.mat', 'w', userblock_size=512) as f:
 *     g = f.create_group('cjdata')
 *     g.create_dataset('image', data=np.array([[1, 2, 3], [4, 5, 6]], dtype='<i2').T, chunks=(3, 1), compression='gzip')
 *     g['label'] = np.array([[3.0]]); g['PID'] = np.array([[ord(c)] for c in 'MR042'], dtype='<u2').T
 */
const HDF5_LIBRARY_MAT = 'H4sIAAAAAAACA+2ZvU4CQRDH98OTFSKB0Bg0kZLSGAoqxQTMWagELajMHXD4EewoKCn1TXwEnsDwABYWFr4J7t7uHtnlQ40xEW9+zezszd1eZv/MXgaEgDjz6FaPN5P5ZOgwhtZQRl4g0kwUr7umr+/3lMXKPij7RPQ8Dq9tqfmser4dd9mo1UT0xEKv8+5Iy2DLYolbO6oL21S+UikaEzOufdfx+/5Uj+4P112kX5dK/8b5mn7LzHxvIN76Leh66Zhxt/f+dcBtz28FPW7rJ1Wjvpa/ue7F2XlVKFjXzQI167WtY2BRHViXOcPaL0pL5IRKoz425/iZ8NYM03OyEjh8Z8Q8ofLJKa4MMcDROiysQJ2g2/P7AT+f9TkoKxIldLgxXRJPl2z+aj6krmhUF8c7y+O1/oqJ5XG6Po6246ErcW5gvmX2uZH+5L5RTtr0jE5NnnOmT604Aj9tAAAAAACAlWBw1e54La/Lh3mU4J7vBV6bewf6E5pVTlED7aES2od0AQAAAMC/ACNnaT8SR3HzrejciXG2cKh6cxVUSqHSRDWIor4kkQ+M+o34RXWU7H/iBiuRD8fKgxPlQ/Vn0YL+7Ewe3lQektabDP+EPj4A6XelxNgfAAA=';

describe('brain-tumor-mri', () => {
  it('reads label and PID from MATLAB v7.3 files, splits sorted patients by position, never splitting a patient', async () => {
    const root = await temporaryFolder();
    // 10 patients P01..P10, two slices each (files 1..20), labels cycling 1, 2, 3.
    for (let n = 1; n <= 20; n++) await writeSlice(join(root, n <= 10 ? 'brainTumorDataPublic_1-10' : 'brainTumorDataPublic_11-20'), n, ((n - 1) % 3) + 1, `P${String(Math.ceil(n / 2)).padStart(2, '0')}`);
    const dataset = await brainTumorMriDataset.create({ root }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'multiclass', classes: ['meningioma', 'glioma', 'pituitary'], skipped: [] });
    // TEST round(10·70/233) = round(3.00) = 3 at round(arange(0, 10, 10/3)) = 0, 3, 7 (6.67 → 7);
    // VAL round(10·50/233) = round(2.15) = 2 of the 7 left at round(arange(0, 7, 3.5)) = 0, 4 (3.5 → 4).
    // Patients P01..P10: TEST P01 P04 P08; left P02 P03 P05 P06 P07 P09 P10 → VAL P02, P07.
    const byPatient = new Map(dataset.items.map((item) => [item.patient, item.split]));
    expect(Object.fromEntries([...byPatient].sort())).toEqual({
      P01: 'test', P02: 'val', P03: 'train', P04: 'test', P05: 'train', P06: 'train', P07: 'val', P08: 'test', P09: 'train', P10: 'train',
    });
    expect(dataset.items.every((item) => byPatient.get(item.patient) === item.split)).toBe(true);
    const first = dataset.items.find((item) => item.id === 'brainTumorDataPublic_1-10/2.mat')!;
    expect(first).toMatchObject({ label: 1, patient: 'P01', split: 'test' });
    expect(dataset.notes[0]).toBe(
      'brain-tumor-mri: 10 patients sorted by PID; TEST 3 and VAL 2 (of the rest) evenly spaced, TRAIN the rest (the release has 233; counts scaled from 70 / 50)',
    );
  });

  it('opens the image in MATLAB orientation with the study clip: > p95 → p95, ≤ p5 → 0', async () => {
    const root = await temporaryFolder();
    await writeSlice(root, 1, 1, '7');
    const dataset = await brainTumorMriDataset.create({ root }, contextAt('/'));
    // Column-major [10, 40, 20, 50, 30, 60] for 2 rows × 3 columns: rows [10, 20, 30] and [40, 50, 60].
    // Sorted 10..60: p5 at h = 5·0.05 = 0.25 → 10 + 0.25·10 = 12.5; p95 at h = 4.75 → 50 + 0.75·10 = 57.5.
    // 10 ≤ 12.5 → 0; 60 > 57.5 → 57.5.
    const image = await dataset.open(dataset.items[0]);
    expect(image).toMatchObject({ width: 3, height: 2, channels: 1, range: { min: 0, max: 57.5 } });
    expect([...image.data]).toEqual([0, 20, 30, 40, 50, 57.5]);
    const unclipped = await brainTumorMriDataset.create({ root, clip: 'none' }, contextAt('/'));
    expect([...(await unclipped.open(unclipped.items[0])).data]).toEqual([10, 20, 30, 40, 50, 60]);
    expect(await unclipped.contentKey(unclipped.items[0])).not.toBe(await dataset.contentKey(dataset.items[0]));
  });

  it('reads a file written by the HDF5 library: user block, chunked and deflated storage', async () => {
    const root = await temporaryFolder();
    await writeFile(join(root, '1.mat'), gunzipSync(Buffer.from(HDF5_LIBRARY_MAT, 'base64')));
    const dataset = await brainTumorMriDataset.create({ root, clip: 'none' }, contextAt('/'));
    expect(dataset.items).toMatchObject([{ id: '1.mat', label: 2, patient: 'MR042' }]);
    // The MATLAB matrix [[1, 2, 3], [4, 5, 6]] (2 rows × 3 columns), stored transposed as HDF5 does for MATLAB.
    expect(await dataset.open(dataset.items[0])).toEqual({ width: 3, height: 2, channels: 1, data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  });

  it('reports unreadable files and labels outside 1..3 by file', async () => {
    const root = await temporaryFolder();
    await writeSlice(root, 1, 1, '1');
    await writeSlice(root, 2, 4, '2');
    await writeFile(join(root, '3.mat'), 'MATLAB 5.0 MAT-file');
    const dataset = await brainTumorMriDataset.create({ root, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.skipped).toEqual([
      { source: join(root, '2.mat'), reason: 'cjdata/label is 4, expected 1, 2 or 3' },
      { source: join(root, '3.mat'), reason: 'not a MATLAB v7.3 (HDF5) file: no HDF5 signature at byte 0, 512, 1024, …' },
    ]);
  });
});
