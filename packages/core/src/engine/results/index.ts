export { resultsSchema, assertValidRunResults } from './schema.js';
export { writeRunResults, resultsJson } from './write.js';
export { renderResultsMarkdown, markdownTable, escapeInline as escapeMarkdownInline } from './markdown.js';
export { renderResultsCsv, csvField } from './csv.js';
export { formatResultsTable } from './table.js';
export { formatInterval, formatMetricValue, formatParameterShare, formatSetting } from './format.js';
export { cellSummary, headlineRow } from './cell-summary.js';
export { collectProvenance, packageVersions, gitHead, type ProvenanceInput } from './provenance.js';
export { describeWorkerPlacement, workerPlacement } from './worker.js';
