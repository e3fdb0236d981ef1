/** Whether a larger or a smaller value of a metric is better. */
export type MetricDirection = 'maximize' | 'minimize';

const MINIMIZE = new Set(['rmse', 'mse', 'mae', 'mape', 'logLoss']);

/** The usual direction of a metric name: error metrics and log loss are minimised, the others maximised. */
export function metricDirection(name: string): MetricDirection {
  return MINIMIZE.has(name) ? 'minimize' : 'maximize';
}
