import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { log } from '../log.js';
import type { PluginIndex } from '../plugins/plugin-index.js';
import { readSettings } from '../settings.js';
import { runToEnd } from '../spawn/child-process.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import { findConfigs } from './config-files.js';

/** Where package.json's `jsonValidation` points for radprobe configs; this provider serves it. */
export const schemaUri = vscode.Uri.parse('radprobe-schema://schema/radprobe.schema.json');

const placeholderSchema = JSON.stringify({
  type: 'object',
  description: 'radprobe config. Completion and validation come from `radprobe schema`, which runs once the workspace is trusted and radprobe is installed.',
});

/**
 * Serves the JSON Schema that `radprobe schema` composes from the installed plugins, and announces a new one
 * whenever the plugins change (VS Code's JSON support then revalidates open configs). Composing it means loading
 * plugin code, so in an untrusted workspace the schema file a previous `radprobe schema` left beside the config is
 * served instead, as data.
 */
export class SchemaProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private schema: Promise<string> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly storageDir: string, index: PluginIndex) {
    this.subscription = index.onDidChange(() => this.refresh());
  }

  provideTextDocumentContent(): Promise<string> {
    this.schema ??= this.compose();
    return this.schema;
  }

  refresh(): void {
    this.schema = this.compose();
    void this.schema.then(() => this.changed.fire(schemaUri));
  }

  private async compose(): Promise<string> {
    const [config] = await findConfigs();
    const folder = config ? dirname(config.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) return placeholderSchema;
    if (!vscode.workspace.isTrusted) {
      return readFile(join(folder, 'radprobe.schema.json'), 'utf8').catch(() => placeholderSchema);
    }
    try {
      await mkdir(this.storageDir, { recursive: true });
      const out = join(this.storageDir, 'radprobe.schema.json');
      const runner = resolveRunner(folder, readSettings(config));
      await runToEnd(runner, ['schema', config?.fsPath ?? join(folder, 'radprobe.json'), '--out', out], folder, (line) => log.info(`$ ${line}`));
      return await readFile(out, 'utf8');
    } catch (error) {
      log.warn(`no config schema: ${(error as Error).message}`);
      return placeholderSchema;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
