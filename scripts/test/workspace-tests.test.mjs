import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closingLine, summariseReports, tapCounts } from '../workspace-tests.mjs';

function workspace(packages) {
  const root = mkdtempSync(join(tmpdir(), 'radprobe-summary-'));
  for (const [name, report] of Object.entries(packages)) {
    mkdirSync(join(root, 'packages', name), { recursive: true });
    writeFileSync(join(root, 'packages', name, 'package.json'), '{}');
    if (report) writeFileSync(join(root, 'packages', name, '.vitest-results.json'), JSON.stringify(report));
  }
  return root;
}

const report = (passed, failed, testResults = []) => ({ numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, numTodoTests: 0, testResults });

test('a test file that failed to load counts as a failure, and names itself', () => {
  const root = workspace({
    core: report(10, 0),
    cli: report(3, 0, [{ name: '/x/packages/cli/test/install.test.ts', status: 'failed', message: 'Error: ENOTCACHED\n at …', assertionResults: [] }]),
  });
  const summary = summariseReports(root);
  assert.equal(closingLine(summary), 'Tests: 13 passed, 1 failed');
  assert.match(summary.problems[0], /install\.test\.ts: failed to run \(Error: ENOTCACHED\)/);
});

test('a package without a report counts as a failure', () => {
  const summary = summariseReports(workspace({ core: report(5, 0), datasets: null }));
  assert.equal(summary.failed, 1);
  assert.match(summary.problems[0], /^datasets: no test report/);
});

test('failed tests are counted once, not again as a failed file', () => {
  const file = { name: '/x/packages/core/test/a.test.ts', status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'passed' }] };
  const summary = summariseReports(workspace({ core: report(1, 1, [file]) }));
  assert.equal(closingLine(summary), 'Tests: 1 passed, 1 failed');
});

test('TAP counts of node --test', () => {
  assert.deepEqual(tapCounts('TAP version 13\n# tests 4\n# pass 3\n# fail 1\n# skipped 0\n# todo 0\n'), { passed: 3, failed: 1, skipped: 0 });
});

test('the example plugins count like packages: one without a report is a failure named by its path', () => {
  const root = workspace({ core: report(2, 0) });
  mkdirSync(join(root, 'examples', 'plugins', 'centroid-protocol'), { recursive: true });
  writeFileSync(join(root, 'examples', 'plugins', 'centroid-protocol', 'package.json'), '{}');
  const summary = summariseReports(root);
  assert.equal(closingLine(summary), 'Tests: 2 passed, 1 failed');
  assert.match(summary.problems[0], /^examples\/plugins\/centroid-protocol: no test report/);
  writeFileSync(join(root, 'examples', 'plugins', 'centroid-protocol', '.vitest-results.json'), JSON.stringify(report(4, 0)));
  assert.equal(closingLine(summariseReports(root)), 'Tests: 6 passed, 0 failed');
});
