#!/usr/bin/env node
// The `radprobe` command. This launcher is committed (dist/ is not) so that npm links the command when it installs
// the workspace, before anything is built; otherwise `npx radprobe` would find no local command and fetch whatever
// the public registry has under that name.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  process.stderr.write(
    `radprobe: the CLI is not built yet (${fileURLToPath(entry)} is missing): run \`npm run build\` (or \`npm start\`) in the radprobe workspace first\n`,
  );
  process.exitCode = 2;
}
