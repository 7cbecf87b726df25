import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import { renderCompareCsv } from './compare-csv.js';
import { renderCompareMarkdown } from './compare-markdown.js';
import { buildComparison } from './comparison.js';
import { renderComparePage } from './render-compare.js';

export interface CompareOptions {
  /** Folder the three files are written to (created when missing). */
  out: string;
  title?: string;
  /** Compare runs that differ in splits, image sizes, preprocessing or metrics, with warnings instead of an error. */
  allowMixed?: boolean;
}

/** Paths of the files written, and the warnings of a mixed comparison. */
export interface CompareOutput {
  html: string;
  markdown: string;
  csv: string;
  warnings: string[];
}

/** `radprobe report compare`: compares the results folders `runDirs` into compare.html, compare.md and compare.csv in `options.out`. */
export async function compareRuns(runDirs: string[], options: CompareOptions): Promise<CompareOutput> {
  const comparison = await buildComparison(runDirs, options);
  await mkdir(options.out, { recursive: true });
  const output = { html: join(options.out, 'compare.html'), markdown: join(options.out, 'compare.md'), csv: join(options.out, 'compare.csv'), warnings: comparison.warnings };
  await writeFileAtomic(output.html, renderComparePage(comparison));
  await writeFileAtomic(output.markdown, renderCompareMarkdown(comparison));
  await writeFileAtomic(output.csv, renderCompareCsv(comparison));
  return output;
}
