/**
 * The Bangalore home-prices pipeline end to end, with public APIs only:
 *
 * 1. load the raw listings from `$MODELSHIP_DATA_DIR`, clean them (the "brief" recipe), apply the
 *    shared fixed split, and register the raw and the cleaned data as dataset versions;
 * 2. train a production model (linear) and a candidate (gbdt by default) on the same split, each
 *    with a drift reference profile (sqft, bath, bhk, prediction) inside its artifact; register
 *    both, linked to the cleaned dataset version;
 * 3. aliases `production` → v1 and `candidate` → v2, a rollout 80/20 in split mode with a salt;
 * 4. a router follows the registry; simulated users (one unit key each) ask for the price of
 *    every test row and send feedback (stars from the relative error, `correct`, the actual price);
 * 5. the outcome aggregates are evaluated with the default Bangalore composite
 *    (0.7 × rating/5 + 0.3 × latency score) and the default rollback policy decides; the
 *    decision is applied through the registry (promote: production → candidate; rollback:
 *    candidate alias removed and the rollout back to production only);
 * 6. drift: the test rows unshifted and with `total_sqft × 1.3`, against the profile stored in
 *    the served artifact.
 *
 * Time and latency are simulated (seeded), so every run prints the same figures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRegistry,
  createRollbackPolicy,
  evaluate,
  type Decision,
  type Evaluation,
  type ModelRegistry,
  type Table,
  createMemoryOutcomeStore,
} from '@modelship/core';
import { fingerprint, type VariantSpec } from '@modelship/train';
import { cleanBangalore, loadBangalore, loadSplit, rowsById } from '@modelship/datasets';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter } from '@modelship/router';
import { checkDrift, type DriftCheck } from './drift-check.js';
import { createSimulatedTime, simulatedLatencyLoader } from './simulated-time.js';
import { requestOf, trainModel, type TrainedModel } from './train-models.js';
import { userFeedback } from './user-feedback.js';

/** Options of {@link runBangalorePipeline}. */
export interface BangalorePipelineOptions {
  /** Folder holding `bengaluru_house_data.csv` and `splits/`; default `$MODELSHIP_DATA_DIR` (required). */
  dataDir?: string | undefined;
  /** The registry folder; default a fresh temporary folder. */
  registryDir?: string | undefined;
  /** The candidate learner; default `'gbdt'`. */
  candidate?: 'gbdt' | 'forest' | undefined;
  /** Share of traffic sent to the candidate; default 0.2. */
  candidateWeight?: number | undefined;
  /** Seed of the learners and the simulation; default 42. */
  seed?: number | undefined;
  /** Where progress lines go; default none. */
  log?: ((line: string) => void) | undefined;
}

/** What {@link runBangalorePipeline} returns. */
export interface BangalorePipelineResult {
  /** The registry folder used. */
  registryDir: string;
  /** Rows: raw, cleaned, train, test. */
  rows: { raw: number; clean: number; train: number; test: number };
  /** The production (v1) and candidate (v2) models with their offline test metrics. */
  models: { production: TrainedModel & { version: number }; candidate: TrainedModel & { version: number } };
  /** Requests served per variant during the experiment. */
  served: { production: number; candidate: number };
  /** Mean relative error of the answers each variant gave to its users. */
  onlineMape: { production: number; candidate: number };
  /** The evaluation of the experiment's aggregates. */
  evaluation: Evaluation;
  /** The rollback policy's decision. */
  decision: Decision;
  /** Aliases and rollout after the decision was applied. */
  after: { aliases: Record<string, number>; rolloutProduction: number; rolloutCandidate: number | undefined };
  /** Drift checks: unshifted, then sqft × 1.3. */
  drift: [DriftCheck, DriftCheck];
}

const MODEL = 'bangalore-prices';
const SALT = 'bangalore-2026-11';
/** The simulated experiment starts at this time (epoch ms) and one user arrives every 1.5 s. */
const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
const ARRIVAL_MS = 1500;

