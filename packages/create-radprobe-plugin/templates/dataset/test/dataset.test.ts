import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

describe('__KIND__ dataset', () => {
  it('lists the items of items.json and decodes their images', async () => {
    const root = await mkdtemp(join(tmpdir(), '__KIND__-'));
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([10, 20, 30, 255, 40, 50, 60, 255]);
    await writeFile(join(root, 'a.png'), PNG.sync.write(png));
    await writeFile(join(root, 'items.json'), JSON.stringify([{ file: 'a.png', class: 'normal', split: 'train', patient: 'p1' }]));
    const [factory] = plugin.datasets!;
    const dataset = await factory.create({ root }, { baseDir: '/', log: () => {} });
    expect(dataset.classes).toEqual(['normal']);
    expect(dataset.items).toEqual([{ id: 'a.png', split: 'train', label: 0, patient: 'p1', source: join(root, 'a.png') }]);
    const image = await dataset.open(dataset.items[0]);
    expect([...image.data]).toEqual([10, 20, 30, 40, 50, 60]);
    expect(await dataset.contentKey(dataset.items[0])).toMatch(/^[0-9a-f]{64}$/);
  });
});
