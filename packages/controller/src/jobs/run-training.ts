/**
 * What a training job does, as plain functions: load the data of a spec, train its variants,
 * encode the best artifact ({@link trainFromSpec}, run in the worker thread), then register it
 * with its lineage ({@link registerTrained}, run where the registry is). {@link runTraining} does
 * both in one place.
 */
import {
  encodeArtifact,
  isModelshipError,
  type FeaturePipelineSpec,
  type ModelArtifact,
  type ModelRegistry,
  type RegisterMeta,
  type Schema,
  type Serial,
  type Table,
} from '@modelship/core';
import {
  createTrainer,
  fingerprint,
  readCsv,
  type EvaluationSpec,
  type Split,
  type TrainerOptions,
  type VariantSpec,
} from '@modelship/train';
import { ControllerError } from '../errors.js';
import type { JobTrigger, TrainingSpec } from '../types.js';
import { validateTrainingSpec } from './spec.js';

/** One progress report of a training run. */
export interface TrainingProgress {
  /** Progress in [0, 1]. */
  fraction: number;
  /** The variant being trained, when one is. */
  variant?: string;
  /** A note from the learner, if any. */
  message?: string;
}

/** Options of {@link trainFromSpec}. */
export interface TrainFromSpecOptions {
  /** Called with progress in [0, 1] (often: throttle it); default none. */
  onProgress?: (progress: TrainingProgress) => void;
  /** Called with one human log line at each step (data loaded, variant finished…); default none. */
  onLog?: (line: string) => void;
  /** Stops the run between steps (a learner's fit is not interrupted); default none. */
  signal?: AbortSignal;
  /** Tags stored in the artifact itself; default none. */
  artifactTags?: Record<string, string>;
}

/** The result of {@link trainFromSpec}: the encoded artifact and what registering it needs. */
export interface TrainedModel {
  /** The encoded artifact (`encodeArtifact`), ready for `registry.register`. */
  bytes: Uint8Array;
  /** The best variant's offline metrics (finite values only). */
  metrics: Record<string, number>;
  /** The artifact's training parameters (variant, learner, params, seed…). */
  params: NonNullable<RegisterMeta['params']>;
  /** The fingerprint of the rows the model was fitted on. */
  fingerprint: string;
  /** The name of the best variant. */
  best: string;
  /** Every variant's metrics and mean fit time, in declaration order. */
  variants: Array<{
    /** The variant name. */
    name: string;
    /** Its learner kind. */
    learner: string;
    /** Its test (holdout) or out-of-fold (k-fold) metrics. */
    metrics: Record<string, number>;
    /** Mean wall time of one fit, in seconds. */
    fitSeconds: number;
  }>;
  /** The data as loaded. */
  data: {
    /** The fingerprint of every row (the dataset version's fingerprint). */
    fingerprint: string;
    /** The row count. */
    rows: number;
    /** Where it came from: the CSV path or `dataset:<name>`. */
    location: string;
  };
}

/** Options of {@link registerTrained}. */
export interface RegisterTrainedOptions {
  /** The job id, stored as the version's `job` tag (and used to find a version already registered). */
  jobId: string;
  /** What started the job, stored as the `trigger` tag; default `'manual'`. */
  trigger?: JobTrigger;
}

/** What {@link registerTrained} and {@link runTraining} resolve with. */
export interface RegisteredTraining {
  /** The version registered (or found already registered by this job). */
  version: number;
  /** The version's offline metrics. */
  metrics: Record<string, number>;
  /** True when a version tagged with this job id existed already and was reused. */
  reused: boolean;
}

/** Options of {@link runTraining}. */
export interface RunTrainingOptions extends TrainFromSpecOptions {
  /** The registry to register the best artifact in. */
  registry: ModelRegistry;
  /** The job id (the version's `job` tag); default a random one. */
  jobId?: string;
  /** What started it (the `trigger` tag); default `'manual'`. */
  trigger?: JobTrigger;
}

interface LoadedData {
  table: Table;
  location: string;
  split?: Split;
}

