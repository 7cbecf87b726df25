export { coreConfigSchema } from './core-schema.js';
export { composeConfigSchema, writeConfigSchema } from './compose-schema.js';
export { validateConfigText } from './validate.js';
export { loadConfig, type LoadedConfig } from './load.js';
export { configHash } from './config-hash.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config-error.js';
export { editDistance, closestMatch } from './did-you-mean.js';
export { resolveModelStore } from './model-store.js';
export { validateOptions } from './validate-options.js';
