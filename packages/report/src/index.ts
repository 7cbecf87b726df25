export { renderReport } from './render-report.js';
export { writeReport, reportFileName } from './write-report.js';
