import { readFile } from 'node:fs/promises';
import { RadprobeError, errorMessage } from '@radprobe/core';

/**
 * A JSON object read from `file`, or `undefined` when the file does not exist. Any other failure — unreadable,
 * not JSON, not an object — is an error naming the file.
 */
export async function readJsonObjectIfPresent(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RadprobeError(`Cannot read ${file}: ${errorMessage(error)}`, { file, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RadprobeError(`${file} is not valid JSON: ${errorMessage(error)}`, { file, cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RadprobeError(`${file} must hold a JSON object`, { file, pointer: '/' });
  }
  return parsed as Record<string, unknown>;
}