async function loadData(spec: TrainingSpec, log: (line: string) => void): Promise<LoadedData> {
  const d = spec.data;
  if (d.kind === 'csv') {
    const schema = spec.schema as Schema | undefined;
    return { table: readCsv(d.path, schema ? { schema } : {}), location: d.path };
  }
  const ds = await import('@modelship/datasets');
  const opts = d.dataDir !== undefined ? { dataDir: d.dataDir } : {};
  const wantSplit = spec.evaluation === undefined;
  const fixedSplit = (name: 'california_housing' | 'bengaluru_house_data' | 'iris'): Split | undefined => {
    if (!wantSplit) return undefined;
    try {
      return ds.loadSplit(name, opts);
    } catch (err) {
      if (!isModelshipError(err, 'DataError', 'NOT_FOUND')) throw err;
      log(`no fixed split ${name}.json found: evaluating on a seeded holdout`);
      return undefined;
    }
  };
  if (d.name === 'iris') {
    const split = fixedSplit('iris');
    return { table: ds.loadIris(), location: 'dataset:iris', ...(split ? { split } : {}) };
  }
  if (d.name === 'california') {
    const table = ds.loadCalifornia(opts);
    const split = fixedSplit('california_housing');
    return { table, location: 'dataset:california', ...(split ? { split } : {}) };
  }
  const table = ds.cleanBangalore(ds.loadBangalore(opts));
  const ids = fixedSplit('bengaluru_house_data');
  const split = ids ? { train: ds.rowsById(table, ids.train), test: ds.rowsById(table, ids.test) } : undefined;
  return { table, location: 'dataset:bangalore', ...(split ? { split } : {}) };
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : x);

function finiteMetrics(m: { readonly [name: string]: number }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) out[k] = v;
  return out;
}

/**
 * Loads the spec's data (a CSV through `readCsv`, or a `@modelship/datasets` loader with its
 * fixed split when the spec gives no `evaluation`), trains its variants with `createTrainer` and
 * returns the best artifact encoded (with the drift reference profile of `spec.profileColumns`,
 * by default of every input column), with its metrics and the data's fingerprint. Registers
 * nothing: this is what the worker thread runs. Errors are those of the loaders and the trainer
 * (naming the column, the variant…); an invalid spec is `ControllerError('INVALID_OPTIONS')`.
 */
export async function trainFromSpec(spec: TrainingSpec, options: TrainFromSpecOptions = {}): Promise<TrainedModel> {
  const s = validateTrainingSpec(spec, 'trainFromSpec');
  const log = options.onLog ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const signal = options.signal;
  signal?.throwIfAborted();
  progress({ fraction: 0, message: 'loading data' });
  const t0 = Date.now();
  const data = await loadData(s, log);
  const dataFingerprint = fingerprint(data.table);
  log(
    `loaded ${data.table.numRows} rows × ${data.table.columnNames.length} columns from ${data.location} in ${Date.now() - t0} ms`,
  );
  signal?.throwIfAborted();
  progress({ fraction: 0.05, message: 'data loaded' });
  const evaluation: EvaluationSpec | undefined = s.evaluation
    ? (s.evaluation as unknown as EvaluationSpec)
    : data.split
      ? { kind: 'holdout', split: data.split }
      : undefined;
  const trainerOptions: TrainerOptions = {
    task: s.task,
    target: s.target,
    features: s.features as unknown as FeaturePipelineSpec,
    variants: s.variants as unknown as Record<string, VariantSpec>,
    ...(evaluation ? { evaluation } : {}),
    ...(s.selectBy ? { selectBy: s.selectBy } : {}),
    seed: s.seed ?? 42,
    ...(s.schema ? { schema: s.schema as unknown as Schema } : {}),
    ...(s.dataset ? { datasetName: s.dataset.name } : {}),
    // the drift reference profile (on by default in the trainer): of these columns when given
    ...(s.profileColumns ? { profile: { columns: s.profileColumns } } : {}),
    ...(options.artifactTags ? { tags: options.artifactTags } : {}),
  };
  const trainer = createTrainer(trainerOptions);
  trainer.on('progress', (e) =>
    progress({ fraction: 0.05 + 0.9 * e.fraction, variant: e.variant, ...(e.message ? { message: e.message } : {}) }),
  );
  trainer.on('variantStarted', (e) => log(`variant ${e.name} (${e.index + 1}/${e.total}) started`));
  trainer.on('variantFinished', (e) => {
    const figures = Object.entries(e.metrics)
      .slice(0, 4)
      .map(([k, v]) => `${k}=${round(v)}`)
      .join(' ');
    log(`variant ${e.name} finished in ${e.fitSeconds.toFixed(2)} s: ${figures}`);
  });
  const result = await trainer.fit(data.table);
  signal?.throwIfAborted();
  const artifact: ModelArtifact = result.artifact;
  log(`best variant: ${result.best} by ${result.selectedBy.metric} (${result.selectedBy.direction})`);
  const bytes = encodeArtifact(artifact);
  progress({ fraction: 1, message: 'trained' });
  return {
    bytes,
    metrics: finiteMetrics(artifact.metrics),
    params: JSON.parse(JSON.stringify(artifact.params as Serial)) as NonNullable<RegisterMeta['params']>,
    fingerprint: artifact.fingerprint,
    best: result.best,
    variants: result.variants.map((v) => ({
      name: v.name,
      learner: v.learner,
      metrics: finiteMetrics(v.metrics),
      fitSeconds: v.fitSeconds,
    })),
    data: { fingerprint: dataFingerprint, rows: data.table.numRows, location: data.location },
  };
}

