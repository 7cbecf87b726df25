import type { BackboneInfo, FeatureNeeds } from '../../contracts/index.js';

/**
 * What one cached record holds. Features are grouped so that cheap, always-useful vectors (CLS and mean patch
 * token of every exposed block) are cached for every item, while full patch tokens, ~250× larger, are cached
 * only when a protocol asks for them.
 */
export type FeatureGroup =
  | { kind: 'global'; blocks: number; embedDim: number; withPatchMean: boolean }
  | { kind: 'patch'; blocks: number; embedDim: number; tokens: number };

/** Floats in one item's record of the group. */
export function recordFloats(group: FeatureGroup): number {
  return group.kind === 'global'
    ? group.blocks * group.embedDim * (group.withPatchMean ? 2 : 1)
    : group.blocks * group.tokens * group.embedDim;
}

/** Folder name of the group inside a cache entry; encodes its layout so that layouts never mix. */
export function groupDirectoryName(group: FeatureGroup): string {
  return group.kind === 'global'
    ? `global-b${group.blocks}-d${group.embedDim}${group.withPatchMean ? '-pm' : ''}`
    : `patch-last${group.blocks}-t${group.tokens}-d${group.embedDim}`;
}

/** The group a folder name stands for (the inverse of `groupDirectoryName`), or null for any other name. */
export function parseGroupDirectoryName(name: string): FeatureGroup | null {
  const global = /^global-b(\d+)-d(\d+)(-pm)?$/.exec(name);
  if (global) return { kind: 'global', blocks: Number(global[1]), embedDim: Number(global[2]), withPatchMean: Boolean(global[3]) };
  const patch = /^patch-last(\d+)-t(\d+)-d(\d+)$/.exec(name);
  if (patch) return { kind: 'patch', blocks: Number(patch[1]), tokens: Number(patch[2]), embedDim: Number(patch[3]) };
  return null;
}

/**
 * The groups a run needs, given the union of its protocols' needs and what the backbone exposes. The global
 * group always covers every exposed block: it costs little and spares a re-extraction when a later protocol
 * wants more blocks.
 */
export function groupsFor(needs: FeatureNeeds, info: BackboneInfo, tokens: number): FeatureGroup[] {
  const groups: FeatureGroup[] = [];
  if (needs.clsBlocks > 0 || needs.patchMean) {
    groups.push({ kind: 'global', blocks: info.exposedBlocks.length, embedDim: info.embedDim, withPatchMean: info.hasPatchTokens });
  }
  const patchBlocks = Math.min(needs.patchBlocks, info.hasPatchTokens ? info.exposedBlocks.length : 0);
  if (patchBlocks > 0) groups.push({ kind: 'patch', blocks: patchBlocks, embedDim: info.embedDim, tokens });
  return groups;
}

/** The union of several protocols' needs. */
export function mergeNeeds(all: FeatureNeeds[]): FeatureNeeds {
  return all.reduce(
    (merged, needs) => ({
      clsBlocks: Math.max(merged.clsBlocks, needs.clsBlocks),
      patchMean: merged.patchMean || needs.patchMean,
      patchBlocks: Math.max(merged.patchBlocks, needs.patchBlocks),
      masks: Boolean(merged.masks || needs.masks),
      pixels: Boolean(merged.pixels || needs.pixels),
      trainable: Boolean(merged.trainable || needs.trainable),
    }),
    { clsBlocks: 0, patchMean: false, patchBlocks: 0, masks: false, pixels: false, trainable: false },
  );
}
