/**
 * The Bangalore home-prices pipeline end to end, run by the lifecycle controller
 * (`@modelship/controller`), with public APIs only:
 *
 * 1. load the raw listings (from `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the
 *    repository), clean them (the "brief" recipe), apply the shared fixed split, and register the
 *    raw and the cleaned data as dataset versions;
 * 2. one trainer fits the incumbent (linear) and a challenger (gbdt by default) on the same split;
 *    each artifact carries its offline test metrics (RMSE, MAE, R², MAPE) and a drift reference
 *    profile (sqft, bath, bhk, prediction). The pipeline registers them — that is all it writes:
 *    the controller deploys v1 as the first production version, gates v2 offline (its MAE must not
 *    be worse than production's), starts its canary at 20 %, ramps it to 50 % and promotes or
 *    rolls it back on live outcomes;
 * 3. a router follows the rollout the controller writes; simulated users (one unit key each) ask
 *    for the price of a test home and send feedback derived from the answer's actual error:
 *    stars from the relative error bands, `correct` (within 20 %) and the actual price;
 * 4. the controller judges the canary with the default evaluator (0.7 × rating/5 + 0.3 × latency
 *    score) and rollback policy; so the live verdict and the offline MAE comparison agree;
 * 5. drift: a drift sink (a router observer) watches what production serves against the served
 *    version's profile (mean shift on sqft, bath, bhk and the prediction): the test homes as they
 *    are, then with `total_sqft × 1.3`.
 *
 * Time and latency are simulated (seeded), so every run prints the same figures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryOutcomeStore, createRandom, createRegistry } from '@modelship/core';
import { createController, type ControllerEvent, type DecisionLogEntry } from '@modelship/controller';
import { cleanBangalore, findDataDir, loadBangalore, loadSplit, rowsById } from '@modelship/datasets';
import { createDriftSink, renderDriftReport, type DriftReport } from '@modelship/drift';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { fingerprint, type VariantSpec } from '@modelship/train';
import { createSimulatedTime, simulatedLatencyLoader } from './simulated-time.js';
import { DRIFT_FEATURES, requestOf, trainModels, type TrainedModel } from './train-models.js';
import { relativeError, userFeedback } from './user-feedback.js';

/** Options of {@link runBangalorePipeline}. */
export interface BangalorePipelineOptions {
  /** Folder holding `bengaluru_house_data.csv` and `splits/`; default `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the repository. */
  dataDir?: string | undefined;
  /** The registry folder; default a fresh temporary folder. */
  registryDir?: string | undefined;
  /** The challenger's learner; default `'gbdt'`. */
  candidate?: 'gbdt' | 'forest' | undefined;
  /** Seed of the learners and the simulation; default 42. */
  seed?: number | undefined;
  /** Where progress lines go; default none. */
  log?: ((line: string) => void) | undefined;
}

/** One drift window of production: what was served, the report and its rendering. */
export interface DriftWindow {
  /** What the window held, e.g. `'test homes, unshifted'`. */
  window: string;
  /** The version whose profile is the reference. */
  version: number;
  /** The report of the closed window. */
  report: DriftReport;
  /** `renderDriftReport(report)`. */
  text: string;
  /** The features (and `prediction`) flagged as drifted. */
  drifted: string[];
}

/** What {@link runBangalorePipeline} returns. */
export interface BangalorePipelineResult {
  /** The registry folder used. */
  registryDir: string;
  /** Rows: raw, cleaned, train, test. */
  rows: { raw: number; clean: number; train: number; test: number };
  /** The incumbent (v1) and the challenger (v2) with their offline test metrics. */
  models: { incumbent: TrainedModel & { version: number }; challenger: TrainedModel & { version: number } };
  /** The model whose offline MAE is lower (what the live decision must agree with). */
  offlineWinner: number;
  /** Requests served per version during the experiment. */
  served: Record<number, number>;
  /** Mean relative error of the answers each version gave to its users during the experiment. */
  onlineMape: Record<number, number>;
  /** Every lifecycle event of the controller, in order. */
  events: ControllerEvent[];
  /** The controller's decisions that changed the deployment, oldest first. */
  decisions: DecisionLogEntry[];
  /** The controller's id (the actor of every deployment change). */
  controllerId: string;
  /** The production version at the end. */
  production: number;
  /** Drift windows of production: the test homes unshifted, then with sqft × 1.3. */
  drift: DriftWindow[];
}

const MODEL = 'bangalore-prices';
/** The simulated experiment starts at this time (epoch ms); one user arrives every 0.3 s. */
const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
const ARRIVAL_MS = 300;
const MINUTE = 60_000;

