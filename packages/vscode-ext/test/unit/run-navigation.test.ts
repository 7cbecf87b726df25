import { describe, expect, it } from 'vitest';
import { navigationCommands, runNavigationHtml } from '../../src/results/run-navigation-html.js';
import { reportForWebview } from '../../src/results/webview-html.js';

/** An attribute's value as the browser reads it. */
const unescaped = (text: string) => text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The command and arguments of each link, as VS Code would run them. */
const links = (html: string) =>
  [...html.matchAll(/<a href="command:([^?"]+)\?([^"]*)"[^>]*>([^<]*)<\/a>/g)].map(([, command, args, label]) => ({
    label,
    command,
    args: JSON.parse(decodeURIComponent(unescaped(args))) as unknown[],
  }));

describe('the results panel bar', () => {
  it("links a run to the folder's other runs, a comparison, and its results.csv and report.html, by command URIs the panel allows", () => {
    const html = runNavigationHtml({ kind: 'run', runDir: "/ws/results/2026-a'b", runId: "2026-a'b" });
    expect(html).toContain("Run <code class=\"run-id\">2026-a&#39;b</code>");
    expect(links(html)).toEqual([
      { label: 'Other run…', command: 'radprobe.pickRun', args: ["/ws/results/2026-a'b"] },
      { label: 'Compare with…', command: 'radprobe.compareWith', args: ["/ws/results/2026-a'b"] },
      { label: 'results.csv', command: 'radprobe.openRunFile', args: ["/ws/results/2026-a'b", 'results.csv'] },
      { label: 'report.html', command: 'radprobe.openRunFile', args: ["/ws/results/2026-a'b", 'report.html'] },
    ]);
    expect(links(html).every((link) => (navigationCommands as readonly string[]).includes(link.command))).toBe(true);
  });

  it('names the compared runs, each a link back to that run', () => {
    const html = runNavigationHtml({ kind: 'comparison', runDirs: ['/r/a', '/r/b'], runIds: ['a', 'b'] });
    expect(html).toMatch(/^<nav class="radprobe-run-nav">Comparison of <a [^>]*>a<\/a> and <a [^>]*>b<\/a><\/nav>$/);
    expect(links(html).map((link) => link.args)).toEqual([['/r/a', '/r/a'], ['/r/b', '/r/b']]);
  });

  it('goes first in the page body, and the theme leaves the report\'s heat-coloured cells their own colours', () => {
    const report = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="script-src &#39;sha256-AAA=&#39;">
</head><body class="report"><header>h</header><table><tr><td>1</td></tr><tr><td style="background:#440154;color:#ffffff">0.10</td></tr></table>
<script>DRAW</script></body></html>`;
    const html = reportForWebview(report, { nonce: 'n', cspSource: 'w', scripts: true, navigation: '<nav>BAR</nav>' });
    expect(html).toContain('<body class="report">\n<nav>BAR</nav><header>');
    // Striping even rows in the theme's colour would put the cell's white text on a light stripe.
    expect(html).toContain('tr:nth-child(even) td:not([style*="background"])');
    expect(html).not.toMatch(/tr:nth-child\(even\) td \{/);
  });
});
