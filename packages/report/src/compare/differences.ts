import { RadprobeError } from '@radprobe/core';

/** Something two runs disagree on that makes their numbers incomparable. */
export interface Difference {
  /** What disagrees, e.g. `dataset "montgomery"`. */
  subject: string;
  field: string;
  first: { run: string; value: string };
  second: { run: string; value: string };
}

export function formatDifference(difference: Difference): string {
  const { subject, field, first, second } = difference;
  return `${subject} ${field}: ${first.run} has ${first.value}, ${second.run} has ${second.value}`;
}

/** Refuses differences unless `allowMixed`, in which case they become warnings (returned). */
export function refuseOrWarn(differences: readonly Difference[], allowMixed: boolean): string[] {
  const lines = differences.map(formatDifference);
  if (lines.length && !allowMixed) {
    throw new RadprobeError(`compare: the runs are not comparable (--allow-mixed compares them anyway, with warnings):\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  return lines;
}
