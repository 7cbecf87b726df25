import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** scripts/setup-orthanc.sh of the workspace (testkit's dist/ and src/ both sit two levels below the root). */
const SETUP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'setup-orthanc.sh');

/** A running Orthanc of a test: its DICOMweb root, its REST root, and how to stop it. */
export interface OrthancServer {
  /** `http://127.0.0.1:<port>/dicom-web`. */
  dicomweb: string;
  /** `http://127.0.0.1:<port>`. */
  rest: string;
  pid: number;
  /** Stores a DICOM file (`POST /instances`); returns Orthanc's ids of the instance and of its study. */
  upload(bytes: Uint8Array): Promise<{ instance: string; study: string }>;
  /**
   * Replaces tags of a stored instance, UIDs kept: Orthanc's DICOM writer writes the new file
   * (`/instances/{id}/modify`), the original is deleted and the new file stored in its place.
   */
  replaceTags(instance: string, replace: Record<string, string>): Promise<void>;
  /** SIGTERM, then waits until the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's Orthanc with the DICOMweb plugin (scripts/setup-orthanc.sh installs it when missing), its storage
 * and config in `folder`. With `credentials` (`user:password`) every request needs HTTP basic auth.
 */
export async function startOrthanc(folder: string, credentials?: string): Promise<OrthancServer> {
  const { stdout } = await run('bash', [SETUP_SCRIPT, folder, ...(credentials ? [credentials] : [])], { timeout: 600_000 });
  const [pid, port] = stdout.trim().split('\n').pop()!.split(' ').map(Number);
  const rest = `http://127.0.0.1:${port}`;
  const authorization: Record<string, string> = credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {};
  const request = async (path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> => {
    const response = await fetch(`${rest}${path}`, { ...init, headers: { ...authorization, ...init.headers } });
    if (!response.ok) throw new Error(`Orthanc ${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  const upload = async (bytes: Uint8Array): Promise<{ instance: string; study: string }> => {
    const answer = (await (await request('/instances', { method: 'POST', body: new Uint8Array(bytes), headers: { 'content-type': 'application/dicom' } })).json()) as { ID: string; ParentStudy: string };
    return { instance: answer.ID, study: answer.ParentStudy };
  };
  return {
    dicomweb: `${rest}/dicom-web`,
    rest,
    pid,
    upload,
    async replaceTags(instance, replace) {
      const body = JSON.stringify({ Replace: replace, Keep: ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'], Force: true });
      const modified = new Uint8Array(await (await request(`/instances/${instance}/modify`, { method: 'POST', body })).arrayBuffer());
      await request(`/instances/${instance}`, { method: 'DELETE' });
      await upload(modified);
    },
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (!(await isRunning(pid))) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      process.kill(pid, 'SIGKILL');
    },
  };
}

/**
 * Whether the process still runs. Orthanc is not this process's child (the setup script started it and exited), so
 * once stopped it may stay a zombie until the machine's init reaps it: that counts as stopped.
 */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
