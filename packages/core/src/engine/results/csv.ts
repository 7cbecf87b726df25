import type { MetricValue, ResultRow, RunResults } from '../../contracts/results.js';
import { formatSetting } from './format.js';

const header = ['backbone', 'dataset', 'protocol', 'protocol_kind', 'setting', 'split', 'metric', 'class', 'value', 'ci_low', 'ci_high', 'confidence', 'unit', 'ci_unreliable', 'primary', 'warnings'];
/** Present only when some row trained the backbone, so that other runs' files keep their columns. */
const parameterHeader = ['trainable_params', 'total_params'];
/** Present only when some cell failed, likewise. */
const statusHeader = ['status', 'error'];

/**
 * `results.csv` (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break): one row
 * per metric value, then one per per-class value with its `class`; intervals belong to the overall value, and
 * `ci_unreliable` says why an interval built from too few resamples says little; `warnings` are the row's (e.g. a
 * fit that did not converge). Runs with a protocol that trains the backbone add its rows' trainable and total
 * parameter counts; runs with failed cells add a `status` column and one row per failed cell with its error.
 */
export function renderResultsCsv(results: RunResults): string {
  const withParameters = results.cells.some((cell) => cell.result?.rows.some((row) => row.parameters));
  const withStatus = results.cells.some((cell) => cell.status === 'failed');
  const records: string[][] = [[...header, ...(withParameters ? parameterHeader : []), ...(withStatus ? statusHeader : [])]];
  const completed = withStatus ? ['completed', ''] : [];
  for (const cell of results.cells) {
    if (cell.status === 'failed' && withStatus) {
      const empty = new Array<string>(header.length - 4 + (withParameters ? parameterHeader.length : 0)).fill('');
      records.push([cell.backbone, cell.dataset, cell.protocol, cell.protocolKind, ...empty, 'failed', cell.reason ?? '']);
    }
    if (!cell.result) continue;
    for (const row of cell.result.rows) {
      const parameters = withParameters ? parameterFields(row) : [];
      for (const [metricName, metric] of Object.entries(row.metrics)) {
        const prefix = [cell.backbone, cell.dataset, cell.protocol, cell.protocolKind, formatSetting(row.setting, true), row.split, metricName];
        const primary = String(metricName === cell.result.primaryMetric);
        const warnings = (row.warnings ?? []).join('; ');
        records.push([...prefix, '', String(metric.value), ...intervalFields(metric), primary, warnings, ...parameters, ...completed]);
        for (const [className, value] of Object.entries(metric.perClass ?? {})) {
          records.push([...prefix, className, value === null ? '' : String(value), '', '', '', '', '', primary, warnings, ...parameters, ...completed]);
        }
      }
    }
  }
  return records.map((record) => record.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function parameterFields(row: ResultRow): string[] {
  return row.parameters ? [String(row.parameters.trainable), String(row.parameters.total)] : ['', ''];
}

function intervalFields(metric: MetricValue): string[] {
  if (!metric.ci) return ['', '', '', '', ''];
  return [String(metric.ci.low), String(metric.ci.high), String(metric.ci.confidence), metric.ci.unit, metric.ci.unreliable ?? ''];
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break, inner quotes doubled. Text a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return: OWASP's list; a
 * class label `=HYPERLINK(…)` is enough) gets a leading `'`, which spreadsheets show as text; numbers stay numbers.
 */
export function csvField(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/** A number as JavaScript writes one (`-0.5`, `1e-7`, `-Infinity`). */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$|^[+-]?Infinity$/i;
