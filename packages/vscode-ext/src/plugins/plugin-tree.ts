import * as vscode from 'vscode';
import type { InstalledPlugin } from './manifest-scan.js';
import type { PluginIndex } from './plugin-index.js';
import { kindTooltip, pluginTooltip } from './plugin-tooltip.js';

type PluginNode = { plugin: InstalledPlugin } | { plugin: InstalledPlugin; section: 'protocols' | 'backbones' | 'datasets'; kind: string };

const sectionIcons = { protocols: 'beaker', backbones: 'symbol-class', datasets: 'database' } as const;
const sectionNouns = { protocols: 'protocol', backbones: 'backbone', datasets: 'dataset' } as const;

/** The "radprobe plugins" view: each installed plugin package with its version, and what it contributes. */
export class PluginTreeProvider implements vscode.TreeDataProvider<PluginNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly index: PluginIndex) {
    index.onDidChange(() => this.changed.fire());
  }

  getChildren(node?: PluginNode): PluginNode[] {
    if (!node) return this.index.allPlugins().map((plugin) => ({ plugin }));
    if ('section' in node) return [];
    const { plugin } = node;
    return (['protocols', 'backbones', 'datasets'] as const).flatMap((section) => plugin[section].map((kind) => ({ plugin, section, kind })));
  }

  getTreeItem(node: PluginNode): vscode.TreeItem {
    if ('section' in node) {
      const item = new vscode.TreeItem(node.kind, vscode.TreeItemCollapsibleState.None);
      item.description = sectionNouns[node.section];
      item.iconPath = new vscode.ThemeIcon(sectionIcons[node.section]);
      item.contextValue = `radprobe.${sectionNouns[node.section]}`;
      item.tooltip = kindTooltip(node.plugin, node.section, node.kind);
      return item;
    }
    const { plugin } = node;
    const item = new vscode.TreeItem(plugin.name, vscode.TreeItemCollapsibleState.Expanded);
    item.description = plugin.version;
    item.tooltip = pluginTooltip(plugin);
    item.iconPath = new vscode.ThemeIcon('package');
    item.contextValue = 'radprobe.plugin';
    return item;
  }
}
