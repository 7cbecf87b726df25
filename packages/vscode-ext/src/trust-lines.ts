/** The Output channel's first line: what radprobe will and will not do in this workspace. */
export function activationLine(trusted: boolean): string {
  return trusted
    ? 'radprobe extension active in a trusted workspace: runs evaluations, validates configs and loads plugins'
    : 'radprobe extension active in an untrusted workspace: shows configs, installed plugins and past results only; trust the workspace to run evaluations';
}

/** Logged when the user trusts the workspace while radprobe is active. */
export const trustGrantedLine = 'workspace trusted: radprobe now runs evaluations, validates configs and loads plugins';
