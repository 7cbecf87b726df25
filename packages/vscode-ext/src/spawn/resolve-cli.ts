import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** How to start radprobe for a workspace folder: `node <cliScript> …`. */
export interface RunnerCommand {
  node: string;
  cliScript: string;
  /** Where the CLI was found, for the log. */
  source: 'setting' | 'workspace';
}

export interface RunnerSettings {
  /** `radprobe.cliPath`: the CLI's bin script, its package folder, or a folder whose node_modules holds it. Empty: look in the workspace. */
  cliPath: string;
  /** `radprobe.nodePath`: the Node to run it with. Empty: `node` from PATH. */
  nodePath: string;
}

/** The bin script declared by an @radprobe/cli package folder, or null when the folder is not one. */
function binOf(packageDir: string): string | null {
  const manifestPath = join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; bin?: string | Record<string, string> };
  if (manifest.name !== '@radprobe/cli') return null;
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.radprobe;
  return bin ? join(packageDir, bin) : null;
}

/**
 * Finds the radprobe CLI the way Node would resolve `@radprobe/cli` from the workspace folder (its
 * `node_modules`, then each parent's), unless `radprobe.cliPath` names it. The CLI runs under the user's Node
 * because its native addons (onnxruntime, tfjs-node) are built for that Node's ABI, not the editor's.
 */
export function resolveRunner(workspaceDir: string, settings: RunnerSettings): RunnerCommand {
  const node = settings.nodePath.trim() || 'node';
  const configured = settings.cliPath.trim();
  if (configured) {
    const path = isAbsolute(configured) ? configured : resolve(workspaceDir, configured);
    const isFolder = existsSync(path) && statSync(path).isDirectory();
    const script = isFolder ? (binOf(path) ?? binOf(join(path, 'node_modules', '@radprobe', 'cli'))) : path;
    if (!script || !existsSync(script)) {
      throw new Error(`radprobe.cliPath is '${configured}', but ${script ?? path} is not the radprobe CLI (expected its bin script or the @radprobe/cli package folder)`);
    }
    return { node, cliScript: script, source: 'setting' };
  }
  for (let dir = resolve(workspaceDir); ; dir = dirname(dir)) {
    const script = binOf(join(dir, 'node_modules', '@radprobe', 'cli'));
    if (script && existsSync(script)) return { node, cliScript: script, source: 'workspace' };
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `radprobe is not installed in ${workspaceDir}: run \`npm install --save-dev @radprobe/cli\` there, or set radprobe.cliPath`,
  );
}

/** The command line as a user would type it, for the Output channel. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
