/**
 * The contracts between radprobe's engine and its plugins. Types only: no I/O, no behaviour.
 */
export type * from './json-schema.js';
export type * from './backbone.js';
export type * from './dataset.js';
export type * from './protocol.js';
export type * from './results.js';
export type * from './events.js';
export type * from './config.js';
export type * from './plugin.js';