/**
 * Registers a trained model as a new version of `spec.model`, tagged `{ job, trigger }`, with its
 * metrics, params, fingerprint and dataset lineage (when `spec.dataset` is given: the dataset
 * version with the data's fingerprint is registered, or found, and linked; a `spec.dataset.version`
 * must exist and hold the same fingerprint). Idempotent per job: when a version tagged with this
 * job id exists already (a retried job whose first attempt registered before its runner died), it
 * is returned instead of registering a second one.
 */
export async function registerTrained(
  registry: ModelRegistry,
  spec: TrainingSpec,
  trained: TrainedModel,
  options: RegisterTrainedOptions,
): Promise<RegisteredTraining> {
  const existing = await registry.searchVersions({ name: spec.model, tags: { job: options.jobId } });
  const first = existing.sort((a, b) => a.version - b.version)[0];
  if (first) return { version: first.version, metrics: first.metrics, reused: true };
  let dataset: { name: string; version: number } | undefined;
  if (spec.dataset) {
    const { name, version } = spec.dataset;
    if (version !== undefined) {
      const dv = await registry.getDataset(name, version);
      if (dv.fingerprint !== trained.data.fingerprint) {
        throw new ControllerError(
          'INVALID_STATE',
          `registerTrained: spec.dataset: dataset ${name} V${version} has fingerprint ${dv.fingerprint}, but the data loaded has ${trained.data.fingerprint}`,
          { operation: 'registerTrained', details: { field: 'spec.dataset', dataset: name, version } },
        );
      }
      dataset = { name, version };
    } else {
      const dv = await registry.registerDataset(name, {
        fingerprint: trained.data.fingerprint,
        rowCount: trained.data.rows,
        location: trained.data.location,
      });
      dataset = { name, version: dv.version };
    }
  }
  const v = await registry.register(spec.model, trained.bytes, {
    metrics: trained.metrics,
    params: trained.params,
    fingerprint: trained.fingerprint,
    tags: { job: options.jobId, trigger: options.trigger ?? 'manual' },
    ...(dataset ? { dataset } : {}),
    description: `trained by job ${options.jobId} (best variant ${trained.best})`,
  });
  return { version: v.version, metrics: v.metrics, reused: false };
}

/**
 * Runs a training spec in this thread: {@link trainFromSpec} then {@link registerTrained}. The
 * embedded job runner does the same, with the training in a worker thread.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new MemoryStore() });
 * const { version, metrics } = await runTraining(spec, { registry, jobId: 'manual-1', onLog: console.log });
 * ```
 */
export async function runTraining(spec: TrainingSpec, options: RunTrainingOptions): Promise<RegisteredTraining> {
  const jobId = options.jobId ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const trigger = options.trigger ?? 'manual';
  const { registry, jobId: _j, trigger: _t, ...trainOptions } = options;
  const trained = await trainFromSpec(spec, trainOptions);
  options.signal?.throwIfAborted();
  return registerTrained(registry, spec, trained, { jobId, trigger });
}
