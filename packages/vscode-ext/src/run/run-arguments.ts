import type { Device } from '../settings.js';

/** Which cells to run: all of the config, or those matching the given names. */
export interface CellFilter {
  backbone?: string;
  dataset?: string;
  protocol?: string;
}

/**
 * The arguments of `radprobe run` for the extension: the jsonl reporter (the protocol it reads), the cell filter,
 * and the device when the setting asks for one (with `auto` the config decides).
 */
export function runArguments(configPath: string, only: CellFilter, device: Device): string[] {
  const args = ['run', configPath, '--reporter', 'jsonl'];
  for (const key of ['backbone', 'dataset', 'protocol'] as const) {
    const value = only[key];
    if (value) args.push(`--${key}`, value);
  }
  if (device !== 'auto') args.push('--device', device);
  return args;
}
