import { basename } from 'node:path';
import * as vscode from 'vscode';

/** radprobe configs: `radprobe.json`, or `<name>.radprobe.json` for several in one folder. */
export const configGlob = '**/{radprobe.json,*.radprobe.json}';

export function isConfigPath(path: string): boolean {
  const name = basename(path);
  return name === 'radprobe.json' || name.endsWith('.radprobe.json');
}

export function isConfigDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && isConfigPath(document.uri.fsPath);
}

/** The configs in the workspace, outside node_modules. */
export async function findConfigs(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(configGlob, '**/node_modules/**');
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}
