/** What the comparison page adds to the report's stylesheet. */
export const compareStyle = `
/* A study grid has dozens of columns: the table scrolls sideways inside the page, its backbone column staying put. */
.matrix-scroll { overflow-x: auto; max-width: 100%; }
table.matrix th:first-child { position: sticky; left: 0; background: #fff; z-index: 1; }
table.matrix td.value { font-weight: 400; }
table.matrix td.best { font-weight: 700; }
table.matrix th small { display: block; color: var(--muted); font-weight: 400; }
.warnings { border-left: 4px solid var(--mark); padding: 4px 12px; background: #fff4f0; }
.pca { display: flex; flex-wrap: wrap; gap: 16px; }
img.pca { display: block; width: 224px; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid var(--rule); }
`;
