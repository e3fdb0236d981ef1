/** The records the registry stores (JSON documents in the store). */

/** A JSON value as stored in version metadata. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A link from a model version to the dataset version it was trained on. */
export interface DatasetRef {
  /** The dataset name. */
  name: string;
  /** The dataset version number (1 for `V1`). */
  version: number;
}

/** One immutable model version. */
export interface ModelVersion {
  /** The model name. */
  name: string;
  /** The version number: 1, 2, 3… per model. */
  version: number;
  /** The sha256 (hex) of the artifact bytes. */
  sha256: string;
  /** The artifact size in bytes. */
  size: number;
  /** Offline metrics (name → value). */
  metrics: Record<string, number>;
  /** Training parameters. */
  params: Record<string, JsonValue>;
  /** Free tags (key → value). */
  tags: Record<string, string>;
  /** The training data fingerprint, if known. */
  fingerprint?: string;
  /** The dataset version it was trained on, if given. */
  dataset?: DatasetRef;
  /** A free description. */
  description?: string;
  /** Who registered it. */
  createdBy: string;
  /** When it was registered (epoch milliseconds). */
  createdAt: number;
  /** A random id of the registration call (lets a retried write recognise its own success). */
  registrationId: string;
}

/** A model's own record, created with its first version. */
export interface ModelRecord {
  /** The model name. */
  name: string;
  /** Model-level tags (searchable with `searchModels`). */
  tags: Record<string, string>;
  /** A free description. */
  description?: string;
  /** Who created it. */
  createdBy: string;
  /** When it was created (epoch milliseconds). */
  createdAt: number;
}

/** One entry of an alias's append-only history. */
export interface AliasHistoryEntry {
  /** 1, 2, 3… per alias. */
  seq: number;
  /** What happened: a move (`set`), a `delete`, or a `rollback`. */
  action: 'set' | 'delete' | 'rollback';
  /** The version the alias pointed to before (`null`: none). */
  from: number | null;
  /** The version it points to after (`null`: deleted). */
  to: number | null;
  /** When (epoch milliseconds). */
  at: number;
  /** Who. */
  actor: string;
  /** Why, if given. */
  reason?: string;
  /** True when a protected alias was moved with `force`. */
  forced?: boolean;
  /** A random id of the call (lets a retried write recognise its own success). */
  id: string;
}

/** An alias document: its current target and full history. */
export interface AliasRecord {
  /** The model name. */
  name: string;
  /** The alias. */
  alias: string;
  /** The current target (`null`: deleted). */
  version: number | null;
  /** Every move, oldest first. */
  history: AliasHistoryEntry[];
}

/** The description of a dataset version passed to `registerDataset`. */
export interface DatasetVersionInput {
  /** The data fingerprint (e.g. sha256 of the rows). */
  fingerprint: string;
  /** The number of rows. */
  rowCount: number;
  /** The schema (any JSON). */
  schema?: JsonValue;
  /** Where the data lives (a path or URL). */
  location?: string;
  /** A free description. */
  description?: string;
  /** Free tags. */
  tags?: Record<string, string>;
  /** Who registers it (default: the registry's actor). */
  actor?: string;
}

/** One immutable dataset version. */
export interface DatasetVersion {
  /** The dataset name. */
  name: string;
  /** The version number: 1, 2, 3… */
  version: number;
  /** The display label: `V1`, `V2`… */
  label: string;
  /** The data fingerprint. */
  fingerprint: string;
  /** The number of rows. */
  rowCount: number;
  /** The schema, if given. */
  schema?: JsonValue;
  /** Where the data lives, if given. */
  location?: string;
  /** A free description. */
  description?: string;
  /** Free tags. */
  tags: Record<string, string>;
  /** Who registered it. */
  createdBy: string;
  /** When (epoch milliseconds). */
  createdAt: number;
  /** A random id of the registration call. */
  registrationId: string;
}
