import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { reportForWebview } from './webview-html.js';

/**
 * The results panel: a run's report.html (tables and Chart.js charts) in a webview, in the editor's colours. One
 * panel, reused. Its scripts run only in a trusted workspace; in an untrusted one the tables show without charts,
 * since the file comes from the workspace.
 */
export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  async show(runDir: string, runId: string): Promise<void> {
    const reportHtml = await readFile(join(runDir, 'report.html'), 'utf8');
    const scripts = vscode.workspace.isTrusted;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('radprobe.results', 'radprobe results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: scripts,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = `radprobe · ${runId}`;
    this.panel.webview.options = { enableScripts: scripts, localResourceRoots: [] };
    this.panel.webview.html = reportForWebview(reportHtml, { nonce: randomBytes(16).toString('base64'), cspSource: this.panel.webview.cspSource, scripts });
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
