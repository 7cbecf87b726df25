import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { BackboneInputDescription, RunConfig } from '../../contracts/index.js';
import { preprocessingSteps, resolvePreprocessing } from '../image/preprocessing.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { entryOptions } from '../run/components.js';
import { errorMessage, RadprobeError } from '../util/errors.js';
import { createAjv } from './ajv.js';
import { composeConfigSchema } from './compose-schema.js';
import type { ConfigIssue } from './config-error.js';
import { describeVariables } from './env-variables.js';
import { JsonSource, valueAt } from './json-source.js';

/**
 * The schema annotation by which a plugin says that an option names a file (`"file"`) or a folder (`"dir"`),
 * relative to the config's folder: `{ "type": "string", "x-radprobe-path": "dir" }`.
 */
export const PATH_ANNOTATION = 'x-radprobe-path';

type PathKind = 'file' | 'dir';

interface NamedPath {
  pointer: string;
  kind: PathKind;
  value: string;
}

/** A validated config as `loadConfig` returns it, with the file it came from. */
export interface ConfigToCheck {
  file: string;
  /** The file's text, for lines and columns and for the `${env:…}` references as written. */
  source: string;
  config: RunConfig;
  baseDir: string;
}

const collectors = new WeakMap<PluginRegistry, ValidateFunction>();

/**
 * A validator of the composed schema that, instead of judging, collects every string at an annotated option
 * (`this` is the list it fills). Ajv walks the schema exactly as validation does: only the options schema of each
 * entry's own kind applies, `$ref`s and nested objects included.
 */
function pathCollectorFor(registry: PluginRegistry): ValidateFunction {
  let collect = collectors.get(registry);
  if (!collect) {
    const ajv = createAjv({ passContext: true });
    ajv.addKeyword({
      keyword: PATH_ANNOTATION,
      schemaType: 'string',
      metaSchema: { enum: ['file', 'dir'] },
      errors: false,
      validate: function (this: NamedPath[], kind: PathKind, data: unknown, _schema: unknown, where?: { instancePath: string }) {
        if (typeof data === 'string') this.push({ pointer: where?.instancePath ?? '', kind, value: data });
        return true;
      },
    });
    collect = ajv.compile(composeConfigSchema(registry));
    collectors.set(registry, collect);
  }
  return collect;
}

/**
 * Checks, without running anything, what a valid config names on disk: every option a plugin annotates as a file
 * or folder exists as one, and each backbone's model (a file or a model store name) can be found and takes the
 * preprocessing's image size (through the backbone's `describeInput`, which loads no model). Each problem is an
 * issue at its JSON pointer; a path made from `${env:…}` says which variables made it. `radprobe validate` and
 * the editor both call this.
 */
export async function checkConfigFiles(loaded: ConfigToCheck, registry: PluginRegistry, env: NodeJS.ProcessEnv = process.env): Promise<ConfigIssue[]> {
  const source = new JsonSource(loaded.source, { comments: loaded.file.endsWith('.jsonc') });
  const written = source.value();
  const issueAt = (pointer: string, message: string): ConfigIssue => {
    const raw = valueAt(written, pointer);
    const variables = typeof raw === 'string' ? describeVariables(raw, env) : '';
    return { file: loaded.file, ...source.position(source.offsetOf(pointer)), pointer, message: variables ? `${message} (${variables})` : message, check: 'files' };
  };

  const paths: NamedPath[] = [];
  pathCollectorFor(registry).call(paths, loaded.config);
  const issues: ConfigIssue[] = [];
  for (const path of paths) {
    const problem = await pathProblem(resolve(loaded.baseDir, path.value), path.kind);
    if (problem) issues.push(issueAt(path.pointer, problem));
  }

  const { config } = loaded;
  for (const [index, entry] of config.backbones.entries()) {
    const at = `/backbones/${index}`;
    const registration = registry.backbones.get(entry.kind);
    if (!registration?.factory.describeInput || issues.some((issue) => issue.pointer.startsWith(`${at}/`))) continue;
    const device = (entry.device as RunConfig['device'] | undefined) ?? config.device;
    let input: BackboneInputDescription;
    try {
      input = await registration.factory.describeInput({ ...entryOptions(entry), device }, { baseDir: loaded.baseDir, modelStoreDir: config.modelStore, device, log: () => {} });
    } catch (error) {
      const pointer = error instanceof RadprobeError && error.pointer ? `${at}${error.pointer}` : at;
      const message = error instanceof RadprobeError ? error.message : `${registration.packageName}@${registration.version}: ${errorMessage(error)}`;
      issues.push(issueAt(pointer, message));
      continue;
    }
    const problem = sizeProblem(config, entry.name!, at, input);
    if (problem) issues.push(issueAt(problem.pointer, problem.message));
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

async function pathProblem(path: string, kind: PathKind): Promise<string | null> {
  const found = await stat(path).catch(() => null);
  const noun = kind === 'dir' ? 'folder' : 'file';
  if (!found) return `${noun} not found: ${path}`;
  if (kind === 'dir' ? !found.isDirectory() : !found.isFile()) return `${path} is ${kind === 'dir' ? 'a file' : 'a folder'}, not a ${noun}`;
  return null;
}

/**
 * Whether the preprocessing gives the images a fixed-size model takes; if not, the preprocessing that would (the
 * same preset and steps, resized for that side).
 */
function sizeProblem(config: RunConfig, name: string, at: string, input: BackboneInputDescription): { pointer: string; message: string } | null {
  let made: { height: number; width: number };
  try {
    made = resolvePreprocessing(config.preprocessing, input).outputSize;
  } catch (error) {
    if (!(error instanceof RadprobeError)) throw error;
    return { pointer: error.pointer ?? '/preprocessing', message: error.message };
  }
  const wanted = input.fixedSize;
  if (!wanted || (wanted.height === made.height && wanted.width === made.width)) return null;
  const preprocessing = typeof config.preprocessing === 'string' ? `"${config.preprocessing}"` : JSON.stringify(config.preprocessing);
  const takes = `backbone "${name}" (${at}) takes ${wanted.height}×${wanted.width} images (${input.sizeSource}), but preprocessing ${preprocessing} makes ${made.height}×${made.width}`;
  if (wanted.height !== wanted.width) return { pointer: '/preprocessing', message: `${takes}; every preset makes square images: export the model with a square or dynamic input size` };
  return { pointer: '/preprocessing', message: `${takes}; use "preprocessing": ${JSON.stringify(fittingPreprocessing(config.preprocessing, wanted.height))}` };
}

/** The config's preprocessing (its preset and overrides) with the resize and crop scaled to make `side`² images. */
function fittingPreprocessing(preprocessing: RunConfig['preprocessing'], side: number): Record<string, unknown> {
  const steps = preprocessingSteps(preprocessing);
  const written = typeof preprocessing === 'string' ? { preset: preprocessing } : { preset: 'study', ...preprocessing };
  if (steps.centerCrop === null) return { ...written, resize: { mode: steps.resize.mode, size: side } };
  return { ...written, resize: { mode: steps.resize.mode, size: Math.round((side * steps.resize.size) / steps.centerCrop) }, centerCrop: side };
}
