import type { AliasHistoryEntry, DatasetVersion, ModelVersion } from './records.js';
import type { RolloutRecord } from '../rollout/rollout.js';

/** Payload of `versionRegistered`. */
export interface VersionRegisteredEvent {
  /** The new version record. */
  version: ModelVersion;
}

/** Payload of `aliasMoved` (also emitted by a watcher; `entry` is absent for a watcher's first report). */
export interface AliasMovedEvent {
  /** The model name. */
  name: string;
  /** The alias. */
  alias: string;
  /** The previous target (`null`: none). */
  from: number | null;
  /** The new target (`null`: deleted). */
  to: number | null;
  /** The history entry written, when known. */
  entry?: AliasHistoryEntry;
}

/** Payload of `rolloutChanged`. */
export interface RolloutChangedEvent {
  /** The model name. */
  name: string;
  /** The new rollout. */
  rollout: RolloutRecord;
  /** The rollout before, when known. */
  previous?: RolloutRecord;
}

/** Payload of `datasetRegistered`. */
export interface DatasetRegisteredEvent {
  /** The new dataset version. */
  dataset: DatasetVersion;
}

/** The registry's typed events, emitted after the durable write. */
export interface RegistryEvents {
  /** A model version was registered. */
  versionRegistered: (event: VersionRegisteredEvent) => void;
  /** An alias was set, moved, deleted or rolled back. */
  aliasMoved: (event: AliasMovedEvent) => void;
  /** A model's rollout record changed. */
  rolloutChanged: (event: RolloutChangedEvent) => void;
  /** A dataset version was registered. */
  datasetRegistered: (event: DatasetRegisteredEvent) => void;
}
