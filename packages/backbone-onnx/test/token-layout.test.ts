import { describe, expect, it } from 'vitest';
import { inferTokenLayout, registersFromSequence, type GraphValue } from '../src/token-layout.js';

const image: GraphValue = { name: 'pixel_values', type: 'float32', shape: ['batch', 3, 'height', 'width'] };
const hfOutputs: GraphValue[] = [
  { name: 'last_hidden_state', type: 'float32', shape: ['batch', 'sequence', 384] },
  { name: 'pooler_output', type: 'float32', shape: ['batch', 384] },
];
const base = { modelPath: '/m/model.onnx', hfConfig: { files: [] } };

describe('inferTokenLayout', () => {
  it('reads a Hugging Face export with its config', () => {
    const layout = inferTokenLayout({
      ...base,
      inputs: [image],
      outputs: hfOutputs,
      hfConfig: {
        files: ['/m/config.json'],
        embedDim: 384,
        depth: 12,
        patchSize: 14,
        registerTokens: 4,
        inputSize: { height: 224, width: 224 },
        normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      },
    });
    expect(layout).toMatchObject({
      style: 'hf',
      inputName: 'pixel_values',
      source: { kind: 'sequence', outputs: ['last_hidden_state'] },
      poolerOutput: 'pooler_output',
      patchSize: 14,
      inputSize: { height: 224, width: 224 },
      dynamicInputSize: true,
      embedDim: 384,
      registerTokens: 4,
      totalBlocks: 12,
      exposedBlocks: [11],
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    });
    expect(layout.inferred).toEqual(['Hugging Face style (output "last_hidden_state"): the final block only']);
  });

  it('without config: defaults, and an unknown register count and depth', () => {
    const layout = inferTokenLayout({ ...base, inputs: [image], outputs: hfOutputs.slice(0, 1) });
    expect(layout.patchSize).toBe(14);
    expect(layout.inputSize).toEqual({ height: 224, width: 224 });
    expect(layout.embedDim).toBe(384);
    expect(layout.registerTokens).toBeNull();
    expect(layout.totalBlocks).toBeNull();
    expect(layout.exposedBlocks).toEqual([-1]);
    expect(layout.normalization).toEqual({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(layout.inferred.join('\n')).toMatch(/patch size 14.*\n.*224 rounded.*\n.*depth unknown.*\n.*ImageNet/);
  });

  it('infers registers from a fixed sequence length', () => {
    // 224/14 = 16 → 256 patches; 261 = 1 CLS + 4 registers + 256.
    const layout = inferTokenLayout({
      ...base,
      inputs: [{ ...image, shape: [1, 3, 224, 224] }],
      outputs: [{ name: 'last_hidden_state', type: 'float32', shape: [1, 261, 384] }],
    });
    expect(layout.registerTokens).toBe(4);
    expect(layout.dynamicInputSize).toBe(false);
  });

  it('rounds the default input side to the patch size', () => {
    // round(224 / 10) = 22 patches → 220; round(224 / 16) = 14 → 224.
    const sizes = [10, 16].map(
      (patchSize) => inferTokenLayout({ ...base, inputs: [image], outputs: hfOutputs, manifest: { patchSize } }).inputSize.height,
    );
    expect(sizes).toEqual([220, 224]);
  });

  it('pairs Meta-style outputs in graph order and numbers blocks from the end when depth is unknown', () => {
    const outputs: GraphValue[] = [0, 1, 2, 3].flatMap((i) => [
      { name: `onnx::patch_${i}`, type: 'float32', shape: ['b', 'n', 768] },
      { name: `onnx::cls_${i}`, type: 'float32', shape: ['b', 768] },
    ]);
    const layout = inferTokenLayout({ ...base, inputs: [{ ...image, name: 'x' }], outputs });
    expect(layout.style).toBe('meta');
    expect(layout.source).toEqual({
      kind: 'pairs',
      cls: ['onnx::cls_0', 'onnx::cls_1', 'onnx::cls_2', 'onnx::cls_3'],
      patch: ['onnx::patch_0', 'onnx::patch_1', 'onnx::patch_2', 'onnx::patch_3'],
    });
    expect(layout.registerTokens).toBe(0);
    expect(layout.exposedBlocks).toEqual([-4, -3, -2, -1]);
    expect(inferTokenLayout({ ...base, inputs: [image], outputs, manifest: { depth: 12 } }).exposedBlocks).toEqual([8, 9, 10, 11]);
  });

  it('takes output names and blocks from a manifest', () => {
    const outputs: GraphValue[] = [
      { name: 'a', type: 'float32', shape: ['b', 't', 64] },
      { name: 'b', type: 'float32', shape: ['b', 't', 64] },
    ];
    const layout = inferTokenLayout({
      ...base,
      inputs: [image],
      outputs,
      manifest: { outputs: { tokens: ['b'] }, blocks: [5], registerTokens: 0, depth: 6 },
      manifestFile: '/m/radprobe.json',
    });
    expect(layout).toMatchObject({ style: 'manifest', source: { kind: 'sequence', outputs: ['b'] }, exposedBlocks: [5], registerTokens: 0 });
    expect(() =>
      inferTokenLayout({ ...base, inputs: [image], outputs, manifest: { outputs: { tokens: ['c'] } }, manifestFile: '/m/radprobe.json' }),
    ).toThrow('manifest /m/radprobe.json names output "c", but /m/model.onnx has outputs "a", "b"');
  });

  it('refuses inputs that are not one float32 [B, 3, H, W] image', () => {
    const attempt = (inputs: GraphValue[]) => () => inferTokenLayout({ ...base, inputs, outputs: hfOutputs });
    expect(attempt([{ name: 'ids', type: 'int64', shape: ['b', 't'] }])).toThrow(
      '/m/model.onnx: the first input must be a float32 image tensor [B, 3, H, W], but it is "ids" (int64 [b, t])',
    );
    expect(attempt([{ ...image, shape: ['b', 1, 224, 224] }])).toThrow(/"pixel_values" \(float32 \[b, 1, 224, 224\]\)/);
    expect(attempt([image, { name: 'mask', type: 'bool', shape: ['b'] }])).toThrow(/has 2 inputs/);
  });

  it('refuses sizes that disagree with the graph or the patch size', () => {
    const fixed = [{ ...image, shape: [1, 3, 224, 224] }];
    expect(() => inferTokenLayout({ ...base, inputs: fixed, outputs: hfOutputs, overrides: { inputSize: 448 } })).toThrow(
      /fixed at 224×224, but the backbone option inputSize asks for 448×448/,
    );
    expect(() => inferTokenLayout({ ...base, inputs: [image], outputs: hfOutputs, overrides: { inputSize: 230 } })).toThrow(
      /230×230 \(from the backbone option inputSize\) is not a multiple of the patch size 14/,
    );
    expect(() =>
      inferTokenLayout({ ...base, inputs: [image], outputs: hfOutputs, hfConfig: { files: ['/m/config.json'], embedDim: 768 } }),
    ).toThrow(/outputs are 384 wide but \/m\/config.json says hidden_size 768/);
  });

  it('asks for a manifest when outputs cannot be told apart', () => {
    const outputs: GraphValue[] = [{ name: 'features', type: 'float32', shape: ['b', 't', 384] }];
    expect(() => inferTokenLayout({ ...base, inputs: [image], outputs })).toThrow(/cannot tell which outputs are which tokens.*write a manifest/);
  });
});

describe('registersFromSequence', () => {
  it('accepts 0 or 4 registers and nothing else', () => {
    // 448×224 with patch 14: 32 × 16 = 512 patches.
    expect(registersFromSequence(513, { height: 448, width: 224 }, 14, 'm.onnx')).toBe(0);
    expect(registersFromSequence(517, { height: 448, width: 224 }, 14, 'm.onnx')).toBe(4);
    expect(() => registersFromSequence(515, { height: 448, width: 224 }, 14, 'm.onnx')).toThrow(/leaves 2 tokens besides CLS/);
  });
});
