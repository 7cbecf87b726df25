import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { MissingPlugin } from './missing-plugins.js';

/** The missing-plugin diagnostic's code, by which its quick fixes find it. */
export const MISSING_PLUGIN_CODE = 'missing-plugin';

/** The quick fixes of a missing kind: the installed kind it is likely a typo of, and installing the package that provides it. */
export class MissingPluginFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  /** `missingAt` gives the missing kind whose value starts at an offset of a document, as last diagnosed. */
  constructor(private readonly missingAt: (uri: vscode.Uri, offset: number) => MissingPlugin | undefined) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === 'radprobe' && diagnostic.code === MISSING_PLUGIN_CODE)
      .flatMap((diagnostic) => {
        const missing = this.missingAt(document.uri, document.offsetAt(diagnostic.range.start));
        if (!missing) return [];
        const actions: vscode.CodeAction[] = [];
        if (missing.suggestion) {
          const change = new vscode.CodeAction(`Change to '${missing.suggestion}'`, vscode.CodeActionKind.QuickFix);
          change.edit = new vscode.WorkspaceEdit();
          change.edit.replace(document.uri, diagnostic.range, JSON.stringify(missing.suggestion));
          change.diagnostics = [diagnostic];
          change.isPreferred = true;
          actions.push(change);
        }
        if (missing.packageName) {
          const install = new vscode.CodeAction(`Install ${missing.packageName}`, vscode.CodeActionKind.QuickFix);
          install.command = { title: install.title, command: 'radprobe.installPlugin', arguments: [missing.packageName, dirname(document.uri.fsPath)] };
          install.diagnostics = [diagnostic];
          actions.push(install);
        }
        return actions;
      });
  }
}

/**
 * `npm install --save-dev <package>` in a terminal in the config's folder, where the user sees npm's output and
 * can answer it; the plugins view and diagnostics follow when node_modules changes. Only in a trusted workspace:
 * npm runs the workspace's own npm configuration.
 */
export function installPluginInTerminal(packageName: string, folder: string): void {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`radprobe installs nothing in an untrusted workspace: trust it, or run \`npm install --save-dev ${packageName}\` yourself`);
    return;
  }
  const terminal = vscode.window.createTerminal({ name: `npm install ${packageName}`, cwd: folder });
  terminal.show();
  terminal.sendText(`npm install --save-dev ${packageName}`);
}
