/**
 * The California Housing pipeline end to end, with public APIs only:
 *
 * 1. load the census data from `$MODELSHIP_DATA_DIR` with its schema, apply the shared fixed
 *    split, register the dataset version;
 * 2. the trainer fits linear, forest and gbdt on the per-household feature view and compares
 *    them on RMSE, MAE and R² (test rows); the best (by R²) is registered with a drift profile
 *    and promoted automatically (`production`, after an offline gate against the current
 *    production when there is one);
 * 3. a router serves `production` with validated input (a missing field or a negative income is
 *    a clear ValidationError), a business rule (estimates clamped to [0.15, 5.0] hundreds of
 *    thousands of USD), and a JSON-lines prediction log;
 * 4. a drift monitor (count windows of 1,000) watches the stream of served test rows: first as
 *    they are, then with `median_income × 1.5`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareOffline,
  createArtifact,
  createRandom,
  createRegistry,
  isModelshipError,
  loadModel,
  type ModelRegistry,
  type Table,
} from '@modelship/core';
import { createTrainer, fingerprint, type TrainResult, type VariantSpec } from '@modelship/train';
import { californiaSchema, loadCalifornia, loadSplit } from '@modelship/datasets';
import { buildProfile, createDriftMonitor, profileToJSON, type DriftReport } from '@modelship/drift';
import { FsStore } from '@modelship/registry-fs';
import { createJsonLinesSink, createModelRouter } from '@modelship/router';
import { clampedModelLoader, type HousePrice } from './business-rules.js';
import { californiaExampleSpec, REQUEST_FIELDS } from './features.js';

/** Options of {@link runCaliforniaPipeline}. */
export interface CaliforniaPipelineOptions {
  /** Folder holding `california_housing.csv` and `splits/`; default `$MODELSHIP_DATA_DIR` (required). */
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
  /** The version `production` points to after the promotion. */
  production: number;
  /** Requests served (the test rows twice: as they are, then with the income shifted). */
  served: number;
  /** Answers the clamp changed. */
  clamped: number;
  /** R² of the served (clamped) answers on the test rows. */
  servedR2: number;
  /** The errors of the invalid requests, by case. */
  rejected: Record<
    'missingField' | 'negativeIncome' | 'unknownProximity',
    { name: string; code: string; message: string }
  >;
  /** The monitor's closed windows, in order. */
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
  const dataDir = options.dataDir ?? process.env.MODELSHIP_DATA_DIR;
  if (!dataDir) {
    throw new Error(
      'runCaliforniaPipeline: no data folder: set MODELSHIP_DATA_DIR (or pass dataDir) to the folder holding california_housing.csv and splits/',
    );
  }
  const table = loadCalifornia({ dataDir });
  const split = loadSplit('california_housing', { dataDir });
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-california-'));
  const logPath =
    options.logPath ?? join(mkdtempSync(join(tmpdir(), 'modelship-california-log-')), 'predictions.jsonl');
  const registry = createRegistry({ store: new FsStore({ root: registryDir }), actor: 'california-pipeline' });
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

    // 2. train, compare, register the best with a drift profile, promote
    const trainer = createTrainer({
      task: 'regression',
      features: californiaExampleSpec(),
      variants: withSeed(CALIFORNIA_VARIANTS, seed),
      evaluation: { kind: 'holdout', split },
      selectBy: 'r2',
      schema: californiaSchema,
      seed,
      datasetName: 'california-housing',
    });
    const result = await trainer.fit(table);
    for (const v of result.variants) {
      log(
        `  ${v.name.padEnd(7)} RMSE ${v.metrics.rmse!.toFixed(4)}  MAE ${v.metrics.mae!.toFixed(4)}  R² ${v.metrics.r2!.toFixed(4)}  fit ${v.fitSeconds.toFixed(1)} s`,
      );
    }
    const train = table.select(split.train);
    const test = table.select(split.test);
    const artifact = withProfile(result, train);
    const registered = await registry.register(MODEL, artifact, {
      dataset: { name: 'california-housing', version: ds.version },
      description: `best of ${result.variants.length} by R²: ${result.best}`,
      tags: { learner: result.best },
    });
    const production = await promote(registry, registered.version, log);
    // The router follows the rollout record, so production there follows the alias.
    const rollout = await registry.getRollout(MODEL);
    if (rollout?.production !== production) {
      await registry.setRollout(
        MODEL,
        { production, weights: { production: 1 }, mode: 'split', salt: 'california' },
        { reason: `production → v${production}` },
      );
    }
    log(`best: ${result.best} → ${MODEL} v${registered.version}; production → v${production}`);

    // 3 + 4. serve the test rows (then the same rows with a shifted income) under a drift monitor
    const router = createModelRouter({
      registry,
      model: MODEL,
      hmacKey: 'california-example-signing-key',
      loadModel: clampedModelLoader,
      sinks: [createJsonLinesSink({ path: logPath })],
      logCapacity: 0,
    });
    try {
      await router.ready();
      const rejected = invalidRequests(router, test);
      for (const [k, e] of Object.entries(rejected))
        log(`rejected (${k}): ${e.name} ${e.code}: ${e.message.split('\n').join(' ')}`);
      const served = await serveAndWatch(router, registry, test, seed, log);
      log(
        `served ${served.served} requests (${served.clamped} clamped), served R² ${served.servedR2.toFixed(4)}; log ${logPath}`,
      );
      return {
        registryDir,
        logPath,
        variants: result.variants,
        best: result.best,
        version: registered.version,
        production,
        rejected,
        ...served,
      };
    } finally {
      await router.close(); // flushes the prediction log
    }
  } finally {
    await registry.close();
  }
}

