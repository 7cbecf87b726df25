import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RadprobeError, errorMessage, sha256, writeFileAtomic } from '@radprobe/core';

/** A UID as PS3.5 9.1 allows: digits and dots only, so it is safe as a file name. */
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function checkedUid(uid: string | undefined, what: string, where: string): string {
  if (uid === undefined || !UID.test(uid) || uid.length > 64) {
    throw new RadprobeError(`${where}: ${what} ${uid === undefined ? 'missing' : `"${uid}" is not a DICOM UID`}`, { file: where });
  }
  return uid;
}

/**
 * Retrieved instances, content-addressed: `objects/<2 hex>/<sha256>.dcm` holds the bytes, `sop/<SOP Instance
 * UID>` the sha256 of the bytes retrieved for it. Both are written atomically (object first), so a run killed at
 * any point leaves either a complete entry or none, and a rerun (or another protocol) reads instead of
 * downloading. An object whose bytes no longer match its name is retrieved again.
 */
export class InstanceStore {
  constructor(readonly folder: string) {}

  /** The stored bytes of an instance and their sha256, or null when not stored (or damaged). */
  async get(sop: string): Promise<{ bytes: Uint8Array; hash: string } | null> {
    const hash = (await readFile(this.indexPath(sop), 'utf8').catch(() => null))?.trim();
    if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return null;
    const bytes = await readFile(this.objectPath(hash)).catch(() => null);
    if (!bytes || sha256(bytes) !== hash) return null;
    return { bytes, hash };
  }

  /** The bytes of a stored object, or an error naming the instance when the object went missing meanwhile. */
  async read(hash: string, sop: string): Promise<Uint8Array> {
    try {
      return await readFile(this.objectPath(hash));
    } catch (error) {
      throw new RadprobeError(`${sop}: the stored instance ${this.objectPath(hash)} cannot be read (${errorMessage(error)})`, { file: sop, cause: error });
    }
  }

  async put(sop: string, bytes: Uint8Array): Promise<string> {
    const hash = sha256(bytes);
    await writeFileAtomic(this.objectPath(hash), bytes);
    await writeFileAtomic(this.indexPath(sop), `${hash}\n`);
    return hash;
  }

  private indexPath(sop: string): string {
    return join(this.folder, 'sop', checkedUid(sop, 'SOP Instance UID', this.folder));
  }

  private objectPath(hash: string): string {
    return join(this.folder, 'objects', hash.slice(0, 2), `${hash}.dcm`);
  }
}
