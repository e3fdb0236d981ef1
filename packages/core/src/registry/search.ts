import type { DatasetRef, ModelRecord, ModelVersion } from './records.js';

/** A metric threshold: every bound given must hold. */
export interface MetricFilter {
  /** The metric name. */
  name: string;
  /** Greater than or equal. */
  gte?: number;
  /** Strictly greater. */
  gt?: number;
  /** Less than or equal. */
  lte?: number;
  /** Strictly less. */
  lt?: number;
}

/** A version search. Every field given must match. */
export interface VersionQuery {
  /** Only this model (default: every model). */
  name?: string;
  /** Tags that must be present: a string value must be equal, `true` only requires the key. */
  tags?: Record<string, string | true>;
  /** Metric thresholds (all must hold; a missing metric does not match). */
  metrics?: MetricFilter[];
  /** Registered at or after (epoch ms or Date). */
  createdAfter?: number | Date;
  /** Registered at or before (epoch ms or Date). */
  createdBefore?: number | Date;
  /** Trained on this dataset version. */
  dataset?: DatasetRef;
}

/** A model search. */
export interface ModelQuery {
  /** Model tags that must be present (string: equal; `true`: key present). */
  tags?: Record<string, string | true> | undefined;
}

function matchTags(have: Record<string, string>, want: Record<string, string | true> | undefined): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) {
    if (!(k in have)) return false;
    if (v !== true && have[k] !== v) return false;
  }
  return true;
}

const ms = (t: number | Date): number => (typeof t === 'number' ? t : t.getTime());

/** True when the version matches the query. */
export function matchVersion(v: ModelVersion, q: VersionQuery): boolean {
  if (!matchTags(v.tags, q.tags)) return false;
  for (const f of q.metrics ?? []) {
    const x = v.metrics[f.name];
    if (typeof x !== 'number') return false;
    if (f.gte !== undefined && !(x >= f.gte)) return false;
    if (f.gt !== undefined && !(x > f.gt)) return false;
    if (f.lte !== undefined && !(x <= f.lte)) return false;
    if (f.lt !== undefined && !(x < f.lt)) return false;
  }
  if (q.createdAfter !== undefined && v.createdAt < ms(q.createdAfter)) return false;
  if (q.createdBefore !== undefined && v.createdAt > ms(q.createdBefore)) return false;
  if (q.dataset && (v.dataset?.name !== q.dataset.name || v.dataset.version !== q.dataset.version)) return false;
  return true;
}

/** True when the model matches the query. */
export function matchModel(m: ModelRecord, q: ModelQuery): boolean {
  return matchTags(m.tags, q.tags);
}
