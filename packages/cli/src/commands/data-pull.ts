import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RadprobeError, sha256, writeFileAtomic } from '@radprobe/core';
import { entryOptions, loadConfig, loadRegistryForConfig, mapConcurrent } from '@radprobe/core/engine';
import { openDicomwebCohort, type DicomwebDatasetOptions } from '@radprobe/datasets';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

export interface PullOptions {
  config: string;
  /** The dicomweb entry to pull; may be left out when the config has one. */
  dataset?: string;
  out: string;
  /** Where progress lines go. */
  progress(line: string): void;
}

/** How many progress lines a pull prints at most, besides the last. */
const PROGRESS_LINES = 20;

/**
 * Downloads a dicomweb dataset's cohort into the `dicom` kind's layout, `<out>/<split>/<class>/<instance>.dcm` for
 * a single image and `<out>/<split>/<class>/<series>/<instance>.dcm` for a series (names are the ids the run
 * uses: SOP / Series Instance UIDs, or their salted hashes), with the splits the dicomweb run carves. Instances
 * come through the same store as a run's: what a run retrieved is not downloaded again, and a pull that stopped
 * resumes. Returns how many files were written.
 */
export async function pullDicomweb(options: PullOptions): Promise<{ files: number; retrieved: number; fromStore: number }> {
  const configPath = resolve(options.config);
  const registry = await loadRegistryForConfig(configPath, builtinPlugins, cliSearchDirs);
  const { config, baseDir } = await loadConfig(configPath, registry);
  const candidates = config.datasets.filter((entry) => entry.kind === 'dicomweb' && (options.dataset === undefined || entry.name === options.dataset));
  if (candidates.length !== 1) {
    const names = config.datasets.filter((entry) => entry.kind === 'dicomweb').map((entry) => entry.name);
    throw new RadprobeError(
      options.dataset === undefined
        ? `radprobe data pull: ${configPath} has ${names.length} dicomweb datasets${names.length > 1 ? ` (${names.join(', ')}); name one with --dataset` : ''}`
        : `radprobe data pull: ${configPath} has no dicomweb dataset "${options.dataset}"${names.length > 0 ? ` (dicomweb datasets: ${names.join(', ')})` : ''}`,
      { file: configPath },
    );
  }
  const entry = candidates[0];
  const out = resolve(options.out);
  const cohort = await openDicomwebCohort(
    { ...(entryOptions(entry) as unknown as DicomwebDatasetOptions), name: entry.name, onBadItem: 'fail' },
    { baseDir, log: () => {}, decodeLimits: config.decodeLimits, cacheDir: resolve(baseDir, config.cache) },
  );
  const files = cohort.series.flatMap((series) => {
    const folder = join(out, cohort.splitOf(series), series.className, ...(series.instances.length > 1 ? [cohort.publicId(series.series, 'series')] : []));
    return series.instances.map((instance) => ({ instance, path: join(folder, `${cohort.publicId(instance.sop, 'instance')}.dcm`) }));
  });
  const every = Math.max(1, Math.ceil(files.length / PROGRESS_LINES));
  let done = 0;
  await mapConcurrent(files, 8, async ({ instance, path }) => {
    const bytes = await cohort.retriever.bytes(instance);
    const existing = await readFile(path).catch(() => null);
    if (!existing || sha256(existing) !== sha256(bytes)) await writeFileAtomic(path, bytes);
    done++;
    if (done % every === 0 || done === files.length) {
      options.progress(`pulled ${done}/${files.length} instances (${cohort.retriever.retrieved} retrieved, ${cohort.retriever.fromStore} from the store)`);
    }
  });
  return { files: files.length, retrieved: cohort.retriever.retrieved, fromStore: cohort.retriever.fromStore };
}

/** `radprobe data pull [CONFIG] --out DIR [--dataset NAME]`. */
export async function dataPullCommand(options: Omit<PullOptions, 'progress'>): Promise<number> {
  const { files } = await pullDicomweb({ ...options, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${files} instances in ${resolve(options.out)} (read it with the "dicom" dataset kind: { "kind": "dicom", "root": "${resolve(options.out)}" })\n`);
  return 0;
}
