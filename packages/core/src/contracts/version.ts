/**
 * The version of the contracts in this folder, semver: the major changes when a plugin written against the previous
 * contracts can break (a member removed or its meaning changed), the minor when a contract gains an optional member.
 * A plugin may check it at run time (`CONTRACTS_VERSION.startsWith('1.')`); the loader checks the `@radprobe/core`
 * peer range a plugin's package.json declares.
 */
export const CONTRACTS_VERSION = '1.0.0';
