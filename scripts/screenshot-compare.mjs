// Renders the study demo's comparison page (demo-study/compare/compare.html, from `npm run demo:study`) in
// Debian's headless Chromium and saves the full page as docs/images/study-compare.png for the README.
// Usage: node scripts/screenshot-compare.mjs [compare.html] [out.png]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withOfflinePage } from './offline-page.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const page = resolve(process.argv[2] ?? join(root, 'demo-study', 'compare', 'compare.html'));
const out = resolve(process.argv[3] ?? join(root, 'docs', 'images', 'study-compare.png'));

await withOfflinePage(page, 'npm run demo:study', async (tab) => {
  await tab.waitForLoadState('load');
  // Chart.js draws on the next animation frames; wait until every canvas has pixels.
  await tab.waitForFunction(() => [...document.querySelectorAll('canvas')].every((canvas) => canvas.width > 0 && canvas.height > 0));
  await tab.waitForTimeout(500);
  await tab.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
});
