import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { RadprobeError, type Dataset, type DatasetFactory, type DatasetItem, type Split } from '@radprobe/core';

export interface Options {
  root: string;
  /** The entry's name, which the engine passes with the options. */
  name?: string;
}

/** One line of `<root>/items.json`. */
interface Listed {
  file: string;
  class: string;
  split: Split;
  patient?: string;
}

/** PNG images listed in `<root>/items.json` with their class, split and patient: replace with your source's format. */
export const dataset: DatasetFactory<Options> = {
  kind: '__KIND__',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['root'],
    // `x-radprobe-path` lets `radprobe validate` check the folder exists before a run.
    properties: { root: { type: 'string', minLength: 1, 'x-radprobe-path': 'folder', description: 'Folder holding items.json and the images.' } },
  },
  async create(options, context): Promise<Dataset> {
    const root = resolve(context.baseDir, options.root);
    const listFile = join(root, 'items.json');
    const listed = JSON.parse(await readFile(listFile, 'utf8').catch(() => {
      throw new RadprobeError(`${listFile}: cannot read the item list`, { file: listFile, pointer: '/root' });
    })) as Listed[];
    const classes = [...new Set(listed.map((entry) => entry.class))].sort();
    const items: DatasetItem[] = listed.map((entry) => ({
      id: entry.file,
      split: entry.split,
      label: classes.indexOf(entry.class),
      ...(entry.patient ? { patient: entry.patient } : {}),
      source: join(root, entry.file),
    }));
    return {
      name: options.name ?? '__KIND__',
      task: 'multiclass',
      classes,
      items,
      skipped: [],
      notes: [],
      async open(item) {
        const png = PNG.sync.read(await readFile(item.source));
        const data = new Uint8Array(png.width * png.height * 3);
        for (let p = 0; p < png.width * png.height; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = png.data[p * 4 + c];
        return { width: png.width, height: png.height, channels: 3, data, range: { min: 0, max: 255 } };
      },
      // The file's bytes key the feature cache: an edited image is embedded again.
      async contentKey(item) {
        return createHash('sha256').update(await readFile(item.source)).digest('hex');
      },
    };
  },
};
