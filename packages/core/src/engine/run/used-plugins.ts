import type { PluginProvenance, Protocol } from '../../contracts/index.js';
import { firstPartyPlugins } from '../plugins/first-party.js';
import type { PluginRegistry, RegistrationSource } from '../plugins/registry.js';
import type { ComponentSection } from '../plugins/sections.js';

/** The plugin packages whose kinds a run used, for provenance. */
export class UsedPlugins {
  private readonly packages = new Map<string, { source: RegistrationSource; contributed: Record<ComponentSection, Set<string>> }>();

  constructor(private readonly registry: PluginRegistry) {}

  /** Records that the run used `kind` of `section` (a kind the registry does not hold is ignored). */
  use(section: ComponentSection, kind: string): void {
    const source = this.registry[section].get(kind);
    if (!source) return;
    let used = this.packages.get(source.packageName);
    if (!used) this.packages.set(source.packageName, (used = { source, contributed: { backbones: new Set(), datasets: new Set(), protocols: new Set() } }));
    used.contributed[section].add(kind);
  }

  /** The protocol lookup protocols get: it records the kinds they hand work to (few-shot's inner protocol). */
  readonly protocolLookup = (kind: string): Protocol | undefined => {
    const protocol = this.registry.protocols.get(kind)?.protocol;
    if (protocol) this.use('protocols', kind);
    return protocol;
  };

  provenance(): PluginProvenance[] {
    return [...this.packages.values()]
      .sort((a, b) => (a.source.packageName < b.source.packageName ? -1 : 1))
      .map(({ source, contributed }) => ({
        name: source.packageName,
        version: source.version,
        location: source.location,
        firstParty: firstPartyPlugins.some((plugin) => plugin.packageName === source.packageName),
        contributed: Object.fromEntries(
          Object.entries(contributed)
            .filter(([, kinds]) => kinds.size > 0)
            .map(([section, kinds]) => [section, [...kinds].sort()]),
        ),
      }));
  }
}
