import * as vscode from 'vscode';
import type { RunnerSettings } from './spawn/resolve-cli.js';

export type Device = 'auto' | 'cpu' | 'cuda';

export interface ExtensionSettings extends RunnerSettings {
  device: Device;
}

/** The `radprobe.*` settings for a folder (paths are machine settings: an untrusted workspace cannot set them). */
export function readSettings(scope?: vscode.Uri): ExtensionSettings {
  const section = vscode.workspace.getConfiguration('radprobe', scope);
  const device = section.get<string>('device', 'auto');
  return {
    cliPath: section.get<string>('cliPath', ''),
    nodePath: section.get<string>('nodePath', ''),
    device: device === 'cpu' || device === 'cuda' ? device : 'auto',
  };
}
