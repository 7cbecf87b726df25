// `npm test`: builds and tests every package through Nx, then prints one closing line for the whole workspace,
// whatever happened before it: a failed build, a test file that could not even load, or a package that never got
// to write its report all count as failures, and the exit code says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPORT = '.vitest-results.json';

/** Folders whose projects Nx tests: the workspace packages, and the example plugins (Nx projects, not npm workspaces). */
const PROJECT_FOLDERS = ['packages', 'examples/plugins'];

/**
 * Every project under `root` that has a package.json: its folder, and its label in messages (a package's folder
 * name, an example's path).
 */
export function projectDirs(root) {
  return PROJECT_FOLDERS.flatMap((folder) => {
    const dir = join(root, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .filter((name) => existsSync(join(dir, name, 'package.json')))
      .map((name) => ({ label: folder === 'packages' ? name : `${folder}/${name}`, dir: join(dir, name) }));
  });
}

/**
 * Sums the vitest JSON reports of every project (`projectDirs`). A test file that failed without a failed test (an
 * import error, a crash in a hook) counts as one failed test, and so does a project without a report: neither may
 * pass unnoticed.
 */
export function summariseReports(root) {
  const summary = { passed: 0, failed: 0, skipped: 0, problems: [] };
  for (const { label, dir } of projectDirs(root)) {
    const file = join(dir, REPORT);
    if (!existsSync(file)) {
      summary.failed++;
      summary.problems.push(`${label}: no test report (its build or test run stopped before writing one)`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    summary.passed += report.numPassedTests;
    summary.failed += report.numFailedTests;
    summary.skipped += report.numPendingTests + report.numTodoTests;
    for (const suite of report.testResults ?? []) {
      if (suite.status !== 'failed') continue;
      const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed').length;
      if (failedTests === 0) summary.failed++;
      const where = relative(root, suite.name);
      summary.problems.push(failedTests > 0 ? `${where}: ${failedTests} failed` : `${where}: failed to run (${firstLine(suite.message)})`);
    }
  }
  return summary;
}

/** Counts of a `node --test` TAP report (its closing `# pass N` / `# fail N` lines). */
export function tapCounts(tap) {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail'), skipped: count('skipped') + count('todo') };
}

/** Lines of `git status --porcelain` (untracked files listed one by one); null outside a git checkout. */
function gitStatus(root) {
  const { status, stdout } = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  return status === 0 ? new Set(stdout.split('\n').filter((line) => line !== '')) : null;
}

export function closingLine({ passed, failed, skipped }) {
  return `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

function firstLine(text) {
  return String(text ?? 'no message').split('\n').find((line) => line.trim() !== '') ?? 'no message';
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Reports of an earlier run must not stand in for packages that did not run this time (Nx restores cached ones).
  for (const { dir } of projectDirs(root)) rmSync(join(dir, REPORT), { force: true });
  const tapFile = join(mkdtempSync(join(tmpdir(), 'radprobe-script-tests-')), 'report.tap');
  const steps = [
    ['bash', ['scripts/ensure-chromium.sh']],
    // The workspace's own scripts (this one included) are tested with Node's runner; they are not an Nx project.
    [process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, 'scripts/test/']],
    [join(root, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', 'test', '--output-style=stream']],
  ];
  const statusBefore = gitStatus(root);
  const failedSteps = [];
  for (const [command, args] of steps) {
    const { status, error } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
    if (error || status !== 0) failedSteps.push(`${[command, ...args].map((part) => relative(root, part) || part).join(' ')} (${error?.message ?? `exit ${status}`})`);
  }
  // Tests write into ignored folders only: a checkout that a test run changed cannot be committed as it is.
  const statusAfter = gitStatus(root);
  for (const line of statusBefore && statusAfter ? [...statusAfter].filter((entry) => !statusBefore.has(entry)) : []) {
    failedSteps.push(`the tests changed the checkout: ${line} (write test outputs into an ignored folder such as test-output/)`);
  }
  const summary = summariseReports(root);
  const scriptTests = tapCounts(existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '');
  for (const key of ['passed', 'failed', 'skipped']) summary[key] += scriptTests[key];
  for (const step of failedSteps) console.log(`failed: ${step}`);
  for (const problem of summary.problems) console.log(`failed: ${problem}`);
  console.log(closingLine(summary));
  process.exitCode = failedSteps.length > 0 || summary.failed > 0 || summary.passed === 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
