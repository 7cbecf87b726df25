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

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
