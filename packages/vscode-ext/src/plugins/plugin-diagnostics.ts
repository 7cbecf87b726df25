import * as vscode from 'vscode';
import { configEntryLocations } from '../config/entry-locations.js';
import { isConfigDocument } from '../config/config-files.js';
import { configPlugins } from './config-plugins.js';
import { MISSING_PLUGIN_CODE } from './missing-plugin-fixes.js';
import { missingPlugins, type MissingPlugin } from './missing-plugins.js';
import type { PluginIndex } from './plugin-index.js';

/** Marks each config entry whose kind no installed plugin provides, with the command that installs it (and keeps what the quick fixes need). */
export class PluginDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('radprobe');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** Each config's missing kinds by the offset of their `kind` value, as last diagnosed: what the quick fixes act on. */
  private readonly missing = new Map<string, Map<number, MissingPlugin>>();

  constructor(private readonly index: PluginIndex) {
    this.disposables.push(
      index.onDidChange(() => vscode.workspace.textDocuments.forEach((document) => void this.check(document))),
      vscode.workspace.onDidOpenTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => void this.check(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.collection.delete(document.uri);
        this.missing.delete(document.uri.toString());
      }),
    );
    vscode.workspace.textDocuments.forEach((document) => void this.check(document));
  }

  missingAt(uri: vscode.Uri, offset: number): MissingPlugin | undefined {
    return this.missing.get(uri.toString())?.get(offset);
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (!isConfigDocument(document)) return;
    const text = document.getText();
    const named = await configPlugins(document.uri.fsPath, text);
    if (named.unknown > 0) {
      this.collection.delete(document.uri);
      this.missing.delete(document.uri.toString());
      return;
    }
    const installed = [...this.index.pluginsFor(document.uri), ...named.plugins];
    const missing = missingPlugins(configEntryLocations(text), installed);
    this.missing.set(document.uri.toString(), new Map(missing.map((item) => [item.entry.kindOffset, item])));
    const diagnostics = missing.map(({ entry, message }) => {
      const range = new vscode.Range(document.positionAt(entry.kindOffset), document.positionAt(entry.kindOffset + entry.kindLength));
      const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'radprobe';
      diagnostic.code = MISSING_PLUGIN_CODE;
      return diagnostic;
    });
    this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}
