import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunEvent } from '@radprobe/core';
import * as vscode from 'vscode';
import { log } from '../log.js';
import { parseRunnerLine } from '../protocol/run-events.js';
import { readSettings } from '../settings.js';
import { startRunner, type RunnerProcess } from '../spawn/child-process.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import type { TestRunTracker } from '../testing/radprobe-tests.js';
import { runArguments, type CellFilter } from './run-arguments.js';
import { CliMessageCollector, runEnding, type RunEnding } from './run-ending.js';
import { emptyProgress, nextProgress, progressText } from './run-progress.js';

const CANCELLING_TEXT = 'cancelling: stops after the current batch';

/** The run-finished notification's button, which shows the run in the results panel. */
const SHOW_RESULTS = 'Show results';

/** What the extension does when a run of a config ends with results. */
export type RunFinished = (config: vscode.Uri, runDir: string, runId: string) => Promise<void>;

/**
 * Runs `radprobe run --reporter jsonl` for a config, one run at a time: a cancellable progress notification and a
 * status bar item with the counts, the command line and every line of the runner in the Output channel, the
 * cells in the Testing view. Cancel sends SIGINT (the CLI stops after the current batch with the cache
 * consistent, so the next run resumes), then SIGKILL if it does not stop.
 */
export class RunSession implements vscode.Disposable {
  private readonly statusItem = vscode.window.createStatusBarItem('radprobe.run', vscode.StatusBarAlignment.Left, 10);
  private current: RunnerProcess | undefined;
  /** Set from cancel until the runner exits: the counts stop moving. */
  private cancelling = false;
  private reportProgress: ((value: { message?: string }) => void) | undefined;

  constructor(private readonly onFinished: RunFinished) {
    this.statusItem.name = 'radprobe run';
    this.statusItem.command = 'radprobe.cancel';
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Cancels the run at once as far as the user sees: the status bar and the notification say so and stop counting
   * now, though the runner takes until the end of its current batch to exit (the events it sends meanwhile are
   * still logged and given to the Testing view).
   */
  cancel(): void {
    if (!this.current || this.cancelling) return;
    this.cancelling = true;
    log.info('cancelling: SIGINT to the runner (it stops after the current batch)');
    this.statusItem.text = `$(circle-slash) radprobe: ${CANCELLING_TEXT}`;
    this.reportProgress?.({ message: CANCELLING_TEXT });
    this.current.stop();
  }

  /** Runs the config's cells matching `only`; the Testing view's `tests` learn how each cell and the run ended. */
  async run(config: vscode.Uri, only: CellFilter, tests: TestRunTracker, token?: vscode.CancellationToken): Promise<void> {
    let ending: RunEnding = { kind: 'crashed', message: 'the run did not start' };
    try {
      if (!vscode.workspace.isTrusted) throw new Error('radprobe runs nothing in an untrusted workspace: trust it to run evaluations');
      if (this.current) throw new Error('a radprobe run is already going: cancel it first');
      const cwd = dirname(config.fsPath);
      const settings = readSettings(config);
      const runner = resolveRunner(cwd, settings);
      ending = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `radprobe: ${vscode.workspace.asRelativePath(config)}`, cancellable: true },
        (progress, notificationToken) => this.follow(config, runner, runArguments(config.fsPath, only, settings.device), cwd, tests, progress, [notificationToken, token]),
      );
      if (ending.kind === 'crashed') {
        log.error(`radprobe run stopped: ${ending.message}`);
        void vscode.window.showErrorMessage(`radprobe run stopped: ${ending.message}`);
      }
    } catch (error) {
      ending = { kind: 'crashed', message: (error as Error).message };
      log.error((error as Error).message);
      void vscode.window.showErrorMessage(`radprobe: ${(error as Error).message}`);
    } finally {
      tests.end(ending);
    }
  }

  private async follow(
    config: vscode.Uri,
    runner: ReturnType<typeof resolveRunner>,
    args: string[],
    cwd: string,
    tests: TestRunTracker,
    progress: vscode.Progress<{ message?: string }>,
    tokens: Array<vscode.CancellationToken | undefined>,
  ): Promise<RunEnding> {
    let state = emptyProgress;
    let end: Extract<RunEvent, { type: 'run-end' }> | undefined;
    const cliMessage = new CliMessageCollector();
    const onEvent = (event: RunEvent) => {
      tests.onEvent(event);
      state = nextProgress(state, event);
      if (!this.cancelling) this.statusItem.text = `$(sync~spin) radprobe: ${progressText(state)}`;
      if (event.type === 'log') log[event.level](event.message);
      if (event.type === 'stage') log.info(event.message);
      if (event.type === 'cell-end') log.info(`${event.backbone} × ${event.dataset} × ${event.protocol}: ${event.status} · ${event.summary}`);
      if (event.type === 'run-end') end = event;
      if (event.type !== 'log' && !this.cancelling) progress.report({ message: event.type === 'stage' ? `${progressText(state)} · ${event.message}` : progressText(state) });
    };
    const process = startRunner(runner, args, cwd, {
      onStdoutLine: (line) => {
        const parsed = parseRunnerLine(line);
        if (parsed.kind === 'event') onEvent(parsed.event);
        else if (parsed.text.trim()) log.info(parsed.text);
      },
      onStderrLine: (line) => {
        const passing = cliMessage.take(line);
        if (passing?.trim()) log.warn(passing);
      },
    });
    log.info(`$ (cd ${cwd} && ${process.commandLine})`);
    this.current = process;
    this.reportProgress = (value) => progress.report(value);
    this.statusItem.text = '$(sync~spin) radprobe: starting';
    this.statusItem.tooltip = 'radprobe run: click to cancel';
    this.statusItem.show();
    const subscriptions = tokens.filter((token) => token !== undefined).map((token) => token.onCancellationRequested(() => this.cancel()));
    try {
      const code = await process.exit;
      log.info(`radprobe exited with ${code ?? 'a signal'}`);
      const ending = runEnding({ code, sawRunEnd: end !== undefined, cancelRequested: this.cancelling, cliError: cliMessage.message });
      // The CLI's own message: the error that stopped the run (logged with it by `run`), or its cancel notice.
      if (ending.kind !== 'crashed' && cliMessage.message) log.info(cliMessage.message);
      if (ending.kind === 'finished' && end && existsSync(join(end.outputDir, 'report.html'))) {
        const summary = `${state.cellsDone} cell(s), ${end.failed} failed`;
        const finished = end;
        void vscode.window.showInformationMessage(`radprobe run ${end.runId} finished: ${summary}`, SHOW_RESULTS).then((choice) => {
          if (choice === SHOW_RESULTS) void vscode.commands.executeCommand('radprobe.pickRun', finished.outputDir, finished.outputDir);
        });
        await this.onFinished(config, end.outputDir, end.runId);
      } else if (ending.kind === 'cancelled') {
        void vscode.window.showInformationMessage('radprobe run cancelled: the feature cache keeps what was embedded, so running it again resumes');
      }
      return ending;
    } finally {
      subscriptions.forEach((subscription) => subscription.dispose());
      this.current = undefined;
      this.cancelling = false;
      this.reportProgress = undefined;
      this.statusItem.hide();
    }
  }

  dispose(): void {
    this.cancel();
    this.statusItem.dispose();
  }
}
