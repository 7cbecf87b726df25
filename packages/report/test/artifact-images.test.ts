import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, readArtifactImages, renderReport, writeReport } from '../src/index.js';
import { artifactFolder, hostileArtifactName, onePixelPng, writeRunWithArtifacts } from './artifact-fixture.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'radprobe-report-images-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dataUrl = `data:image/png;base64,${onePixelPng.toString('base64')}`;

describe('artifact images in report.html', () => {
  it('reads the first four PNG artifacts of a cell, naming the ones that cannot be shown', async () => {
    const results = await writeRunWithArtifacts(dir);
    const images = await readArtifactImages(dir, results);
    expect([...images.keys()]).toEqual([hostileArtifactName, 'missing.png', 'not-a-png.png', 'mask-2.png'].map((name) => `${artifactFolder}/${name}`));
    expect(images.get(`${artifactFolder}/${hostileArtifactName}`)).toEqual({ dataUrl });
    expect(images.get(`${artifactFolder}/missing.png`)).toEqual({ problem: 'is missing from the run folder' });
    expect(images.get(`${artifactFolder}/not-a-png.png`)).toEqual({ problem: 'is not a PNG file' });
  });

  it('embeds them as data: URLs with escaped alt text and names, within the page policy', async () => {
    const results = await writeRunWithArtifacts(dir);
    const page = await readFile(await writeReport(dir, results), 'utf8');
    expect(page).toBe(renderReport(results, await readArtifactImages(dir, results)));
    const images = [...page.matchAll(/<img [^>]*>/g)].map((match) => match[0]);
    expect(images).toHaveLength(2);
    expect(images[0]).toBe(
      `<img class="artifact" src="${dataUrl}" alt="mask&quot;&lt;b&gt;.png from dinov2-vits14 × nih-mini × linear (the cell's notes say what it shows)">`,
    );
    expect(images[1]).toContain('alt="mask-2.png from');
    expect(page).toContain(`<figcaption><code>${artifactFolder}/mask&quot;&lt;b&gt;.png</code></figcaption>`);
    expect(page).toContain(`<p class="artifact-missing">${artifactFolder}/missing.png is missing from the run folder.</p>`);
    expect(page).toContain(`<p class="artifact-missing">${artifactFolder}/not-a-png.png is not a PNG file.</p>`);
    expect(page).toContain(`2 more file(s) in the run folder under <code>${artifactFolder}/</code>.`);
    expect(page).toMatch(/Content-Security-Policy" content="[^"]*img-src data:/);
  });

  it("finds artifacts in folders whose names the engine escaped (a backbone named vit/a is artifacts/vit%2Fa)", async () => {
    const results = await writeRunWithArtifacts(dir);
    const escaped = 'artifacts/vit%2Fa/nih%20mini/linear/mask-2.png';
    await mkdir(join(dir, 'artifacts', 'vit%2Fa', 'nih%20mini', 'linear'), { recursive: true });
    await writeFile(join(dir, ...escaped.split('/')), onePixelPng);
    results.cells[0].artifacts = [{ name: 'mask-2.png', mediaType: 'image/png', file: escaped }];
    expect((await readArtifactImages(dir, results)).get(escaped)).toEqual({ dataUrl });
  });

  it('leaves an image over the size limit on disk', async () => {
    const results = await writeRunWithArtifacts(dir);
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    onePixelPng.copy(big);
    await writeFile(join(dir, artifactFolder, 'mask-2.png'), big);
    expect((await readArtifactImages(dir, results)).get(`${artifactFolder}/mask-2.png`)).toEqual({ problem: `is ${MAX_IMAGE_BYTES + 1} bytes, over the ${MAX_IMAGE_BYTES} the report embeds` });
  });

  it('refuses an artifact path that leads outside the run folder, naming its JSON pointer', async () => {
    const results = await writeRunWithArtifacts(dir);
    await mkdir(join(dir, 'run'), { recursive: true });
    for (const file of ['../secret.png', '/etc/passwd', 'a/../../b.png', '.']) {
      results.cells[0].artifacts![1].file = file;
      await expect(readArtifactImages(join(dir, 'run'), results)).rejects.toMatchObject({ pointer: '/cells/0/artifacts/1/file' });
    }
  });
});
