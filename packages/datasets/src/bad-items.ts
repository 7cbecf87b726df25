import { RadprobeError, type SkippedItem } from '@radprobe/core';
import type { BadItemPolicy } from './common-options.js';

/**
 * Collects items that cannot be used. Under `skip` they end up in the dataset's `skipped`; under `fail` the
 * loader finishes its scan and then stops, naming the first one and how many there were.
 */
export class BadItems {
  private readonly found: SkippedItem[] = [];

  constructor(
    private readonly policy: BadItemPolicy,
    private readonly dataset: string,
  ) {}

  add(source: string, reason: string): void {
    this.found.push({ source, reason });
  }

  /** The skipped items, or a RadprobeError under `fail` when there are any. */
  settle(): SkippedItem[] {
    if (this.policy === 'fail' && this.found.length > 0) {
      const [first] = this.found;
      const count = this.found.length === 1 ? '1 bad item' : `${this.found.length} bad items`;
      throw new RadprobeError(`dataset "${this.dataset}": ${count} (onBadItem is "fail"); first: ${first.source}: ${first.reason}`, { file: first.source });
    }
    return [...this.found];
  }
}
