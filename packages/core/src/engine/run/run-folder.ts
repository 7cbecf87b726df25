import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { RadprobeError } from '../util/errors.js';
import { assertWritableFolder, folderError, isFileSystemError, type ConfiguredFolder } from '../util/path-problems.js';

const STAGING = /^\.(.+)\.partial$/;

/**
 * The run id whose unfinished files a folder holds (`<output>/.<run-id>.partial`, left by a run that was killed
 * before it finished), or null for any other folder. Readers of results pass such folders over.
 */
function unfinishedRunId(dir: string): string | null {
  return STAGING.exec(basename(dir))?.[1] ?? null;
}

/** Refuses the folder of a run that never finished, for commands that read a run's results. */
export function assertFinishedRunFolder(dir: string): void {
  const runId = unfinishedRunId(dir);
  if (runId !== null) {
    throw new RadprobeError(
      `${resolve(dir)}: this is what was written of run ${runId} before it stopped (killed?); it holds no complete results: ` +
        'run it again, and delete this folder',
      { file: dir },
    );
  }
}

/**
 * A run's results folder, which appears whole or not at all: everything is written into a hidden staging folder
 * beside it, `<output>/.<run-id>.partial`, renamed to `<output>/<run-id>` once the last file is in. A run that
 * is killed leaves only the staging folder, which readers pass over and the next run reports.
 */
export class RunFolder {
  private constructor(
    /** The run's id: the one asked for, or with `-2`, `-3`… when another run of the same config took it. */
    readonly runId: string,
    /** Where the results appear. */
    readonly dir: string,
    /** Where they are written until then. */
    readonly staging: string,
    private readonly folder: ConfiguredFolder,
  ) {}

  /**
   * Checks that the output folder takes files (before any work), and creates the staging folder in it. Run ids are
   * the start second and the config's hash, so a run started in the same second as another of the same config (a
   * rerun right after a killed one, workers of a job array) takes the next free `<run-id>-<n>`: creating the staging
   * folder is the claim, and no two runs ever share one.
   */
  static async create(outputRoot: string, runId: string, folder: ConfiguredFolder): Promise<RunFolder> {
    await assertWritableFolder(outputRoot, folder);
    for (let attempt = 1; ; attempt++) {
      const id = attempt === 1 ? runId : `${runId}-${attempt}`;
      const run = new RunFolder(id, join(outputRoot, id), join(outputRoot, `.${id}.partial`), folder);
      if (existsSync(run.dir)) continue;
      const claimed = await run.writing(() =>
        mkdir(run.staging).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'EEXIST') return false;
            throw error;
          },
        ),
      );
      if (claimed) return run;
    }
  }

  /** Staging folders of other runs in the output folder: runs that were killed, or that are still going. */
  async unfinishedNeighbours(): Promise<string[]> {
    const root = join(this.staging, '..');
    const names = await readdir(root).catch(() => []);
    return names.filter((name) => STAGING.test(name) && join(root, name) !== this.staging).map((name) => join(root, name));
  }

  /** Runs a write into the staging folder; a failed file-system call becomes one line naming the run's folder. */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      throw isFileSystemError(error) ? await folderError(error, this.dir, this.folder) : error;
    }
  }

  /** Writes the last files into the staging folder, then makes it the run's folder. */
  async publish(write: (staging: string) => Promise<void>): Promise<void> {
    await this.writing(async () => {
      await write(this.staging);
      await rename(this.staging, this.dir);
    });
  }

  /** Removes the staging folder of a run that failed or was cancelled. */
  discard(): Promise<void> {
    return rm(this.staging, { recursive: true, force: true });
  }
}
