/**
 * The California Housing pipeline end to end, run by the lifecycle controller
 * (`@modelship/controller`), with public APIs only:
 *
 * 1. load the census data (from `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the
 *    repository) with its schema, apply the shared fixed split, register the dataset version;
 * 2. the trainer fits linear, forest and gbdt on the per-household feature view and compares
 *    them on RMSE, MAE and R² (test rows); its artifact of the best (by R²) carries the data
 *    schema's ranges and the drift reference profile of the training rows; the pipeline
 *    registers it, and the runner-up as a challenger — that is all it writes;
 * 3. the controller deploys the first version as production and stops the challenger at its
 *    offline gate (R² within 0.005 of production);
 * 4. a router serves production with validated input (a missing field, a negative income,
 *    `total_rooms: -5` or an unknown ocean proximity is a ValidationError naming the field), a
 *    business rule (estimates clamped to [0.15, 5.0] hundreds of thousands of USD), and a
 *    JSON-lines prediction log;
 * 5. a drift sink, a router observer, watches what production serves against the served
 *    version's profile (tumbling windows of 1,000): the test rows as they are, then with
 *    `median_income × 1.5`.
 *
 * Time is simulated (a fixed fake clock), so every run prints the same figures.
 */
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createMemoryOutcomeStore, createRandom, createRegistry, isModelshipError, type Table } from '@modelship/core';
import { createController, type ControllerEvent } from '@modelship/controller';
import { californiaSchema, findDataDir, loadCalifornia, loadSplit } from '@modelship/datasets';
import { createDriftSink, type DriftReport } from '@modelship/drift';
import { FsStore } from '@modelship/registry-fs';
import { createJsonLinesSink, createModelRouter } from '@modelship/router';
import { createTrainer, fingerprint, type TrainResult, type VariantSpec } from '@modelship/train';
import { clampedModelLoader, type HousePrice } from './business-rules.js';
import { californiaExampleSpec, REQUEST_FIELDS } from './features.js';

/** Options of {@link runCaliforniaPipeline}. */
export interface CaliforniaPipelineOptions {
  /** Folder holding `california_housing.csv` and `splits/`; default `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the repository. */
  dataDir?: string | undefined;
  /** The registry folder; default a fresh temporary folder. */
  registryDir?: string | undefined;
  /** The JSON-lines prediction log; default `predictions.jsonl` in a fresh temporary folder. */
  logPath?: string | undefined;
  /** Seed of the learners; default 42. */
  seed?: number | undefined;
  /** Where progress lines go; default none. */
  log?: ((line: string) => void) | undefined;
}

/** One closed drift window of the monitor. */
export interface DriftWindow {
  /** Window number (0-based). */
  index: number;
  /** Rows in the window whose `median_income` was shifted. */
  shiftedRows: number;
  /** The window's verdict. */
  verdict: DriftReport['summary']['verdict'];
  /** Features (and `prediction`) flagged as drifted. */
  drifted: string[];
}

/** What {@link runCaliforniaPipeline} returns. */
export interface CaliforniaPipelineResult {
  /** The registry folder used. */
  registryDir: string;
  /** The JSON-lines prediction log. */
  logPath: string;
  /** Every variant's test metrics (RMSE, MAE, R² …). */
  variants: TrainResult['variants'];
  /** The best variant (by R²). */
  best: string;
  /** The registered version of the best variant. */
  version: number;
  /** The version of the challenger (the runner-up), stopped by the offline gate. */
  challenger: { name: string; version: number };
  /** The production version at the end (the controller's deployment). */
  production: number;
  /** Every lifecycle event of the controller, in order. */
  events: ControllerEvent[];
  /** The controller's id (the actor of every deployment change). */
  controllerId: string;
  /** Requests served (the test rows twice: as they are, then with the income shifted). */
  served: number;
  /** Answers the clamp changed. */
  clamped: number;
  /** R² of the served (clamped) answers on the test rows. */
  servedR2: number;
  /** The errors of the invalid requests, by case. */
  rejected: Record<
    'missingField' | 'negativeIncome' | 'negativeRooms' | 'unknownProximity',
    { name: string; code: string; message: string }
  >;
  /** The drift sink's closed windows of production, in order. */
  windows: DriftWindow[];
}

const MODEL = 'california-housing';

/** The three variants compared. */
export const CALIFORNIA_VARIANTS: Record<string, VariantSpec> = {
  linear: { learner: 'linear' },
  forest: { learner: 'forest', params: { trees: 60, minSamplesLeaf: 2 } },
  gbdt: { learner: 'gbdt', params: { rounds: 400, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20 } },
};

