import type { JsonSchema } from '../../contracts/json-schema.js';
import { decodeLimitsSchema } from '../image/decode-limits.js';
import type { ComponentSection } from '../plugins/sections.js';

export const defaultModelStore = '~/.cache/radprobe/models';
export const defaultCacheFolder = '.radprobe/cache';

export const entryNameSchema: JsonSchema = {
  type: 'string',
  minLength: 1,
  description:
    'Name of this entry in results; unique within its list. Defaults to the kind (for a backbone with a "model" option, the model file name without extension).',
};

const deviceSchema: JsonSchema = {
  enum: ['auto', 'cpu', 'cuda'],
  enumDescriptions: ['The best execution provider present.', 'CPU only.', 'NVIDIA GPU (fails when unavailable).'],
};

// A batch of 1024 images at 448² is 2.4 GB of float32 input before the backbone's own activations.
const batchSizeSchema: JsonSchema = { type: 'integer', minimum: 1, maximum: 1024 };

/**
 * Options of every backbone entry whatever its kind: the engine reads them (the device it hands the plugin, the
 * batches it asks for) and leaves them out of the feature cache's key, so a plugin never declares them.
 */
export const engineBackboneOptions: Record<string, JsonSchema> = {
  device: { ...deviceSchema, description: "Where this backbone runs; overrides the run's device." },
  batchSize: { ...batchSizeSchema, description: "Images per forward pass of this backbone; overrides the run's batchSize." },
};

const sectionDescriptions: Record<ComponentSection, string> = {
  backbones: 'Models whose frozen features are evaluated. Each entry names a backbone kind and its options.',
  datasets: 'Datasets to evaluate on. Each entry names a dataset kind and its options.',
  protocols: 'Evaluation protocols run on every backbone × dataset pair. Each entry names a protocol kind and its options.',
};

const presetNames = ['study', 'study-knn', 'upstream'];
const presetDescriptions = [
  'The study: resize to 224×224, per-image min–max to [0, 1], backbone (ImageNet) normalisation.',
  "The study's kNN: resize to 256×256, centre crop 224, min–max, backbone normalisation.",
  'Upstream DINOv2: resize the shorter side to 256, centre crop 224, divide by the nominal maximum, backbone normalisation.',
];

/** The generator takes a 32-bit seed (`Random`): a larger one would silently repeat a smaller one's draws. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Sides of backbone inputs: a 4096² RGB float32 image is already 200 MB, so anything larger is a typo (DINOv2 ran
 * at 224 and 448, its positional grid is trained for 518).
 */
export const MAX_INPUT_SIDE = 4096;

// Intensities are in [0, 1] when normalised: a mean or a std beyond ±10 is a typo, and a std of 0 divides by zero.
const channelTriple = (items: JsonSchema): JsonSchema => ({ type: 'array', items, minItems: 3, maxItems: 3 });
const side: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_INPUT_SIDE };

const preprocessingSchema: JsonSchema = {
  description: 'How images become backbone input: a preset name, or an object overriding steps of a preset.',
  default: 'study',
  if: { type: 'string' },
  then: { enum: presetNames, enumDescriptions: presetDescriptions },
  else: {
    type: 'object',
    additionalProperties: false,
    properties: {
      preset: { enum: presetNames, enumDescriptions: presetDescriptions, description: 'Preset whose steps the other keys override (default "study").' },
      resize: {
        type: 'object',
        description: 'Resize step (bicubic).',
        additionalProperties: false,
        required: ['mode', 'size'],
        properties: {
          mode: {
            enum: ['square', 'shorter-side'],
            enumDescriptions: ['Resize to size×size (the study).', 'Scale so that the shorter side is size (upstream).'],
            description: 'Square resize, or keep the aspect ratio and scale the shorter side.',
          },
          size: { ...side, description: 'Target side in pixels.' },
        },
      },
      centerCrop: { type: ['integer', 'null'], minimum: 1, maximum: MAX_INPUT_SIDE, description: 'Side of the centre crop after resizing, or null for none.' },
      scale: {
        enum: ['minmax', 'range'],
        enumDescriptions: ['Per image and channel to [0, 1] (the study).', "Divide by the format's nominal maximum (upstream)."],
        description: 'How intensities are brought to [0, 1] before normalisation.',
      },
      resampling: {
        enum: ['float', 'pil-uint8'],
        enumDescriptions: [
          "Resize the image's own values in floating point, unclamped (torchvision's Resize on float tensors).",
          "Bring the image to 8 bits by the scale step, then resize as Pillow's Image.resize(BICUBIC) does on 8-bit images, rounding and clamping after each pass (Meta's DINOv2 evaluation on PIL images).",
        ],
        description: 'Arithmetic of the resize (and crop): floating point, or Pillow on 8-bit images.',
      },
      normalize: {
        description: '"backbone" for the backbone\'s own normalisation, or explicit per-channel mean and std.',
        if: { type: 'string' },
        then: { const: 'backbone' },
        else: {
          type: 'object',
          additionalProperties: false,
          required: ['mean', 'std'],
          properties: {
            mean: { ...channelTriple({ type: 'number', minimum: -10, maximum: 10 }), description: 'Per-channel mean subtracted (R, G, B).' },
            std: { ...channelTriple({ type: 'number', exclusiveMinimum: 0, maximum: 10 }), description: 'Per-channel standard deviation divided by (R, G, B).' },
          },
        },
      },
    },
  },
};