/** Candidate hyperparameters per learner. */
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
  const weight = options.candidateWeight ?? 0.2;
  const dataDir = options.dataDir ?? process.env.MODELSHIP_DATA_DIR;
  if (!dataDir) {
    throw new Error(
      'runBangalorePipeline: no data folder: set MODELSHIP_DATA_DIR (or pass dataDir) to the folder holding bengaluru_house_data.csv and splits/',
    );
  }
  const raw = loadBangalore({ dataDir });
  const clean = cleanBangalore(raw);
  const ids = loadSplit('bengaluru_house_data', { dataDir });
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), 'modelship-bangalore-'));
  const registry = createRegistry({ store: new FsStore({ root: registryDir }), actor: 'bangalore-pipeline' });
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

    // 2. production and candidate models
    const candidateKind = options.candidate ?? 'gbdt';
    const trained = [
      await trainModel(clean, split, 'linear', { learner: 'linear' }, seed, 'bangalore-clean'),
      await trainModel(clean, split, candidateKind, withSeed(CANDIDATES[candidateKind], seed), seed, 'bangalore-clean'),
    ] as const;
    const versions: number[] = [];
    for (const m of trained) {
      const v = await registry.register(MODEL, m.artifact, {
        dataset: { name: 'bangalore-clean', version: cleanDs.version },
        description: `${m.name} on the shared split`,
        tags: { learner: m.name },
      });
      versions.push(v.version);
      log(
        `registered ${MODEL} v${v.version} (${m.name}): test R² ${m.metrics.r2!.toFixed(4)}, RMSE ${m.metrics.rmse!.toFixed(2)}, MAE ${m.metrics.mae!.toFixed(2)}, MAPE ${(m.metrics.mape! * 100).toFixed(1)} %`,
      );
    }
    const [vProd, vCand] = versions as [number, number];

    // 3. aliases and the 80/20 rollout
    await registry.setAlias(MODEL, 'production', vProd, { force: true, reason: 'first production model' });
    await registry.setAlias(MODEL, 'candidate', vCand, { reason: `${candidateKind} challenger` });
    await registry.setRollout(
      MODEL,
      {
        production: vProd,
        candidate: vCand,
        weights: { production: 1 - weight, candidate: weight },
        mode: 'split',
        salt: SALT,
      },
      { reason: `A/B test ${Math.round((1 - weight) * 100)}/${Math.round(weight * 100)}` },
    );
    log(
      `rollout: production v${vProd} ${Math.round((1 - weight) * 100)} % / candidate v${vCand} ${Math.round(weight * 100)} % (split, salt ${SALT})`,
    );

    // 4. serve and simulate users
    const sim = await simulateUsers(registry, test, seed);
    log(
      `served ${sim.served.production} requests by production, ${sim.served.candidate} by candidate (${((sim.served.candidate / test.numRows) * 100).toFixed(1)} % candidate)`,
    );

    // 5. evaluate, decide, apply
    const evaluation = evaluate(sim.aggregates);
    const decision = createRollbackPolicy().decide(evaluation, { startedAt: START_MS, now: sim.endedAt });
    for (const name of ['production', 'candidate'] as const) {
      const v = evaluation.variants[name]!;
      log(
        `  ${name.padEnd(10)} v${v.modelVersion}: ${v.requests} requests, rating ${v.ratingMean?.toFixed(3)} ★, accurate ${((v.accuracy ?? 0) * 100).toFixed(1)} %, MAE ${v.mae?.toFixed(2)} lakhs, latency mean ${v.latencyMean?.toFixed(1)} ms / p99 ${v.latencyP99?.toFixed(1)} ms`,
      );
    }
    const c = evaluation.composite;
    log(
      `composite: production ${c.production?.toFixed(4)} / candidate ${c.candidate?.toFixed(4)} (delta ${c.delta?.toFixed(4)}, CI ${c.ci ? `[${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}]` : 'n/a'})`,
    );
    log(`decision: ${decision.action}`);
    for (const r of decision.reasons) log(`  ${r.code}: ${r.message}`);
    await applyDecision(registry, decision, vProd, vCand);
    const aliases = await registry.listAliases(MODEL);
    const rollout = (await registry.getRollout(MODEL))!;
    log(
      `after: aliases ${JSON.stringify(aliases)}, rollout production v${rollout.production}${rollout.candidate !== undefined ? ` / candidate v${rollout.candidate}` : ' only'}`,
    );

    // 6. drift, against the profile stored in the served artifact
    const { artifact } = await registry.loadArtifact(MODEL, 'production');
    const at = new Date(sim.endedAt);
    const drift: [DriftCheck, DriftCheck] = [
      checkDrift(artifact, test, 1, 'test rows, unshifted', at),
      checkDrift(artifact, test, 1.3, 'test rows, total_sqft × 1.3', at),
    ];
    for (const d of drift) {
      log(`drift — ${d.window}: ${d.drifted.length ? `drifted: ${d.drifted.join(', ')}` : 'no feature drifted'}`);
      for (const line of d.text.split('\n')) log(`  ${line}`);
    }
    return {
      registryDir,
      rows: { raw: raw.numRows, clean: clean.numRows, train: split.train.length, test: split.test.length },
      models: { production: { ...trained[0], version: vProd }, candidate: { ...trained[1], version: vCand } },
      served: sim.served,
      onlineMape: sim.onlineMape,
      evaluation,
      decision,
      after: { aliases, rolloutProduction: rollout.production, rolloutCandidate: rollout.candidate },
      drift,
    };
  } finally {
    await registry.close();
  }
}

