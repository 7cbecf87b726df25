export { resultsSchema, assertValidRunResults } from './schema.js';
export { writeRunResults } from './write.js';
export { renderResultsMarkdown } from './markdown.js';
export { renderResultsCsv } from './csv.js';
export { formatResultsTable } from './table.js';
export { formatMetricValue, formatSetting } from './format.js';
export { collectProvenance, packageVersions, gitHead, type ProvenanceInput } from './provenance.js';