/**
 * The run config's schema around the given entry schemas (one per list). Kept in one place so that the static
 * core schema and the plugin-composed one never drift apart.
 */
export function configSchema(entries: Record<ComponentSection, JsonSchema>, definitions: Record<string, JsonSchema> = {}): JsonSchema {
  const list = (section: ComponentSection): JsonSchema => ({
    type: 'array',
    minItems: 1,
    description: sectionDescriptions[section],
    items: entries[section],
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'radprobe run config',
    description: 'A radprobe run: every backbone × dataset × protocol, with the settings they share.',
    type: 'object',
    additionalProperties: false,
    required: ['backbones', 'datasets', 'protocols'],
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema this file follows (for editors; ignored by runs).' },
      name: { type: 'string', description: 'Title of the run, shown in results (defaults to the run id).' },
      seed: { type: 'integer', minimum: 0, maximum: MAX_SEED, default: 0, description: 'Seed of every random draw (splits, few-shot samples, bootstrap, training).' },
      output: { type: 'string', minLength: 1, default: 'results', description: 'Results folder, relative to this file; a run writes <output>/<run-id>/.' },
      cache: { type: 'string', minLength: 1, default: defaultCacheFolder, description: 'Feature cache folder, relative to this file.' },
      modelStore: {
        type: 'string',
        minLength: 1,
        default: defaultModelStore,
        description: 'Local model store for backbones named by store name; ~ is your home folder. Environment variable RADPROBE_MODEL_STORE replaces the default.',
      },
      plugins: {
        type: 'array',
        default: [],
        items: { type: 'string', minLength: 1 },
        description: 'Plugin packages, or module paths relative to this file, to load besides the installed ones. A listed plugin may replace a built-in kind.',
      },
      onBadItem: {
        enum: ['fail', 'skip'],
        enumDescriptions: ['The first unreadable item stops the run, naming it.', 'Unreadable items are left out and listed in the results.'],
        default: 'fail',
        description: 'What to do with an item that cannot be read.',
      },
      device: { ...deviceSchema, default: 'auto', description: 'Where backbones run.' },
      trainingWorkers: {
        type: 'integer',
        minimum: 1,
        maximum: 256,
        description:
          'Threads that train data-parallel on the wasm backend (linear probes, segmentation decoders, fine-tuning, LoRA, BitFit): the main thread and worker threads, each on its share of every batch (results do not depend on it beyond float rounding). Default: environment variable RADPROBE_TRAINING_WORKERS, else every core (os.availableParallelism()).',
      },
      batchSize: { ...batchSizeSchema, default: 16, description: 'Images per backbone forward pass.' },
      bootstrap: {
        type: 'object',
        additionalProperties: false,
        default: { samples: 1000, confidence: 0.95 },
        description: 'Bootstrap confidence intervals of every metric.',
        properties: {
          // Percentile intervals settle well before 10⁴ resamples; each resample costs a pass over the TEST predictions
          // and keeps one value per metric and class, so 10⁹ would run for days and exhaust memory.
          samples: { type: 'integer', minimum: 0, maximum: 100_000, default: 1000, description: 'Resamples drawn (0: no intervals).' },
          confidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Coverage of the intervals, e.g. 0.95.' },
        },
      },
      decodeLimits: decodeLimitsSchema,
      preprocessing: preprocessingSchema,
      backbones: list('backbones'),
      datasets: list('datasets'),
      protocols: list('protocols'),
    },
    ...(Object.keys(definitions).length ? { $defs: definitions } : {}),
  };
}

function openEntry(section: ComponentSection): JsonSchema {
  return {
    type: 'object',
    required: ['kind'],
    description: `An entry of "${section}": its kind and that kind's options.`,
    properties: {
      kind: { type: 'string', minLength: 1, description: 'Which plugin-provided kind this entry is.' },
      name: entryNameSchema,
    },
  };
}

/** The config schema without plugin knowledge: any kind, any options. */
export const coreConfigSchema: JsonSchema = configSchema({
  backbones: openEntry('backbones'),
  datasets: openEntry('datasets'),
  protocols: openEntry('protocols'),
});
