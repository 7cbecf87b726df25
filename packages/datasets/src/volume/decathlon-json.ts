import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, RadprobeError } from '@radprobe/core';

/** What radprobe uses of a Decathlon-style `dataset.json` (MSD, AMOS). */
export interface DecathlonDescription {
  file: string;
  /** Class names, index = label value; index 0 is `background`. */
  classes: string[];
  /** Modality per input channel, e.g. `["CT"]` or `["MRI"]`. */
  modalities: string[];
}

/**
 * Reads `<root>/dataset.json`: `labels` maps label values "0", "1", … (consecutive from 0) to names, value 0 being
 * the background; `modality` maps channel numbers to modality names.
 */
export async function readDecathlonJson(root: string): Promise<DecathlonDescription> {
  const file = join(root, 'dataset.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RadprobeError(`${file}: cannot read the dataset description (${errorMessage(error)})`, { file, cause: error });
  }
  if (!isRecord(json)) throw new RadprobeError(`${file}: expected a JSON object`, { file });
  const labels = json.labels;
  if (!isRecord(labels)) throw new RadprobeError(`${file}: /labels must be an object of label value → name`, { file, pointer: '/labels' });
  const classes: string[] = [];
  for (const [value, labelName] of Object.entries(labels)) {
    const index = Number(value);
    if (!(Number.isInteger(index) && index >= 0 && String(index) === value)) {
      throw new RadprobeError(`${file}: /labels/${value}: label values must be non-negative integers`, { file, pointer: `/labels/${value}` });
    }
    if (typeof labelName !== 'string' || labelName.trim() === '') {
      throw new RadprobeError(`${file}: /labels/${value} must be a class name`, { file, pointer: `/labels/${value}` });
    }
    classes[index] = labelName.trim();
  }
  const gap = Array.from({ length: classes.length }, (_, index) => index).find((index) => classes[index] === undefined);
  if (classes.length === 0 || gap !== undefined) {
    throw new RadprobeError(`${file}: /labels must name every value from 0 up${gap !== undefined ? ` (${gap} is missing)` : ''}`, { file, pointer: '/labels' });
  }
  if (classes[0].toLowerCase() !== 'background') {
    throw new RadprobeError(`${file}: /labels/0 is "${classes[0]}"; label 0 must be the background`, { file, pointer: '/labels/0' });
  }
  classes[0] = 'background';
  const modality = json.modality;
  const modalities = isRecord(modality) ? Object.values(modality).map(String) : [];
  return { file, classes, modalities };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
