/** The commands the panel's links run (a webview runs only the command URIs it is given). */
export const navigationCommands = ['radprobe.pickRun', 'radprobe.compareWith', 'radprobe.openRunFile'] as const;

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escaped = (text: string) => text.replace(/[&<>"']/g, (character) => entities[character]);

/** A link that runs a command with JSON arguments, as VS Code reads `command:` URIs. */
function commandLink(command: (typeof navigationCommands)[number], args: unknown[], label: string, title: string): string {
  const href = `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
  return `<a href="${escaped(href)}" title="${escaped(title)}">${escaped(label)}</a>`;
}

/**
 * The bar at the top of the results panel: which run (or comparison) it shows, a picker of the results folder's
 * other runs, "Compare with…" (radprobe report compare), and the run's results.csv and report.html. Plain links
 * (command URIs), so the bar works where the page's scripts may not run (an untrusted workspace).
 */
export function runNavigationHtml(shown: { kind: 'run'; runDir: string; runId: string } | { kind: 'comparison'; runDirs: string[]; runIds: string[] }): string {
  if (shown.kind === 'comparison') {
    const back = shown.runDirs.map((runDir, index) => commandLink('radprobe.pickRun', [runDir, runDir], shown.runIds[index], `show run ${shown.runIds[index]}`));
    return `<nav class="radprobe-run-nav">Comparison of ${back.join(' and ')}</nav>`;
  }
  const links = [
    commandLink('radprobe.pickRun', [shown.runDir], 'Other run…', "pick one of the results folder's runs"),
    commandLink('radprobe.compareWith', [shown.runDir], 'Compare with…', 'compare this run with another (radprobe report compare)'),
    commandLink('radprobe.openRunFile', [shown.runDir, 'results.csv'], 'results.csv', 'open this run\'s results.csv'),
    commandLink('radprobe.openRunFile', [shown.runDir, 'report.html'], 'report.html', 'open this run\'s report.html'),
  ];
  return `<nav class="radprobe-run-nav">Run <code class="run-id">${escaped(shown.runId)}</code> · ${links.join(' · ')}</nav>`;
}
