/** The report's stylesheet: system fonts only, so that nothing is fetched. */
export const pageStyle = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --accent: #21918c; --mark: #e4572e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; padding: 24px 32px 64px; max-width: 1200px; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 36px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 28px 0 4px; }
h1, h2, h3, h4, th, td, li, figcaption, p { overflow-wrap: normal; word-break: normal; hyphens: manual; }
h4 { font-size: 14px; margin: 18px 0 4px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
nav#contents ol { margin: 4px 0; padding-left: 22px; }
nav#contents > ol > li { margin: 2px 0; }
.table-scroll { max-width: 100%; overflow-x: auto; }
th.name, td.name { white-space: nowrap; }
th.name { font-weight: 600; }
td.count { white-space: nowrap; text-align: right; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; vertical-align: baseline; }
.unreliable { color: var(--muted); font-style: italic; }
.undefined { color: var(--muted); }
.mark { color: #b3261e; white-space: nowrap; }
tr.few-positives th.name { color: #b3261e; }
.legend { color: var(--muted); font-size: 13px; margin: 0 0 12px; }
.figure-pair, .confusion-pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.figure-pair figure { flex: 1 1 420px; max-width: 560px; }
table.confusion td { text-align: center; min-width: 56px; }
table.confusion td.diagonal { font-weight: 700; }
table.confusion caption { text-align: left; color: var(--muted); }
dl.summary, .dataset dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.value { white-space: nowrap; font-weight: 600; }
tr.status-failed td { color: #b3261e; }
tr.status-skipped td { color: var(--muted); }
table.grid td { text-align: center; min-width: 64px; }
table.grid td.selected { outline: 3px solid var(--mark); outline-offset: -3px; font-weight: 700; }
.meta { color: var(--muted); margin: 0 0 8px; }
figure { margin: 16px 0; }
.chart { position: relative; width: 100%; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.artifacts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.artifact { margin: 8px 0; }
img.artifact { display: block; width: 384px; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid var(--rule); }
.artifact-missing { color: #b3261e; }
.chart-error { color: #b3261e; font-weight: 600; }
`;
