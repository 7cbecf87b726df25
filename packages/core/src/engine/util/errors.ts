/**
 * An error a user can act on: it names the file, the config field (JSON pointer) or the item it is about.
 * The CLI prints `message` alone, without a stack.
 */
export class RadprobeError extends Error {
  readonly file?: string;
  readonly pointer?: string;
  override readonly cause?: unknown;

  constructor(message: string, where: { file?: string; pointer?: string; cause?: unknown } = {}) {
    super(message);
    this.name = 'RadprobeError';
    this.file = where.file;
    this.pointer = where.pointer;
    this.cause = where.cause;
  }
}

/**
 * A dataset's source (a server) cannot be reached: no item is to blame, so the run stops whatever `onBadItem`
 * says, rather than skipping every item after the outage.
 */
export class SourceUnavailableError extends RadprobeError {
  constructor(message: string, where: { file?: string; pointer?: string; cause?: unknown } = {}) {
    super(message, where);
    this.name = 'SourceUnavailableError';
  }
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