/** Runs the California pipeline; see the module comment for the steps. */
export async function runCaliforniaPipeline(
  options: CaliforniaPipelineOptions = {},
): Promise<CaliforniaPipelineResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const dataDir = findDataDir('california_housing.csv', {
    dataDir: options.dataDir,
    from: import.meta.dirname,
    required: true,
    operation: 'runCaliforniaPipeline',
  })!;
  const table = loadCalifornia({ dataDir });
  const split = loadSplit('california_housing', { dataDir });
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-california-'));
  const logPath =
    options.logPath ?? join(mkdtempSync(join(tmpdir(), 'modelship-california-log-')), 'predictions.jsonl');
  const clock = { t: START_MS };
  const now = () => clock.t;
  const registry = createRegistry({
    store: new FsStore({ root: registryDir }),
    actor: 'california-pipeline',
    clock: now,
  });
  const controller = createController({
    registry,
    outcomes: createMemoryOutcomeStore(),
    clock: now,
    id: 'california-controller',
    // R² within 0.005 of production, or the new version never serves
    models: { [MODEL]: { gate: { metric: 'r2', tolerance: 0.005 } } },
  });
  const events: ControllerEvent[] = [];
  controller.on('event', (e) => {
    events.push(e);
    if (e.type !== 'lease.acquired') log(`[controller] ${e.type.padEnd(20)} ${e.message}`);
  });
  try {
    // 1. data
    const ds = await registry.registerDataset('california-housing', {
      fingerprint: fingerprint(table),
      rowCount: table.numRows,
      location: join(dataDir, 'california_housing.csv'),
    });
    log(
      `data: ${table.numRows} rows (dataset california-housing V${ds.version}); train ${split.train.length} / test ${split.test.length}`,
    );

    // 2. train and compare; the artifacts carry the schema's ranges and the drift profile
    const trainer = createTrainer({
      task: 'regression',
      features: californiaExampleSpec(),
      variants: withSeed(CALIFORNIA_VARIANTS, seed),
      evaluation: { kind: 'holdout', split },
      selectBy: 'r2',
      schema: californiaSchema,
      profile: { columns: PROFILE_COLUMNS },
      seed,
      datasetName: 'california-housing',
    });
    const result = await trainer.fit(table);
    for (const v of result.variants) {
      log(
        `  ${v.name.padEnd(7)} RMSE ${v.metrics.rmse!.toFixed(4)}  MAE ${v.metrics.mae!.toFixed(4)}  R² ${v.metrics.r2!.toFixed(4)}  fit ${v.fitSeconds.toFixed(1)} s`,
      );
    }
    const test = table.select(split.test);
    const lineage = { dataset: { name: 'california-housing', version: ds.version } };
    const registered = await registry.register(MODEL, result.artifact, {
      ...lineage,
      description: `best of ${result.variants.length} by R²: ${result.best}`,
      tags: { learner: result.best },
    });
    log(`registered ${MODEL} v${registered.version} (${result.best}, the best by R²)`);

    // 3. the controller deploys it; then a challenger (the runner-up) meets the offline gate
    await controller.tick();
    const runnerUp = [...result.variants]
      .filter((v) => v.name !== result.best)
      .sort((a, b) => b.metrics.r2! - a.metrics.r2!)[0]!;
    const challenger = await registry.register(MODEL, await result.artifactOf(runnerUp.name), {
      ...lineage,
      description: `challenger: ${runnerUp.name}`,
      tags: { learner: runnerUp.name },
    });
    log(`registered ${MODEL} v${challenger.version} (${runnerUp.name}, the runner-up, as a challenger)`);
    clock.t += 60_000;
    await controller.tick();
    const production = (await registry.getRollout(MODEL))!.production;

    // 4 + 5. serve the test rows (then the same rows with a shifted income) under the drift sink
    const rng = createRandom(seed);
    const drift = createDriftSink({
      variants: ['production'],
      window: { kind: 'count', size: WINDOW, mode: 'tumbling' },
      shareThreshold: 0.2,
      random: () => rng.next(),
      clock: now,
    });
    const windows: DriftWindow[] = [];
    drift.on('windowClosed', ({ version, report }) => {
      const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
      if (report.prediction?.drifted) drifted.push('prediction');
      const i = report.window.index;
      // the first test.numRows requests are unshifted, the next test.numRows shifted
      const shiftedRows = Math.max(
        0,
        Math.min((i + 1) * WINDOW, 2 * test.numRows) - Math.max(i * WINDOW, test.numRows),
      );
      windows.push({ index: i, shiftedRows, verdict: report.summary.verdict, drifted });
      log(
        `drift window #${i} of v${version} (${report.window.rows} rows, ${shiftedRows} shifted): ${report.summary.verdict}${drifted.length ? ` — ${drifted.join(', ')}` : ''}`,
      );
    });
    const router = createModelRouter({
      registry,
      model: MODEL,
      hmacKey: 'california-example-signing-key',
      loadModel: clampedModelLoader,
      sinks: [createJsonLinesSink({ path: logPath })],
      observers: [drift],
      clock: now,
      logCapacity: 0,
    });
    try {
      await router.ready();
      log(`serving v${router.rollout!.production}`);
      const rejected = invalidRequests(router, test);
      for (const [k, e] of Object.entries(rejected))
        log(`rejected (${k}): ${e.name} ${e.code}: ${e.message.split('\n').join(' ')}`);
      const served = await serve(router, test, rng, clock);
      log(
        `served ${served.served} requests (${served.clamped} clamped), served R² ${served.servedR2.toFixed(4)}; log ${logPath}`,
      );
      return {
        registryDir,
        logPath,
        variants: result.variants,
        best: result.best,
        version: registered.version,
        challenger: { name: runnerUp.name, version: challenger.version },
        production,
        events,
        controllerId: controller.id,
        rejected,
        windows,
        ...served,
      };
    } finally {
      await router.close(); // delivers the queued observer calls, flushes the prediction log
    }
  } finally {
    await controller.close();
    await registry.close();
  }
}

