export { main } from './cli.js';
export { prepareDemo, demoConfig } from './commands/demo.js';
