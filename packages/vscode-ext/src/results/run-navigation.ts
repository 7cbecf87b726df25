import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { log } from '../log.js';
import { readSettings } from '../settings.js';
import { runToEnd } from '../spawn/child-process.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import { relativeTime } from './relative-time.js';
import type { ResultsPanel } from './results-panel.js';
import { readRunHistory, type FinishedRun } from './run-history.js';

/** A quick pick of the runs in a results folder, newest first, `except` left out. */
async function pickRunIn(resultsDir: string, placeHolder: string, except?: string): Promise<FinishedRun | undefined> {
  const now = new Date();
  const runs = (await readRunHistory(resultsDir)).filter((run) => run.dir !== except);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`radprobe: ${vscode.workspace.asRelativePath(resultsDir)} has no ${except ? 'other ' : ''}finished run`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => {
      const failed = run.results.cells.filter((cell) => cell.status === 'failed').length;
      return {
        label: run.results.runId,
        description: relativeTime(new Date(run.results.finishedAt), now),
        detail: `${run.results.cells.length} cell(s)${failed ? `, ${failed} failed` : ''}`,
        run,
      };
    }),
    { placeHolder },
  );
  return picked?.run;
}

/**
 * The commands behind the results panel's bar: show another run of the results folder, compare the shown run with
 * another through `radprobe report compare` (the CLI's own comparison, run in the user's Node; its pages go to the
 * extension's storage, never into the workspace), and open the run's results.csv or report.html.
 */
export function registerRunNavigation(panel: ResultsPanel, storageDir: string): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('radprobe.pickRun', async (fromRunDir: string, runDir?: string) => {
      const run = runDir ? (await readRunHistory(dirname(runDir))).find((candidate) => candidate.dir === runDir) : await pickRunIn(dirname(fromRunDir), 'run to show');
      if (run) await panel.show(run.dir, run.results.runId);
    }),
    vscode.commands.registerCommand('radprobe.compareWith', async (runDir: string) => {
      if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('radprobe compares runs only in a trusted workspace: radprobe report compare runs from it');
      const other = await pickRunIn(dirname(runDir), `compare ${basename(runDir)} with`, runDir);
      if (!other) return;
      const [current] = (await readRunHistory(dirname(runDir))).filter((run) => run.dir === runDir);
      if (!current) return;
      // Older run first, as the comparison reads left to right.
      const runs = [other, current].sort((a, b) => (a.results.runId < b.results.runId ? -1 : 1));
      const out = join(storageDir, 'compare', runs.map((run) => run.results.runId).join('-vs-'));
      try {
        await mkdir(out, { recursive: true });
        const folder = dirname(dirname(runDir));
        const runner = resolveRunner(folder, readSettings(vscode.Uri.file(runDir)));
        await runToEnd(runner, ['report', 'compare', ...runs.map((run) => run.dir), '--out', out, '--allow-mixed'], folder, (line) => log.info(`$ ${line}`));
        await panel.showComparison(join(out, 'compare.html'), runs.map((run) => ({ dir: run.dir, runId: run.results.runId })));
      } catch (error) {
        log.error((error as Error).message);
        void vscode.window.showErrorMessage(`radprobe: ${(error as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('radprobe.openRunFile', async (runDir: string, name: 'results.csv' | 'report.html') => {
      const uri = vscode.Uri.file(join(runDir, name));
      // A desktop editor opens the report in the browser; a browser-based one (code-server) cannot reach the file there.
      if (name === 'report.html' && vscode.env.uiKind === vscode.UIKind.Desktop) await vscode.env.openExternal(uri);
      else await vscode.commands.executeCommand('vscode.open', uri);
    }),
  );
}
