import type { MetricValue, RunResults } from '../../contracts/results.js';
import { formatSetting } from './format.js';

const header = ['backbone', 'dataset', 'protocol', 'protocol_kind', 'setting', 'split', 'metric', 'class', 'value', 'ci_low', 'ci_high', 'confidence', 'unit', 'primary'];

/**
 * `results.csv` (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break): one row
 * per metric value, then one per per-class value with its `class`; intervals belong to the overall value.
 */
export function renderResultsCsv(results: RunResults): string {
  const records: string[][] = [header];
  for (const cell of results.cells) {
    if (!cell.result) continue;
    for (const row of cell.result.rows) {
      for (const [metricName, metric] of Object.entries(row.metrics)) {
        const prefix = [cell.backbone, cell.dataset, cell.protocol, cell.protocolKind, formatSetting(row.setting, true), row.split, metricName];
        const primary = String(metricName === cell.result.primaryMetric);
        records.push([...prefix, '', String(metric.value), ...intervalFields(metric), primary]);
        for (const [className, value] of Object.entries(metric.perClass ?? {})) {
          records.push([...prefix, className, value === null ? '' : String(value), '', '', '', '', primary]);
        }
      }
    }
  }
  return records.map((record) => record.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function intervalFields(metric: MetricValue): string[] {
  if (!metric.ci) return ['', '', '', ''];
  return [String(metric.ci.low), String(metric.ci.high), String(metric.ci.confidence), metric.ci.unit];
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
