import { coreVersionDefine } from '../../build-constants.ts';
import { packageBuild } from '../../tsup.shared.ts';

// The plugin surface (`@radprobe/core`), the engine hosts use (`@radprobe/core/engine`) and the training worker's
// module (`@radprobe/core/train-worker`, which worker threads load), and the kind names the editor bundles
// (`@radprobe/core/kind-names`). They share
// chunks, so a class such as RadprobeError is one class whichever entry a package imports it from.
export default packageBuild(
  { index: 'src/index.ts', 'engine/index': 'src/engine/index.ts', 'train-worker': 'src/engine/train/train-worker.ts', 'kind-names': 'src/kind-names.ts' },
  coreVersionDefine(),
);
