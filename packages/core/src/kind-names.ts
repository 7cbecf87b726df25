/**
 * What an editor needs to name kinds without loading radprobe: did-you-mean matching and the first-party
 * package of a kind. Pure functions with no Node built-ins, native addons or plugin loading, exported on their
 * own (`@radprobe/core/kind-names`) so that the VS Code extension bundles these and nothing else of radprobe.
 */
export { closestMatch, wholeWordMatch } from './engine/config/did-you-mean.js';
export { firstPartyPackageOf, firstPartyPlugins } from './engine/plugins/first-party.js';
export type { ComponentSection } from './engine/plugins/sections.js';
