import type { AliasHistoryEntry, DatasetVersion, ModelVersion } from './records.js';
import type { RolloutRecord } from './rollout.js';

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

/** A pino-compatible logger (only these methods are used); the default is silent. */
export interface RegistryLogger {
  /** Debug-level message. */
  debug(obj: object, msg?: string): void;
  /** Info-level message. */
  info(obj: object, msg?: string): void;
  /** Warning. */
  warn(obj: object, msg?: string): void;
  /** Error. */
  error(obj: object, msg?: string): void;
  /** A child logger with bindings (optional). */
  child?(bindings: object): RegistryLogger;
}

const noop = (): void => {};
/** A logger that logs nothing. */
export const silentRegistryLogger: RegistryLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Calls every listener of `event` on `emitter`, logging (never rethrowing) what a listener throws,
 * and removes `once` listeners afterwards.
 */
export function safeEmit(
  emitter: {
    listeners(event: string): Array<(...args: any[]) => void>;
    removeListener(event: string, fn: (...args: any[]) => void, context: undefined, once: boolean): unknown;
  },
  event: string,
  payload: unknown,
  logger: RegistryLogger,
): void {
  const listeners = emitter.listeners(event);
  for (const l of listeners) {
    try {
      l(payload);
    } catch (err) {
      logger.error({ err, event }, 'registry event listener threw');
    }
  }
  for (const l of listeners) emitter.removeListener(event, l, undefined, true);
}
