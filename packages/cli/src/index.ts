export { main } from './cli.js';
export { prepareDemo, demoConfig } from './commands/demo.js';
export { pcaForRun, pcaForConfig, DEFAULT_PCA_OPTIONS, PCA_MANIFEST, type PcaOptions } from './commands/pca.js';
