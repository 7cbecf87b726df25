import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { cellLabel, type CellKey } from '../testing/cell-items.js';
import { reportForWebview } from './webview-html.js';

/**
 * The results panel: a run's report.html (tables and Chart.js charts) in a webview, in the editor's colours, the
 * selected cell's section (ROC and PR curves, per-class table, confusion matrix: the report's own charts) first. One
 * panel, reused. Its scripts run only in a trusted workspace; in an untrusted one the tables show without charts,
 * since the file comes from the workspace.
 */
export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  /**
   * Shows a run's report; with `cell`, that cell's charts and tables first, with `before`, that markup above them
   * (`reportForWebview`).
   */
  async show(runDir: string, runId: string, cell?: CellKey, before?: string): Promise<void> {
    const reportHtml = await readFile(join(runDir, 'report.html'), 'utf8');
    const scripts = vscode.workspace.isTrusted;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('radprobe.results', 'radprobe results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: scripts,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = cell ? `radprobe · ${cellLabel(cell)}` : `radprobe · ${runId}`;
    this.panel.webview.options = { enableScripts: scripts, localResourceRoots: [] };
    this.panel.webview.html = reportForWebview(reportHtml, { nonce: randomBytes(16).toString('base64'), cspSource: this.panel.webview.cspSource, scripts, cell, before });
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
