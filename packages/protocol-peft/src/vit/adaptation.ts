import { RadprobeError } from '@radprobe/core';

/** LoRA's settings: rank, scale numerator (the update is (alpha / rank)·B·A) and dropout on the adapter's input. */
export interface LoraSettings {
  mode: 'lora';
  rank: number;
  alpha: number;
  dropout: number;
}

/**
 * Which of the ViT's parameters train: all (`full`), the biases (`bitfit`), LoRA adapters plus the adapted layers'
 * biases, or none (`frozen`: the reference that trains only a head on the network's features).
 */
export type VitAdaptation = { mode: 'full' } | { mode: 'bitfit' } | LoraSettings | { mode: 'frozen' };

/** Layers that carry LoRA adapters in every block: the fused attention projection and both MLP layers. */
export const LORA_TARGETS = ['attn.qkv', 'mlp.fc1', 'mlp.fc2'] as const;

/** Throws a RadprobeError naming the offending field (as a JSON pointer into the adaptation) when settings are invalid. */
export function validateAdaptation(adaptation: VitAdaptation): void {
  const mode = (adaptation as { mode: unknown }).mode;
  if (mode === 'full' || mode === 'bitfit' || mode === 'frozen') return;
  if (mode !== 'lora') throw new RadprobeError(`adaptation mode '${String(mode)}' is not 'full', 'bitfit', 'lora' or 'frozen'`, { pointer: '/mode' });
  const { rank, alpha, dropout } = adaptation as LoraSettings;
  if (!Number.isInteger(rank) || rank < 1) throw new RadprobeError(`LoRA rank ${rank} must be a positive integer`, { pointer: '/rank' });
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new RadprobeError(`LoRA alpha ${alpha} must be a positive number`, { pointer: '/alpha' });
  if (!(dropout >= 0 && dropout < 1)) throw new RadprobeError(`LoRA dropout ${dropout} must lie in [0, 1)`, { pointer: '/dropout' });
}

/** Whether the canonical layer name `layer` (e.g. `blocks.3.mlp.fc1`) carries a LoRA adapter. */
export function isLoraTarget(layer: string): boolean {
  return LORA_TARGETS.some((target) => layer.endsWith(`.${target}`)) && layer.startsWith('blocks.');
}

/**
 * Whether the base parameter `name` trains under `adaptation`. LoRA trains the biases of the layers it adapts
 * ("LoRA biases trainable" in the spec, PEFT's `bias="lora_only"`); BitFit every bias, including the LayerNorms'.
 */
export function trainsBaseParameter(adaptation: VitAdaptation, name: string): boolean {
  switch (adaptation.mode) {
    case 'full':
      return true;
    case 'bitfit':
      return name.endsWith('.bias');
    case 'lora':
      return name.endsWith('.bias') && isLoraTarget(name.slice(0, -'.bias'.length));
    case 'frozen':
      return false;
  }
}
