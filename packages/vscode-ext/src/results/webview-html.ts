/**
 * Adapts a run's `report.html` (written by @radprobe/report in the user's Node, every string from the results
 * already escaped there) for a webview, rather than rendering the report again in the extension host, which would
 * mean loading radprobe code there and could disagree with the report the run wrote.
 *
 * - The report's policy allows its two scripts by hash. The webview's policy keeps those hashes (with scripts
 *   enabled only in a trusted workspace), adds a nonce for the theme script, and still forbids every fetch.
 * - The theme script runs after Chart.js has loaded and before the charts are drawn: it points Chart.js's default
 *   colours at VS Code's theme tokens, and a stylesheet does the same for the page.
 */
export function reportForWebview(reportHtml: string, options: { nonce: string; cspSource: string; scripts: boolean }): string {
  const policyMatch = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(reportHtml);
  if (!policyMatch) throw new Error('report.html has no Content-Security-Policy: it was not written by radprobe');
  // The report writes the policy as an escaped attribute: its quotes arrive as character references.
  const policyText = policyMatch[1].replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const hashes = (/script-src ([^;]*)/.exec(policyText)?.[1] ?? '').split(/\s+/).filter((source) => /^'sha256-[A-Za-z0-9+/=]+'$/.test(source));
  const policy = [
    "default-src 'none'",
    options.scripts ? `script-src 'nonce-${options.nonce}' ${hashes.join(' ')}` : "script-src 'none'",
    `style-src ${options.cspSource} 'unsafe-inline'`,
    `img-src ${options.cspSource} data:`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  const withPolicy = reportHtml.replace(policyMatch[0], `<meta http-equiv="Content-Security-Policy" content="${policy}">`);
  const withStyle = withPolicy.replace('</head>', `<style>${themeStyle}</style>\n</head>`);
  const drawingStart = withStyle.lastIndexOf('<script>');
  if (drawingStart < 0) throw new Error('report.html has no chart script');
  return `${withStyle.slice(0, drawingStart)}<script nonce="${options.nonce}">${themeScript}</script>\n${withStyle.slice(drawingStart)}`;
}

/** The page in the editor's colours: VS Code sets these variables on the webview's root element. */
const themeStyle = `
body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); }
a { color: var(--vscode-textLink-foreground); }
table, th, td { border-color: var(--vscode-panel-border) !important; }
th { background: var(--vscode-editorWidget-background) !important; color: var(--vscode-editor-foreground) !important; }
tr:nth-child(even) td { background: var(--vscode-list-hoverBackground) !important; }
code, pre { background: var(--vscode-textCodeBlock-background) !important; color: var(--vscode-editor-foreground) !important; }
section, header, details { border-color: var(--vscode-panel-border) !important; background: transparent !important; }
`;

const themeScript = `(function () {
  var css = getComputedStyle(document.documentElement);
  var token = function (name, fallback) { return css.getPropertyValue(name).trim() || fallback; };
  Chart.defaults.color = token('--vscode-editor-foreground', '#444');
  Chart.defaults.borderColor = token('--vscode-panel-border', 'rgba(128,128,128,0.3)');
  Chart.defaults.font.family = token('--vscode-font-family', Chart.defaults.font.family);
  document.body.dataset.radprobeThemed = 'true';
})();`;
