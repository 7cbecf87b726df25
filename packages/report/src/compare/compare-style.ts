/** What the comparison page adds to the report's stylesheet. */
export const compareStyle = `
/* A study grid has dozens of columns: the pickers narrow them; the table scrolls inside a box of its own, its
   header rows and backbone column staying put. */
.matrix-picker { display: flex; flex-wrap: wrap; gap: 8px 20px; margin: 8px 0; }
.matrix-picker select { margin-left: 4px; max-width: 16em; }
.matrix-scroll { overflow: auto; max-width: 100%; max-height: 75vh; border: 1px solid var(--rule); }
table.matrix { margin: 0; }
table.matrix thead { position: sticky; top: 0; z-index: 2; background: #fff; }
table.matrix th { background: #fff; }
table.matrix th:first-child, table.matrix tbody th { position: sticky; left: 0; z-index: 1; }
table.matrix thead th.corner { z-index: 3; vertical-align: bottom; }
table.matrix thead th.dataset { text-align: center; border-bottom: 1px solid var(--ink); }
table.matrix thead th.protocol { text-align: center; font-weight: 600; border-bottom: 1px solid var(--rule); }
table.matrix th, table.matrix td { padding: 4px 6px; overflow-wrap: normal; word-break: keep-all; }
table.matrix td.value { font-weight: 400; }
table.matrix td.best { font-weight: 700; }
table.matrix th small, table.matrix td small { display: block; color: var(--muted); font-weight: 400; font-size: 12px; }
table.ranking-choice select { max-width: 18em; }
table.fine-tuning td.value { font-weight: 400; }
table.fine-tuning td:nth-child(3), table.fine-tuning td:nth-child(4), table.fine-tuning td:nth-child(5) { font-variant-numeric: tabular-nums; white-space: nowrap; }
[hidden] { display: none !important; }
.warnings { border-left: 4px solid var(--mark); padding: 4px 12px; background: #fff4f0; }
.pca { display: flex; flex-wrap: wrap; gap: 16px; }
img.pca { display: block; width: 224px; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid var(--rule); }
`;
