import * as vscode from 'vscode';
import { log } from '../log.js';
import { readSettings } from '../settings.js';
import { runToEnd } from '../spawn/child-process.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import { backendSummary, parseDoctorReport } from './doctor-summary.js';

/**
 * The status bar item with the execution provider and training backend the runner finds
 * (`radprobe doctor --json`, run in the user's Node), for the `radprobe.device` setting. Shown only in a
 * trusted workspace: doctor loads radprobe's native addons.
 */
export class BackendStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('radprobe.backend', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'radprobe backend';
    this.item.command = { title: 'Choose radprobe device', command: 'workbench.action.openSettings', arguments: ['radprobe.device'] };
  }

  async refresh(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || !vscode.workspace.isTrusted) {
      this.item.hide();
      return;
    }
    const settings = readSettings(folder.uri);
    try {
      const runner = resolveRunner(folder.uri.fsPath, settings);
      const report = parseDoctorReport(await runToEnd(runner, ['doctor', '--json'], folder.uri.fsPath, (line) => log.info(`$ ${line}`)));
      const { text, tooltip } = backendSummary(report, settings.device);
      this.item.text = `$(chip) ${text}`;
      this.item.tooltip = tooltip;
    } catch (error) {
      log.warn(`radprobe doctor: ${(error as Error).message}`);
      this.item.text = '$(chip) radprobe: no runner';
      this.item.tooltip = (error as Error).message;
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