function withSeed(variants: Record<string, VariantSpec>, seed: number): Record<string, VariantSpec> {
  return Object.fromEntries(
    Object.entries(variants).map(([k, v]) => [k, v.learner === 'linear' ? v : { ...v, params: { ...v.params, seed } }]),
  );
}

/** The profiled request fields: the income, age and location of a block group, and its proximity to the ocean. */
const PROFILE_FEATURES = {
  median_income: 'numeric',
  housing_median_age: 'numeric',
  latitude: 'numeric',
  longitude: 'numeric',
  ocean_proximity: 'categorical',
} as const;

/** The trained artifact with a drift reference profile of the training rows and predictions. */
function withProfile(result: TrainResult, train: Table) {
  const model = loadModel(result.artifact);
  const rows = train.toRows();
  const predictions = rows.map((r) => model.predict(requestOf(r)).value as number);
  const profile = buildProfile(rows, {
    features: { ...PROFILE_FEATURES },
    predictions: { type: 'numeric', values: predictions },
  });
  return createArtifact({ ...result.artifact, profile: profileToJSON(profile) });
}

/** Moves `production` to `version`: at once for the first model, else after the offline gate on R², RMSE and MAE. */
async function promote(registry: ModelRegistry, version: number, log: (line: string) => void): Promise<number> {
  const current = await registry.getAlias(MODEL, 'production');
  if (current === undefined) {
    await registry.setAlias(MODEL, 'production', version, {
      expect: null,
      force: true,
      reason: 'first model: best of the comparison',
    });
    return version;
  }
  const [cur, cand] = await Promise.all([registry.getVersion(MODEL, current), registry.getVersion(MODEL, version)]);
  const metrics = ['r2', 'rmse', 'mae'];
  const pick = (m: Record<string, number> | undefined) =>
    Object.fromEntries(metrics.map((k) => [k, m?.[k] ?? Number.NaN]));
  // R² within 0.005, errors within 0.01 (hundreds of thousands of USD, i.e. $1,000).
  const decision = compareOffline({
    current: pick(cur.metrics),
    candidate: pick(cand.metrics),
    metrics,
    tolerances: { r2: 0.005, rmse: 0.01, mae: 0.01 },
  });
  log(
    `offline gate v${version} vs v${current}: ${decision.action} — ${decision.reasons.map((r) => r.message).join('; ')}`,
  );
  if (decision.action === 'promote') {
    await registry.setAlias(MODEL, 'production', version, {
      expect: current,
      force: true,
      reason: `offline gate: ${decision.reasons[0]?.message ?? 'promote'}`,
    });
    return version;
  }
  return current;
}

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
    unknownProximity: attempt({ ...good, ocean_proximity: 'ON THE MOON' }),
  };
}

/** Serves the test rows (in a seeded random order), then the same rows with `median_income × 1.5`, feeding a drift monitor. */
async function serveAndWatch(
  router: Router,
  registry: ModelRegistry,
  test: Table,
  seed: number,
  log: (line: string) => void,
) {
  const { artifact } = await registry.loadArtifact(MODEL, 'production');
  const rng = createRandom(seed);
  const monitor = createDriftMonitor({
    profile: artifact.profile,
    window: { kind: 'count', size: 1000, mode: 'tumbling' },
    shareThreshold: 0.2,
    random: () => rng.next(),
    clock: () => Date.UTC(2026, 0, 5),
  });
  const windows: DriftWindow[] = [];
  let observed = 0;
  let shiftedSeen = 0;
  let shiftedAtLastClose = 0;
  monitor.on('windowClosed', (report: DriftReport) => {
    const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
    if (report.prediction?.drifted) drifted.push('prediction');
    windows.push({
      index: report.window.index,
      shiftedRows: shiftedSeen - shiftedAtLastClose,
      verdict: report.summary.verdict,
      drifted,
    });
    shiftedAtLastClose = shiftedSeen;
    log(
      `drift window #${report.window.index} (${report.window.rows} rows, ${windows.at(-1)!.shiftedRows} shifted): ${report.summary.verdict}${drifted.length ? ` — ${drifted.join(', ')}` : ''}`,
    );
  });
  // The CSV is ordered by region: requests arrive in a seeded random order instead.
  const order = rng.shuffle(Int32Array.from({ length: test.numRows }, (_, i) => i));
  const shuffled = test.select(order);
  const rows = shuffled.toRows();
  const actual = shuffled.numeric('median_house_value').values;
  let clamped = 0;
  let sse = 0;
  let sst = 0;
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i]! / 100000 / actual.length;
  for (const factor of [1, 1.5]) {
    for (let i = 0; i < rows.length; i++) {
      const input = requestOf(rows[i]!);
      if (factor !== 1) input.median_income = (input.median_income as number) * factor;
      const r = router.predict<HousePrice>(input);
      if (r.prediction.clamped) clamped++;
      if (factor === 1) {
        const y = actual[i]! / 100000;
        sse += (r.prediction.value - y) ** 2;
        sst += (y - mean) ** 2;
      } else shiftedSeen++;
      monitor.observe(input, r.prediction.value);
      observed++;
    }
  }
  return { served: observed, clamped, servedR2: 1 - sse / sst, windows };
}
