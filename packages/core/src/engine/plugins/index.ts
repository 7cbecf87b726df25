export { discoverPlugins, findPackageDir, type PluginPackage } from './discover.js';
export {
  loadPluginRegistry,
  type PluginRegistry,
  type PluginFailure,
  type RegistrationSource,
  type ProtocolRegistration,
  type BackboneRegistration,
  type DatasetRegistration,
  type LoadPluginRegistryOptions,
} from './registry.js';
export { firstPartyPlugins, firstPartyPackageOf } from './first-party.js';
export { componentSections, type ComponentSection } from './sections.js';
