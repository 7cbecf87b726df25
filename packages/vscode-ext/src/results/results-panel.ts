import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { cellLabel, type CellKey } from '../testing/cell-items.js';
import { navigationCommands, runNavigationHtml } from './run-navigation-html.js';
import { reportForWebview } from './webview-html.js';

/**
 * The results panel: a run's report.html (tables and Chart.js charts) in a webview, in the editor's colours, the
 * selected cell's section (ROC and PR curves, per-class table, confusion matrix: the report's own charts) first,
 * under a bar that picks another run of the results folder, compares with one and opens the run's files; or a
 * comparison's compare.html (same page format). One panel, reused. Its scripts run only in a trusted workspace; in
 * an untrusted one the tables show without charts, since the file comes from the workspace.
 */
export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  /**
   * Shows a run's report; with `cell`, that cell's charts and tables first, with `before`, that markup above them
   * (`reportForWebview`).
   */
  async show(runDir: string, runId: string, cell?: CellKey, before?: string): Promise<void> {
    const reportHtml = await readFile(join(runDir, 'report.html'), 'utf8');
    this.render(reportHtml, cell ? `radprobe · ${cellLabel(cell)}` : `radprobe · ${runId}`, runNavigationHtml({ kind: 'run', runDir, runId }), cell, before);
  }

  /** Shows the compare.html that `radprobe report compare` wrote for runs. */
  async showComparison(compareHtmlPath: string, runs: ReadonlyArray<{ dir: string; runId: string }>): Promise<void> {
    const compareHtml = await readFile(compareHtmlPath, 'utf8');
    const navigation = runNavigationHtml({ kind: 'comparison', runDirs: runs.map((run) => run.dir), runIds: runs.map((run) => run.runId) });
    this.render(compareHtml, `radprobe · ${runs.map((run) => run.runId).join(' vs ')}`, navigation);
  }

  private render(pageHtml: string, title: string, navigation: string, cell?: CellKey, before?: string): void {
    const scripts = vscode.workspace.isTrusted;
    const options: vscode.WebviewOptions = { enableScripts: scripts, enableCommandUris: [...navigationCommands], localResourceRoots: [] };
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('radprobe.results', 'radprobe results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, options);
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = title;
    this.panel.webview.options = options;
    this.panel.webview.html = reportForWebview(pageHtml, { nonce: randomBytes(16).toString('base64'), cspSource: this.panel.webview.cspSource, scripts, cell, navigation, before });
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
