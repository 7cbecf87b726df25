// Preloaded into the CLI's process by tests (`node --import`): makes writes to matching paths fail with an errno
// code, as a full disk (ENOSPC: the file opens, the write fails) or a read-only folder (EACCES: the open fails)
// would. Neither can be made for real in a test: root writes through permissions, and mounting a small disk needs
// privileges a test does not have.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const code = process.env.RADPROBE_TEST_FAULT_CODE;
const pattern = new RegExp(process.env.RADPROBE_TEST_FAULT_PATH);
const descriptions = { ENOSPC: 'no space left on device', EACCES: 'permission denied' };
const fault = (syscall, path) => Object.assign(new Error(`${code}: ${descriptions[code]}, ${syscall} '${path}'`), { code, syscall, path });

const open = fs.promises.open;
fs.promises.open = async function (path, flags, ...rest) {
  const writing = typeof flags === 'string' && /[wa+]/.test(flags);
  if (!writing || !pattern.test(String(path))) return open.call(this, path, flags, ...rest);
  if (code !== 'ENOSPC') throw fault('open', path);
  const handle = await open.call(this, path, flags, ...rest);
  handle.writeFile = async () => {
    throw fault('write', path);
  };
  return handle;
};
syncBuiltinESMExports();
