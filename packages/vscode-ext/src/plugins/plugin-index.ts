import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { log } from '../log.js';
import { readSettings } from '../settings.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import { scanInstalledPlugins, type InstalledPlugin } from './manifest-scan.js';

/**
 * The plugins installed for each workspace folder, rescanned when its node_modules changes (npm rewrites
 * node_modules/.package-lock.json on every install; a new top-level package folder counts too). The CLI's own
 * location is searched as well, since its built-in plugins live beside it. Only manifests are read.
 */
export class PluginIndex implements vscode.Disposable {
  private readonly byFolder = new Map<string, InstalledPlugin[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private rescanTimer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  constructor() {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchAndScan()));
    this.watchAndScan();
  }

  /** The plugins visible from a folder inside the workspace (those of its workspace folder). */
  pluginsFor(uri: vscode.Uri): InstalledPlugin[] {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? (this.byFolder.get(folder.uri.toString()) ?? []) : [];
  }

  /** Every workspace folder's plugins, without repeats. */
  allPlugins(): InstalledPlugin[] {
    const unique = new Map<string, InstalledPlugin>();
    for (const plugins of this.byFolder.values()) for (const plugin of plugins) unique.set(`${plugin.name}@${plugin.version}`, plugin);
    return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async rescan(): Promise<void> {
    this.byFolder.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const extraDirs: string[] = [];
      try {
        extraDirs.push(dirname(resolveRunner(folder.uri.fsPath, readSettings(folder.uri)).cliScript));
      } catch {
        // Without a CLI there are no built-ins to add; the tree shows what the workspace has.
      }
      this.byFolder.set(folder.uri.toString(), await scanInstalledPlugins(folder.uri.fsPath, extraDirs));
    }
    log.info(`plugins: ${this.allPlugins().map((plugin) => `${plugin.name}@${plugin.version}`).join(', ') || 'none found'}`);
    this.changed.fire();
  }

  private scheduleRescan(): void {
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => void this.rescan(), 500);
  }

  private watchers: vscode.Disposable[] = [];

  private watchAndScan(): void {
    this.watchers.forEach((watcher) => watcher.dispose());
    this.watchers = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const modules = vscode.Uri.joinPath(folder.uri, 'node_modules');
      // Non-recursive patterns: VS Code's default watcher excludes skip node_modules only for recursive ones.
      for (const pattern of [new vscode.RelativePattern(modules, '*'), new vscode.RelativePattern(modules, '.package-lock.json'), new vscode.RelativePattern(folder, 'package.json')]) {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        watcher.onDidCreate(() => this.scheduleRescan());
        watcher.onDidChange(() => this.scheduleRescan());
        watcher.onDidDelete(() => this.scheduleRescan());
        this.watchers.push(watcher);
      }
    }
    void this.rescan();
  }

  dispose(): void {
    clearTimeout(this.rescanTimer);
    [...this.watchers, ...this.disposables].forEach((disposable) => disposable.dispose());
  }
}