function withSeed(variants: Record<string, VariantSpec>, seed: number): Record<string, VariantSpec> {
  return Object.fromEntries(
    Object.entries(variants).map(([k, v]) => [k, v.learner === 'linear' ? v : { ...v, params: { ...v.params, seed } }]),
  );
}

/** The simulated time of the run (epoch ms): 5 January 2026, 09:00 UTC. */
const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
/** Rows per drift window. */
const WINDOW = 1000;

/** The profiled request fields: the income, age and location of a block group, and its proximity to the ocean. */
const PROFILE_COLUMNS = ['median_income', 'housing_median_age', 'latitude', 'longitude', 'ocean_proximity'];

/** The request body of a table row: the raw fields, without the target. */
function requestOf(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(REQUEST_FIELDS.map((f) => [f, row[f]]));
}

type Router = ReturnType<typeof createModelRouter>;

function invalidRequests(router: Router, test: Table): CaliforniaPipelineResult['rejected'] {
  const good = requestOf(test.row(0));
  const { median_income: _drop, ...missing } = good;
  const attempt = (input: unknown) => {
    try {
      router.predict(input);
    } catch (err) {
      if (isModelshipError(err)) return { name: err.name, code: String(err.code), message: err.message };
      throw err;
    }
    throw new Error('an invalid request was answered');
  };
  return {
    missingField: attempt(missing),
    negativeIncome: attempt({ ...good, median_income: -2.5 }),
    negativeRooms: attempt({ ...good, total_rooms: -5 }),
    unknownProximity: attempt({ ...good, ocean_proximity: 'ON THE MOON' }),
  };
}

/**
 * Serves the test rows (in a seeded random order, one request a second of simulated time), then
 * the same rows with `median_income × 1.5`; the drift sink watches them through the router.
 */
async function serve(router: Router, test: Table, rng: ReturnType<typeof createRandom>, clock: { t: number }) {
  // The CSV is ordered by region: requests arrive in a seeded random order instead.
  const order = rng.shuffle(Int32Array.from({ length: test.numRows }, (_, i) => i));
  const shuffled = test.select(order);
  const rows = shuffled.toRows();
  const actual = shuffled.numeric('median_house_value').values;
  let served = 0;
  let clamped = 0;
  let sse = 0;
  let sst = 0;
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i]! / 100000 / actual.length;
  for (const factor of [1, 1.5]) {
    for (let i = 0; i < rows.length; i++) {
      clock.t += 1000;
      const input = requestOf(rows[i]!);
      if (factor !== 1) input.median_income = (input.median_income as number) * factor;
      const r = router.predict<HousePrice>(input);
      if (r.prediction.clamped) clamped++;
      if (factor === 1) {
        const y = actual[i]! / 100000;
        sse += (r.prediction.value - y) ** 2;
        sst += (y - mean) ** 2;
      }
      served++;
      // observers are told in a later turn: let them run now and then
      if (served % 500 === 0) await new Promise((res) => setImmediate(res));
    }
  }
  await new Promise((res) => setImmediate(res));
  return { served, clamped, servedR2: 1 - sse / sst };
}
