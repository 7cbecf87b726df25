import { copyFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { RadprobeError, canonicalJson, type PluginProvenance, type RunResults } from '@radprobe/core';
import { RunFolder, writeRunResults } from '@radprobe/core/engine';
import { pathInside } from '../artifact-images.js';
import { loadRuns, type LoadedRun } from '../compare/load-runs.js';
import { writeReport } from '../write-report.js';

/**
 * Fields of a merged results.json that are by nature per run and so differ from a single-process run of the same
 * config: `runId` (and `name` when the config has none: it is the run id), `startedAt` (the earliest part's) and
 * `finishedAt` (the latest part's), each cell's `durationMs` (as its part measured it), and the machine a
 * part ran on (`provenance.hostname`, `cpu`, `cpus`, `memoryBytes`, `platform`: the first part's; parts on other
 * machines are named in the log). Everything else is equal byte for byte.
 */
export const PER_RUN_FIELDS = ['runId', 'name', 'startedAt', 'finishedAt', 'cells[].durationMs', 'provenance.hostname', 'provenance.cpu', 'provenance.cpus', 'provenance.memoryBytes', 'provenance.platform'] as const;

export interface MergeOutput {
  dir: string;
  results: RunResults;
  warnings: string[];
}

type Cell = { backbone: string; dataset: string; protocol: string };
const cellName = (cell: Cell) => `${cell.backbone} × ${cell.dataset} × ${cell.protocol}`;

/**
 * `radprobe report merge`: joins the results folders of `radprobe run --cells I/N` parts into one results folder
 * (results.json, .md, .csv, report.html and the cells' artifacts), as a single-process run of the config would
 * have written it. Refuses, naming the field and both values, parts of different configs or code, and names the
 * cells that two parts both hold or that no part holds.
 */
export async function mergeRuns(dirs: readonly string[], options: { out?: string } = {}): Promise<MergeOutput> {
  const runs = await loadRuns(dirs);
  const first = runs[0];
  const warnings: string[] = [];
  for (const run of runs.slice(1)) assertSameRun(first, run);
  const config = first.results.config as { name?: string; backbones: Array<{ name: string }>; datasets: Array<{ name: string }>; protocols: Array<{ name: string }> };
  const grid = config.backbones.flatMap((b) => config.datasets.flatMap((d) => config.protocols.map((p) => ({ backbone: b.name, dataset: d.name, protocol: p.name }))));
  const position = new Map(grid.map((cell, at) => [cellName(cell), at]));

  const owner = new Map<string, LoadedRun>();
  for (const run of runs) {
    for (const cell of run.results.cells) {
      const name = cellName(cell);
      if (!position.has(name)) throw new RadprobeError(`${join(run.dir, 'results.json')}: cell ${name} is not in the grid of its config`);
      const other = owner.get(name);
      if (other) throw new RadprobeError(`cell ${name} is in both ${join(other.dir, 'results.json')} and ${join(run.dir, 'results.json')}: give each part once`);
      owner.set(name, run);
    }
  }
  const missing = grid.filter((cell) => !owner.has(cellName(cell)));
  if (missing.length > 0) {
    const counts = [...new Set(runs.map((run) => run.results.partition?.cells.count ?? 1))];
    const parts = counts.length === 1 && counts[0] > 1 ? [...new Set(missing.map((cell) => position.get(cellName(cell))! % counts[0]))].sort((a, b) => a - b) : [];
    const which = parts.length ? ` (they belong to --cells ${parts.map((index) => `${index}/${counts[0]}`).join(', ')})` : '';
    const listed = missing.slice(0, 10).map(cellName).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
    throw new RadprobeError(`${missing.length} of the ${grid.length} cells of the config are in none of the given results: ${listed}${which}`);
  }
  const ordered = <T extends Cell>(cells: T[]) => [...cells].sort((a, b) => position.get(cellName(a))! - position.get(cellName(b))!);

  const startedAt = runs.map((run) => run.results.startedAt).sort()[0];
  const finishedAt = runs.map((run) => run.results.finishedAt).sort().at(-1)!;
  const hosts = [...new Set(runs.map((run) => run.results.provenance.hostname))];
  if (hosts.length > 1) warnings.push(`the parts ran on ${hosts.join(', ')}; provenance names the machine of the first (${first.dir})`);

  const out = options.out ? resolve(options.out) : null;
  const folder = out
    ? await RunFolder.create(dirname(out), basename(out), { key: '--out' }).then((created) => {
        if (created.dir !== out) throw new RadprobeError(`${out} exists already: name a new folder with --out`);
        return created;
      })
    : await RunFolder.create(dirname(resolve(first.dir)), `${first.results.startedAt.replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${first.results.provenance.configHash.slice(0, 8)}-merged`, { key: '--out' });
  const baseDir = resolve(first.dir, first.results.baseDir ?? '.');
  const results: RunResults = {
    schemaVersion: 1,
    runId: folder.runId,
    name: config.name ?? folder.runId,
    startedAt,
    finishedAt,
    config: first.results.config,
    ...(first.results.baseDir !== undefined ? { baseDir: relative(folder.dir, baseDir).split(sep).join('/') || '.' } : {}),
    provenance: {
      ...first.results.provenance,
      backbones: mergedBackbones(runs, config.backbones.map((b) => b.name)),
      ...(first.results.provenance.plugins ? { plugins: mergedPlugins(runs) } : {}),
    },
    datasets: mergedDatasets(runs, config.datasets.map((d) => d.name)),
    cells: ordered(runs.flatMap((run) => run.results.cells)),
    ...(first.results.failed ? { failed: ordered(runs.flatMap((run) => run.results.failed ?? [])) } : {}),
  };
  try {
    await folder.publish(async (staging) => {
      for (const run of runs) await copyArtifacts(run, staging);
      await writeRunResults(staging, results);
      await writeReport(staging, results);
    });
  } catch (error) {
    await folder.discard();
    throw error;
  }
  return { dir: folder.dir, results, warnings };
}

/** Refuses two parts that are not of the same config and code, naming the field and both values. */
function assertSameRun(a: LoadedRun, b: LoadedRun): void {
  const fields: Array<[string, unknown, unknown]> = [
    ['provenance.configHash', a.results.provenance.configHash, b.results.provenance.configHash],
    ['provenance.gitCommit', a.results.provenance.gitCommit, b.results.provenance.gitCommit],
    ['provenance.node', a.results.provenance.node, b.results.provenance.node],
    ['provenance.seed', a.results.provenance.seed, b.results.provenance.seed],
  ];
  const packages = new Set([...Object.keys(a.results.provenance.packages), ...Object.keys(b.results.provenance.packages)]);
  for (const name of [...packages].sort()) fields.push([`provenance.packages["${name}"]`, a.results.provenance.packages[name] ?? null, b.results.provenance.packages[name] ?? null]);
  for (const [field, left, right] of fields) {
    if (canonicalJson(left) === canonicalJson(right)) continue;
    throw new RadprobeError(
      `cannot merge: ${field} is ${JSON.stringify(left)} in ${join(a.dir, 'results.json')} but ${JSON.stringify(right)} in ${join(b.dir, 'results.json')}: ` +
        'merge only the parts of one config run with one radprobe',
    );
  }
}

/** Each backbone once, in config order; a backbone whose weights differ between parts is refused. */
function mergedBackbones(runs: LoadedRun[], order: string[]): RunResults['provenance']['backbones'] {
  const byName = new Map<string, { entry: RunResults['provenance']['backbones'][number]; dir: string; providers: string[] }>();
  for (const run of runs) {
    for (const entry of run.results.provenance.backbones) {
      const known = byName.get(entry.name);
      if (!known) {
        byName.set(entry.name, { entry, dir: run.dir, providers: [entry.executionProvider] });
        continue;
      }
      for (const field of ['weightsHash', 'description'] as const) {
        if (known.entry[field] !== entry[field]) {
          throw new RadprobeError(
            `cannot merge: backbone ${entry.name}'s ${field} is ${JSON.stringify(known.entry[field])} in ${join(known.dir, 'results.json')} but ${JSON.stringify(entry[field])} in ${join(run.dir, 'results.json')}`,
          );
        }
      }
      if (!known.providers.includes(entry.executionProvider)) known.providers.push(entry.executionProvider);
    }
  }
  return order.flatMap((name) => {
    const known = byName.get(name);
    return known ? [{ ...known.entry, executionProvider: known.providers.join(', ') }] : [];
  });
}

/** Each plugin package once, by name, with the kinds every part used. */
function mergedPlugins(runs: LoadedRun[]): PluginProvenance[] {
  const byName = new Map<string, PluginProvenance>();
  for (const run of runs) {
    for (const plugin of run.results.provenance.plugins ?? []) {
      const known = byName.get(plugin.name);
      if (!known) {
        byName.set(plugin.name, structuredClone(plugin));
        continue;
      }
      for (const section of ['backbones', 'datasets', 'protocols'] as const) {
        const kinds = [...new Set([...(known.contributed[section] ?? []), ...(plugin.contributed[section] ?? [])])].sort();
        if (kinds.length > 0) known.contributed[section] = kinds;
      }
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((plugin) => ({ ...plugin, contributed: sortedSections(plugin.contributed) }));
}

function sortedSections(contributed: PluginProvenance['contributed']): PluginProvenance['contributed'] {
  return Object.fromEntries((['backbones', 'datasets', 'protocols'] as const).filter((section) => contributed[section]).map((section) => [section, contributed[section]]));
}

/**
 * Each dataset once, in config order. Parts that loaded a dataset must have seen the same items (split hash,
 * counts, classes); the items a part left out as bad are joined.
 */
function mergedDatasets(runs: LoadedRun[], order: string[]): RunResults['datasets'] {
  const byName = new Map<string, { summary: RunResults['datasets'][number]; dir: string }>();
  for (const run of runs) {
    for (const summary of run.results.datasets) {
      const known = byName.get(summary.name);
      if (!known) {
        byName.set(summary.name, { summary: structuredClone(summary), dir: run.dir });
        continue;
      }
      const { skipped: _left, ...left } = known.summary;
      const { skipped, ...right } = summary;
      for (const field of Object.keys({ ...left, ...right }) as Array<keyof typeof left>) {
        if (canonicalJson(left[field]) === canonicalJson(right[field])) continue;
        throw new RadprobeError(
          `cannot merge: dataset ${summary.name}'s ${field} is ${JSON.stringify(left[field])} in ${join(known.dir, 'results.json')} but ${JSON.stringify(right[field])} in ${join(run.dir, 'results.json')}: the parts saw different data`,
        );
      }
      for (const item of skipped) if (!known.summary.skipped.some((other) => other.source === item.source)) known.summary.skipped.push(item);
    }
  }
  return order.flatMap((name) => (byName.has(name) ? [byName.get(name)!.summary] : []));
}

/** Copies the files a part's cells list as artifacts into the merged folder, at the same relative paths. */
async function copyArtifacts(run: LoadedRun, staging: string): Promise<void> {
  for (const [c, cell] of run.results.cells.entries()) {
    for (const [a, artifact] of (cell.artifacts ?? []).entries()) {
      const source = pathInside(run.dir, artifact.file, { name: 'results.json', pointer: `/cells/${c}/artifacts/${a}/file`, folder: 'run folder' });
      const target = join(staging, ...artifact.file.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
    }
  }
}
