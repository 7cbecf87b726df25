/** What radprobe needs to know of a MedMNIST v2 dataset: its task, whether it is 3D, and its class names. */
export interface MedmnistInfo {
  task: 'multiclass' | 'binary' | 'multilabel';
  /** MedMNIST's own task name (ordinal regression is evaluated as multi-class). */
  publishedTask: 'multi-class' | 'binary-class' | 'multi-label, binary-class' | 'ordinal-regression';
  volumetric: boolean;
  classes: string[];
}

const ORGANS = ['bladder', 'femur-left', 'femur-right', 'heart', 'kidney-left', 'kidney-right', 'liver', 'lung-left', 'lung-right', 'pancreas', 'spleen'];

const multiclass = (classes: string[], volumetric = false): MedmnistInfo => ({ task: 'multiclass', publishedTask: 'multi-class', volumetric, classes });
const binary = (classes: [string, string], volumetric = false): MedmnistInfo => ({ task: 'binary', publishedTask: 'binary-class', volumetric, classes });

/** The 18 datasets of MedMNIST v2 (Yang et al. 2023), with the labels of the `medmnist` package's INFO table. */
export const MEDMNIST_DATASETS: Readonly<Record<string, MedmnistInfo>> = {
  pathmnist: multiclass([
    'adipose', 'background', 'debris', 'lymphocytes', 'mucus', 'smooth muscle', 'normal colon mucosa', 'cancer-associated stroma',
    'colorectal adenocarcinoma epithelium',
  ]),
  chestmnist: {
    task: 'multilabel',
    publishedTask: 'multi-label, binary-class',
    volumetric: false,
    classes: ['atelectasis', 'cardiomegaly', 'effusion', 'infiltration', 'mass', 'nodule', 'pneumonia', 'pneumothorax', 'consolidation', 'edema', 'emphysema', 'fibrosis', 'pleural', 'hernia'],
  },
  dermamnist: multiclass([
    'actinic keratoses and intraepithelial carcinoma', 'basal cell carcinoma', 'benign keratosis-like lesions', 'dermatofibroma', 'melanoma',
    'melanocytic nevi', 'vascular lesions',
  ]),
  octmnist: multiclass(['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal']),
  pneumoniamnist: binary(['normal', 'pneumonia']),
  retinamnist: { ...multiclass(['0', '1', '2', '3', '4']), publishedTask: 'ordinal-regression' },
  breastmnist: binary(['malignant', 'normal, benign']),
  bloodmnist: multiclass([
    'basophil', 'eosinophil', 'erythroblast', 'immature granulocytes(myelocytes, metamyelocytes and promyelocytes)', 'lymphocyte', 'monocyte',
    'neutrophil', 'platelet',
  ]),
  tissuemnist: multiclass([
    'Collecting Duct, Connecting Tubule', 'Distal Convoluted Tubule', 'Glomerular endothelial cells', 'Interstitial endothelial cells', 'Leukocytes',
    'Podocytes', 'Proximal Tubule Segments', 'Thick Ascending Limb',
  ]),
  organamnist: multiclass(ORGANS),
  organcmnist: multiclass(ORGANS),
  organsmnist: multiclass(ORGANS),
  organmnist3d: multiclass(ORGANS, true),
  nodulemnist3d: binary(['benign', 'malignant'], true),
  adrenalmnist3d: binary(['normal', 'hyperplasia'], true),
  fracturemnist3d: multiclass(['buckle rib fracture', 'nondisplaced rib fracture', 'displaced rib fracture'], true),
  vesselmnist3d: binary(['vessel', 'aneurysm'], true),
  synapsemnist3d: binary(['inhibitory synapse', 'excitatory synapse'], true),
};

/** `pathmnist_64.npz` → `{ name: 'pathmnist', size: 64 }`; the 28-pixel originals carry no size suffix. */
export function medmnistFileName(fileName: string): { name: string; size: number | null } {
  const match = /^([a-z0-9]+?)(?:_(\d+))?\.npz$/i.exec(fileName);
  if (!match) return { name: fileName.replace(/\.npz$/i, ''), size: null };
  return { name: match[1].toLowerCase(), size: match[2] === undefined ? null : Number(match[2]) };
}
