import { coreVersionDefine } from '../../build-constants.ts';
import { packageBuild } from '../../tsup.shared.ts';

// Two entries: the plugin surface (`@radprobe/core`) and the engine hosts use (`@radprobe/core/engine`). They share
// chunks, so a class such as RadprobeError is one class whichever entry a package imports it from.
export default packageBuild(['src/index.ts', 'src/engine/index.ts'], coreVersionDefine());
