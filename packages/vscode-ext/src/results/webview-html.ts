import { cellLabel, type CellKey } from '../testing/cell-items.js';

/**
 * Adapts a run's `report.html` (written by @radprobe/report in the user's Node, every string from the results
 * already escaped there) for a webview, rather than rendering the report again in the extension host, which would
 * mean loading radprobe code there and could disagree with the report the run wrote.
 *
 * - The report's policy allows its two scripts by hash. The webview's policy keeps those hashes (with scripts
 *   enabled only in a trusted workspace), adds a nonce for the theme script, and still forbids every fetch.
 * - With a cell selected, that cell's section of the report (its curves, per-class table, confusion matrix) moves
 *   to the top of the page, under a heading that names it: the report's own markup and charts, moved as text, so it
 *   shows the same in an untrusted workspace where no script runs.
 * - `navigation` (the panel's bar of runs and files) goes first in the body.
 * - `before`, markup of the extension's own (the latest result of each cell across runs), goes first, under the
 *   report's header.
 * - The theme script runs after Chart.js has loaded and before the charts are drawn: it points Chart.js's default
 *   colours at VS Code's theme tokens, and a stylesheet does the same for the page.
 */
export function reportForWebview(
  reportHtml: string,
  options: { nonce: string; cspSource: string; scripts: boolean; cell?: CellKey; navigation?: string; before?: string },
): string {
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
  const withCell = options.cell ? selectedCellFirst(withPolicy, options.cell) : withPolicy;
  const withNavigation = options.navigation ? withCell.replace(/<body[^>]*>/, (body) => `${body}\n${options.navigation}`) : withCell;
  const withBefore = options.before ? withNavigation.replace('</header>', () => `</header>\n${options.before}`) : withNavigation;
  const withStyle = withBefore.replace('</head>', `<style>${themeStyle}</style>\n</head>`);
  const drawingStart = withStyle.lastIndexOf('<script>');
  if (drawingStart < 0) throw new Error('report.html has no chart script');
  return `${withStyle.slice(0, drawingStart)}<script nonce="${options.nonce}">${themeScript}</script>\n${withStyle.slice(drawingStart)}`;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** A string as the report escapes it in an attribute. */
export const escaped = (text: string) => text.replace(/[&<>"']/g, (character) => entities[character]);

/**
 * The report with the selected cell's section right after its header. The report marks each cell's section with
 * `data-cell="backbone|dataset|protocol"` and nests no section inside it. A cell the report lacks (failed, or an
 * older report) leaves the page as it is, with a line saying so.
 */
function selectedCellFirst(reportHtml: string, cell: CellKey): string {
  const label = escaped(cellLabel(cell));
  const start = reportHtml.indexOf(`data-cell="${escaped(`${cell.backbone}|${cell.dataset}|${cell.protocol}`)}"`);
  const sectionStart = start < 0 ? -1 : reportHtml.lastIndexOf('<section', start);
  const sectionEnd = start < 0 ? -1 : reportHtml.indexOf('</section>', start);
  const headerEnd = reportHtml.indexOf('</header>');
  if (sectionStart < 0 || sectionEnd < 0 || headerEnd < 0 || sectionStart < headerEnd) {
    return reportHtml.replace('</header>', `</header>\n<p class="selected-cell-missing">The report has no charts for ${label}.</p>`);
  }
  const section = reportHtml.slice(sectionStart, sectionEnd + '</section>'.length);
  const rest = reportHtml.slice(0, sectionStart) + reportHtml.slice(sectionEnd + '</section>'.length);
  return rest.replace('</header>', `</header>\n<div class="selected-cell"><h2>Selected cell: ${label}</h2>\n${section}\n</div>`);
}

/**
 * The page in the editor's colours: VS Code sets these variables on the webview's root element. Cells the report
 * colours itself (heat maps, confusion matrices: background and a text colour chosen for it) keep their colours,
 * or light text would land on a light stripe.
 */
const themeStyle = `
body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); }
a { color: var(--vscode-textLink-foreground); }
table, th, td { border-color: var(--vscode-panel-border) !important; }
th { background: var(--vscode-editorWidget-background) !important; color: var(--vscode-editor-foreground) !important; }
tr:nth-child(even) td:not([style*="background"]) { background: var(--vscode-list-hoverBackground) !important; }
code, pre { background: var(--vscode-textCodeBlock-background) !important; color: var(--vscode-editor-foreground) !important; }
.latest-by-cell .selected td { font-weight: bold; }
.radprobe-run-nav { padding: 6px 0 10px; border-bottom: 1px solid var(--vscode-panel-border); margin-bottom: 8px; }
.selected-cell { border-left: 3px solid var(--vscode-focusBorder); padding-left: 12px; }
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
