import * as vscode from 'vscode';

/** The "radprobe" Output channel: every command line the extension starts, and everything the runner says. */
export const log = vscode.window.createOutputChannel('radprobe', { log: true });
