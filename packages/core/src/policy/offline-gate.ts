/**
 * The offline gate (the Iris flow): compare the candidate's holdout metrics with the current
 * version's and return the same {@link Decision} shape as the online policy.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Decision, DecisionReason } from './rollback-policy.js';
import { parseOrThrow } from '../data/zod-parse.js';
import { metricDirection, type MetricDirection } from '../policy/metric-direction.js';

/** Holdout metrics of one model version, by name (e.g. `accuracy`, `f1`, `r2`, `rmse`). */
export type OfflineMetrics = Record<string, number>;

/** Input of {@link compareOffline}. */
export interface OfflineComparison {
  /** Metrics of the version serving now. */
  current: OfflineMetrics;
  /** Metrics of the candidate version. */
  candidate: OfflineMetrics;
  /** Largest worsening allowed per metric (absolute, in the metric's unit); default 0.01 for every compared metric. */
  tolerances?: Record<string, number>;
  /** Metrics compared; default `['accuracy', 'precision', 'recall', 'f1']` (each must be in both). */
  metrics?: string[];
  /** Direction per metric; default `metricDirection(name)`: `rmse`, `mse`, `mae`, `mape` and `logLoss` are minimised, the others maximised. */
  directions?: Record<string, MetricDirection>;
  /** When true, a candidate merely within tolerance is held instead of promoted; default false. */
  requireImprovement?: boolean;
}

const metricValue = z.number().refine(Number.isFinite, 'expected a finite number');
const comparisonSchema = z.strictObject({
  current: z.record(z.string(), metricValue),
  candidate: z.record(z.string(), metricValue),
  tolerances: z.record(z.string(), z.number().nonnegative()).optional(),
  metrics: z.array(z.string().min(1)).min(1).optional(),
  directions: z.record(z.string(), z.enum(['maximize', 'minimize'])).optional(),
  requireImprovement: z.boolean().optional(),
});

/**
 * Compares two versions on holdout metrics: rollback when any compared metric gets worse by
 * more than its tolerance (lower for maximised metrics such as accuracy or R², higher for
 * minimised ones such as RMSE), promote when none does (hold instead when `requireImprovement`
 * is set and nothing improved beyond its tolerance). Throws ValidationError for a missing or
 * non-finite metric.
 *
 * @example
 * ```ts
 * const d = compareOffline({
 *   current: { accuracy: 0.95, precision: 0.95, recall: 0.95, f1: 0.95 },
 *   candidate: { accuracy: 0.91, precision: 0.92, recall: 0.91, f1: 0.91 },
 * });
 * d.action; // 'rollback'
 * ```
 */
export function compareOffline(input: OfflineComparison): Decision {
  const data = parseOrThrow(
    comparisonSchema,
    input,
    'compareOffline',
    'offline comparison',
    (m, o) => new ValidationError('INVALID_INPUT', m, o),
  );
  const { current, candidate } = data;
  const metrics = data.metrics ?? ['accuracy', 'precision', 'recall', 'f1'];
  const rows: Array<{
    metric: string;
    direction: MetricDirection;
    current: number;
    candidate: number;
    delta: number;
    tolerance: number;
  }> = [];
  for (const m of metrics) {
    if (current[m] === undefined || candidate[m] === undefined) {
      throw new ValidationError(
        'INVALID_INPUT',
        `invalid offline comparison: metric "${m}" is missing from ${current[m] === undefined ? 'current' : 'candidate'}`,
        { operation: 'compareOffline', details: { field: m } },
      );
    }
    const tolerance = data.tolerances?.[m] ?? 0.01;
    const direction = data.directions?.[m] ?? metricDirection(m);
    rows.push({
      metric: m,
      direction,
      current: current[m]!,
      candidate: candidate[m]!,
      delta: candidate[m]! - current[m]!,
      tolerance,
    });
  }
  const fmt = (x: number) => x.toFixed(4);
  /** The change in the better direction: positive is an improvement. */
  const gain = (x: (typeof rows)[number]) => (x.direction === 'maximize' ? x.delta : -x.delta);
  const worse = rows.filter((x) => gain(x) < -x.tolerance);
  const better = rows.filter((x) => gain(x) > x.tolerance);
  const evidence = { metrics: rows };
  if (worse.length > 0) {
    const reasons: DecisionReason[] = worse.map((x) => ({
      code: 'OFFLINE_WORSE',
      message: `${x.metric} got worse from ${fmt(x.current)} to ${fmt(x.candidate)} (${x.delta >= 0 ? '+' : ''}${fmt(x.delta)}, tolerance ${fmt(x.tolerance)})`,
    }));
    return { action: 'rollback', reasons, evidence };
  }
  if (better.length > 0) {
    const reasons: DecisionReason[] = better.map((x) => ({
      code: 'OFFLINE_BETTER',
      message: `${x.metric} improved from ${fmt(x.current)} to ${fmt(x.candidate)} (${x.delta >= 0 ? '+' : ''}${fmt(x.delta)})`,
    }));
    return { action: 'promote', reasons, evidence };
  }
  const within: DecisionReason = {
    code: 'OFFLINE_WITHIN_TOLERANCE',
    message: `every metric within tolerance (${rows.map((x) => `${x.metric} ${x.delta >= 0 ? '+' : ''}${fmt(x.delta)}`).join(', ')})`,
  };
  return { action: data.requireImprovement ? 'hold' : 'promote', reasons: [within], evidence };
}
