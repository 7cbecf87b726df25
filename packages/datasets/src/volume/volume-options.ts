import { type JsonSchema } from '@radprobe/core';
import { clipOptionSchema, resolveClip, resolveWindow, windowOptionSchema, type ClipOption, type WindowOption } from '@radprobe/core/engine';
import type { SliceAxis, VolumeOrientation } from './slicing.js';
import type { VolumeSlicing } from './volume-dataset.js';

/** Options every volume dataset kind accepts. */
export interface VolumeOptions {
  /** Axis of the voxel grid to slice along (0, 1, 2); default 2, the last NIfTI axis (axial for most CT). */
  axis?: SliceAxis;
  /** `file` (default, the study): slice the grid as stored; `RAS`: reorient it to RAS from the header first. */
  orientation?: VolumeOrientation;
  /** `all` slices (the study), or only those whose label map has foreground. */
  slices?: 'all' | 'foreground';
  window?: WindowOption;
  clip?: ClipOption;
}

/** Schema properties of `VolumeOptions`, with the intensity defaults of the kind. */
export function volumeOptionProperties(defaults: { window: WindowOption; clip: ClipOption }): Record<string, JsonSchema> {
  return {
    axis: { enum: [0, 1, 2], default: 2, description: 'Voxel axis to slice along: 2 = the last NIfTI axis (the study).' },
    orientation: { enum: ['file', 'RAS'], default: 'file', description: 'file: the grid as stored (the study); RAS: reoriented to RAS from the header (qform/sform).' },
    slices: { enum: ['all', 'foreground'], default: 'all', description: 'all slices (the study), or only slices whose label map has foreground.' },
    window: { ...windowOptionSchema, default: defaults.window },
    clip: { ...clipOptionSchema, default: defaults.clip },
  };
}

/** The slicing and intensity steps the options ask for, with the kind's defaults filled in. */
export function resolveVolumeOptions(options: VolumeOptions, defaults: { window: WindowOption; clip: ClipOption }): VolumeSlicing {
  return {
    axis: options.axis ?? 2,
    orientation: options.orientation ?? 'file',
    slices: options.slices ?? 'all',
    intensity: { window: resolveWindow(options.window ?? defaults.window, '/window'), clip: resolveClip(options.clip ?? defaults.clip, '/clip') },
  };
}