function withSeed(v: VariantSpec, seed: number): VariantSpec {
  return { ...v, params: { ...v.params, seed } };
}

/** Serves every test row to one simulated user through a router following the registry. */
async function simulateUsers(registry: ModelRegistry, test: Table, seed: number) {
  const time = createSimulatedTime(START_MS);
  const outcomeStore = createMemoryOutcomeStore();
  const router = createModelRouter({
    registry,
    model: MODEL,
    hmacKey: 'bangalore-example-signing-key',
    outcomeStore,
    loadModel: simulatedLatencyLoader(time, seed),
    clock: time.clock,
    timer: time.timer,
    logCapacity: 0,
  });
  try {
    await router.ready();
    const served = { production: 0, candidate: 0 };
    const relErr = { production: 0, candidate: 0 };
    const actual = test.numeric('price').values;
    for (let i = 0; i < test.numRows; i++) {
      time.advance(ARRIVAL_MS);
      const r = router.predict<{ value: number }>(requestOf(test, i), { unit: `user-${String(i).padStart(5, '0')}` });
      const variant = r.variant as 'production' | 'candidate';
      served[variant]++;
      const fb = userFeedback(r.prediction.value, actual[i]!);
      relErr[variant] += Math.abs(r.prediction.value - actual[i]!) / actual[i]!;
      await router.feedback(r.requestId, fb);
    }
    return {
      served,
      onlineMape: { production: relErr.production / served.production, candidate: relErr.candidate / served.candidate },
      aggregates: await router.aggregates(),
      endedAt: time.clock(),
    };
  } finally {
    await router.close();
  }
}

/** Applies the policy's decision through the registry; the reasons go into the alias history. */
async function applyDecision(
  registry: ModelRegistry,
  decision: Decision,
  production: number,
  candidate: number,
): Promise<void> {
  const why = `policy ${decision.action}: ${decision.reasons.map((r) => r.code).join(', ')}`;
  const productionOnly = (version: number) =>
    registry.setRollout(
      MODEL,
      { production: version, weights: { production: 1 }, mode: 'split', salt: SALT },
      { reason: why },
    );
  if (decision.action === 'promote') {
    await registry.setAlias(MODEL, 'production', candidate, { expect: production, force: true, reason: why });
    await registry.deleteAlias(MODEL, 'candidate', { expect: candidate, reason: `${why} (now production)` });
    await productionOnly(candidate);
  } else if (decision.action === 'rollback') {
    await registry.deleteAlias(MODEL, 'candidate', { expect: candidate, reason: why });
    await productionOnly(production);
  }
  // continue / hold / ramp: the experiment keeps running; nothing moves.
}
