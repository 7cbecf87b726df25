import * as vscode from 'vscode';
import { configEntryLocations } from '../config/entry-locations.js';
import { isConfigDocument } from '../config/config-files.js';
import { configPlugins } from './config-plugins.js';
import { missingPlugins } from './missing-plugins.js';
import type { PluginIndex } from './plugin-index.js';

/** Marks each config entry whose kind no installed plugin provides, with the command that installs it. */
export class PluginDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('radprobe');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly index: PluginIndex) {
    this.disposables.push(
      index.onDidChange(() => vscode.workspace.textDocuments.forEach((document) => void this.check(document))),
      vscode.workspace.onDidOpenTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => void this.check(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.collection.delete(document.uri)),
    );
    vscode.workspace.textDocuments.forEach((document) => void this.check(document));
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (!isConfigDocument(document)) return;
    const text = document.getText();
    const named = await configPlugins(document.uri.fsPath, text);
    if (named.unknown > 0) {
      this.collection.delete(document.uri);
      return;
    }
    const installed = [...this.index.pluginsFor(document.uri), ...named.plugins];
    const diagnostics = missingPlugins(configEntryLocations(text), installed).map(({ entry, message }) => {
      const range = new vscode.Range(document.positionAt(entry.kindOffset), document.positionAt(entry.kindOffset + entry.kindLength));
      const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'radprobe';
      diagnostic.code = 'missing-plugin';
      return diagnostic;
    });
    this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}
