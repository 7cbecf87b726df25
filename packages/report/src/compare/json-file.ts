import { readFile } from 'node:fs/promises';
import { RadprobeError, errorMessage } from '@radprobe/core';

/** The parsed JSON of `path`; a missing, unreadable or malformed file is an error naming it. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RadprobeError(missing ? `${path} does not exist` : `cannot read ${path}: ${errorMessage(error)}`, { file: path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RadprobeError(`${path} is not valid JSON: ${errorMessage(error)}`, { file: path });
  }
}
