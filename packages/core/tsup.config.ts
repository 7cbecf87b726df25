import { packageBuild } from '../../tsup.shared.ts';

export default packageBuild({ index: 'src/index.ts', 'train-worker': 'src/engine/train/train-worker.ts' });