/** Challenger hyperparameters per learner. */
export const CANDIDATES: Record<'gbdt' | 'forest', VariantSpec> = {
  gbdt: {
    learner: 'gbdt',
    params: { objective: 'absolute', rounds: 1000, learningRate: 0.05, maxLeaves: 63, minSamplesLeaf: 5 },
  },
  forest: { learner: 'forest', params: { trees: 100, maxFeatures: 0.5, minSamplesLeaf: 2 } },
};

/** Runs the Bangalore pipeline; see the module comment for the steps. */
export async function runBangalorePipeline(options: BangalorePipelineOptions = {}): Promise<BangalorePipelineResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const dataDir = findDataDir('bengaluru_house_data.csv', {
    dataDir: options.dataDir,
    from: import.meta.dirname,
    required: true,
    operation: 'runBangalorePipeline',
  })!;
  const raw = loadBangalore({ dataDir });
  const clean = cleanBangalore(raw);
  const ids = loadSplit('bengaluru_house_data', { dataDir });
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-bangalore-'));
  const time = createSimulatedTime(START_MS);
  const stamp = () => new Date(time.clock()).toISOString().slice(11, 19);
  const registry = createRegistry({
    store: new FsStore({ root: registryDir }),
    actor: 'bangalore-pipeline',
    clock: time.clock,
  });
  const outcomes = createMemoryOutcomeStore();
  const controller = createController({
    registry,
    outcomes,
    clock: time.clock,
    id: 'bangalore-controller',
    models: {
      [MODEL]: {
        // the offline gate: the challenger's test MAE must not be worse than production's (lakhs)
        gate: { metric: 'mae', tolerance: 0.1 },
        // an 80/20 A/B test first, then 50/50, 10 minutes at least each
        rampSteps: [0.2, 0.5],
        stepMs: 10 * MINUTE,
        policy: { minSamples: 200, minDurationMs: 10 * MINUTE, promoteThreshold: 0.02 },
      },
    },
  });
  const events: ControllerEvent[] = [];
  controller.on('event', (e) => {
    events.push(e);
    if (e.type !== 'lease.acquired') log(`[${stamp()}] ${e.type.padEnd(20)} ${e.message}`);
  });
  let router: ModelRouter | undefined;
  try {
    // 1. data and dataset versions
    const split = { train: rowsById(clean, ids.train), test: rowsById(clean, ids.test) };
    const test = clean.select(split.test);
    const rawDs = await registry.registerDataset('bangalore-raw', {
      fingerprint: fingerprint(raw),
      rowCount: raw.numRows,
      location: join(dataDir, 'bengaluru_house_data.csv'),
    });
    const cleanDs = await registry.registerDataset('bangalore-clean', {
      fingerprint: fingerprint(clean),
      rowCount: clean.numRows,
      description: `brief cleaning of bangalore-raw V${rawDs.version}`,
      tags: { recipe: 'brief', source: `bangalore-raw@${rawDs.version}` },
    });
    log(
      `data: ${raw.numRows} raw rows → ${clean.numRows} clean (dataset bangalore-clean V${cleanDs.version}); train ${split.train.length} / test ${split.test.length}`,
    );

    // 2. the incumbent and the challenger; the controller deploys v1
    const kind = options.candidate ?? 'gbdt';
    const [incumbent, challenger] = (await trainModels(
      clean,
      split,
      { linear: { learner: 'linear' }, [kind]: withSeed(CANDIDATES[kind], seed) },
      seed,
      'bangalore-clean',
    )) as [TrainedModel, TrainedModel];
    const register = async (m: TrainedModel) => {
      const v = await registry.register(MODEL, m.artifact, {
        dataset: { name: 'bangalore-clean', version: cleanDs.version },
        description: `${m.name} on the shared split`,
        tags: { learner: m.name },
      });
      log(
        `[${stamp()}] registered ${MODEL} v${v.version} (${m.name}): test R² ${m.metrics.r2!.toFixed(4)}, RMSE ${m.metrics.rmse!.toFixed(2)}, MAE ${m.metrics.mae!.toFixed(2)}, MAPE ${(m.metrics.mape! * 100).toFixed(1)} %`,
      );
      return v.version;
    };
    const v1 = await register(incumbent);
    await controller.tick();

    // 3. the router follows the controller's rollout; the drift sink watches what it serves
    const rng = createRandom(seed);
    const drift = createDriftSink({
      variants: ['production'],
      window: { kind: 'count', size: test.numRows, mode: 'tumbling' },
      tests: Object.fromEntries(DRIFT_FEATURES.map((f) => [f, 'mean-shift'])),
      predictionTest: 'mean-shift',
      random: () => rng.next(),
      clock: time.clock,
    });
    const r = createModelRouter({
      registry,
      model: MODEL,
      hmacKey: 'bangalore-example-signing-key',
      outcomeStore: outcomes,
      observers: [drift],
      loadModel: simulatedLatencyLoader(time, seed),
      clock: time.clock,
      timer: time.timer,
      logCapacity: 0,
      pollIntervalMs: 20,
    });
    router = r;
    await r.ready();

    const v2 = await register(challenger);
    await controller.tick();

    // simulated users, one minute at a time; the controller's interval fires after each minute
    const actual = test.numeric('price').values;
    const served: Record<number, number> = {};
    const relErr: Record<number, number> = {};
    let user = 0;
    const minute = async (): Promise<void> => {
      const end = time.clock() + MINUTE;
      while (time.clock() < end) {
        time.advance(ARRIVAL_MS);
        const i = Math.floor(rng.next() * test.numRows);
        const answer = r.predict<{ value: number }>(requestOf(test, i), {
          unit: `user-${String(user++).padStart(6, '0')}`,
        });
        const version = answer.modelVersion;
        served[version] = (served[version] ?? 0) + 1;
        relErr[version] = (relErr[version] ?? 0) + relativeError(answer.prediction.value, actual[i]!);
        await r.feedback(answer.requestId, userFeedback(answer.prediction.value, actual[i]!));
      }
      await new Promise((res) => setImmediate(res));
      await controller.tick();
      const revision = (await registry.getRollout(MODEL))?.revision;
      if (revision !== undefined) await r.waitForRevision(revision, { timeoutMs: 10_000 });
    };
    const rolloutOpen = () => {
      const last = [...events].reverse().find((e) => e.type.startsWith('rollout.'));
      return last?.type === 'rollout.started' || last?.type === 'rollout.ramped';
    };
    for (let m = 0; m < 12 * 60 && rolloutOpen(); m++) await minute();
    const production = (await registry.getRollout(MODEL))!.production;
    const decisions = (await controller.decisions(MODEL, { limit: 1000 }))
      .filter((d) => d.applied !== 'none')
      .reverse();
    for (const v of [v1, v2]) {
      if (served[v])
        log(`  v${v}: ${served[v]} requests, online MAPE ${((relErr[v]! / served[v]) * 100).toFixed(1)} %`);
    }

    // 5. drift of production: the test homes as they are, then with total_sqft × 1.3
    const windows: DriftWindow[] = [];
    let phase = 'experiment traffic';
    drift.on('windowClosed', ({ version, report }) => {
      const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
      if (report.prediction?.drifted) drifted.push('prediction');
      windows.push({ window: phase, version, report, text: renderDriftReport(report), drifted });
    });
    const sqft = test.numeric('total_sqft').values;
    const serveTest = async (label: string, factor: number, count = test.numRows): Promise<void> => {
      phase = label;
      for (let i = 0; i < count; i++) {
        time.advance(ARRIVAL_MS);
        r.predict({ ...requestOf(test, i), total_sqft: sqft[i]! * factor }, { unit: `drift-${factor}-${i}` });
      }
      await new Promise((res) => setImmediate(res)); // the drift sink is told in a later turn
    };
    await new Promise((res) => setImmediate(res));
    // a production version that served the experiment has a partial window: complete it first
    const pending = drift.report('production')?.window.rows ?? 0;
    if (pending > 0) await serveTest('experiment traffic', 1, test.numRows - pending);
    await serveTest('test homes, unshifted', 1);
    await serveTest('test homes, total_sqft × 1.3', 1.3);
    const drift2 = windows.filter((w) => w.window !== 'experiment traffic');
    for (const d of drift2) {
      log(
        `drift — ${d.window} (v${d.version}): ${d.drifted.length ? `drifted: ${d.drifted.join(', ')}` : 'no feature drifted'}`,
      );
      for (const line of d.text.split('\n')) log(`  ${line}`);
    }
    const better = incumbent.metrics.mae! <= challenger.metrics.mae! ? v1 : v2;
    return {
      registryDir,
      rows: { raw: raw.numRows, clean: clean.numRows, train: split.train.length, test: split.test.length },
      models: { incumbent: { ...incumbent, version: v1 }, challenger: { ...challenger, version: v2 } },
      offlineWinner: better,
      served,
      onlineMape: Object.fromEntries(Object.entries(served).map(([v, n]) => [v, relErr[Number(v)]! / n])),
      events,
      decisions,
      controllerId: controller.id,
      production,
      drift: drift2,
    };
  } finally {
    await controller.close();
    await router?.close();
    await registry.close();
  }
}

function withSeed(v: VariantSpec, seed: number): VariantSpec {
  return { ...v, params: { ...v.params, seed } };
}
