/**
 * `@modelship/core/registry`: the versioned model registry (versions, aliases with history,
 * rollouts, datasets, watch, resolve, search) over any store, its records, events and options.
 *
 * @module @modelship/core/registry
 */
export { createRegistry, ModelRegistry } from './registry.js';
export type { VersionRef, LoadedVersion, ResolveResult, ResolveOptions } from './registry.js';
export { registerMetaSchema } from './registry-options.js';
export type {
  RegistryOptions,
  RegisterMeta,
  AliasMoveOptions,
  SetRolloutOptions,
  RolloutFence,
  StartRolloutInput,
  Authorizer,
  AuthorizationRequest,
  ArtifactCodec,
  ArtifactDescription,
} from './registry-options.js';
export { modelArtifactCodec } from './artifact-codec.js';
export { registryKeys } from './keys.js';
export { registryNameSchema, validateName, validateVersion, MAX_NAME_LENGTH } from './names.js';
export type {
  ModelVersion,
  ModelRecord,
  AliasRecord,
  AliasHistoryEntry,
  DatasetRef,
  DatasetVersion,
  DatasetVersionInput,
  JsonValue,
} from './records.js';
export type {
  RegistryEvents,
  VersionRegisteredEvent,
  AliasMovedEvent,
  RolloutChangedEvent,
  DatasetRegisteredEvent,
} from './events.js';
export { RegistryWatcher } from './watch.js';
export type { WatchOptions, WatcherEvents } from './watch.js';
export type { VersionQuery, ModelQuery, MetricFilter } from './search.js';
export { targetAt as aliasTargetAt, rollbackTarget } from './alias-history.js';
