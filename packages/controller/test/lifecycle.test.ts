/**
 * The lifecycle end to end, in one process, on a fake clock: a real registry (MemoryStore), real
 * trained models, a real router recording outcomes into a real outcome store, a real drift sink
 * and the embedded job runner training in a worker thread. The test only sends traffic and
 * feedback and moves the clock (each minute of simulated time fires the controller's interval);
 * every deployment change is the controller's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryOutcomeStore,
  createRegistry,
  MemoryStore,
  recomputeDecision,
  Table,
  type ModelRegistry,
} from '@modelship/core';
import { createDriftSink } from '@modelship/drift';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { createTrainer } from '@modelship/train';
import { afterEach, describe, expect, it } from 'vitest';
import { createController, type Controller } from '../src/index.js';
import { createEmbeddedJobRunner } from '../src/jobs/index.js';
import type { ControllerEvent, TrainingSpec } from '../src/types.js';

const MODEL = 'sim';
const MINUTE = 60_000;

/** y = slope·x + N(0, 1), x ~ U(0, 10) + shift. */
function rows(n: number, seed: number, slope = 3, shift = 0): Array<{ x: number; y: number }> {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const x = u() * 10 + shift;
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    out.push({ x, y: slope * x + z });
  }
  return out;
}

async function trainOn(
  data: Array<{ x: number; y: number }>,
): Promise<Awaited<ReturnType<ReturnType<typeof createTrainer>['fit']>>> {
  const trainer = createTrainer({
    task: 'regression',
    target: 'y',
    features: { features: [{ type: 'numeric', column: 'x' }] },
    variants: { linear: { learner: 'linear' } },
    evaluation: { kind: 'holdout', testFraction: 0.2 },
  });
  return trainer.fit(Table.fromRows(data));
}

interface World {
  registry: ModelRegistry;
  router: ModelRouter;
  controller: Controller;
  events: ControllerEvent[];
  clock: { t: number };
  close(): Promise<void>;
}

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function world(
  extra: { spec?: TrainingSpec } = {},
): Promise<World & { sink: ReturnType<typeof createDriftSink> }> {
  const clock = { t: Date.UTC(2026, 11, 1, 9) };
  const now = () => clock.t;
  const registry = createRegistry({ store: new MemoryStore(), clock: now, actor: 'test' });
  const outcomes = createMemoryOutcomeStore();
  const sink = createDriftSink({ window: { kind: 'count', size: 500 }, checks: ['psi'] });
  let router: ModelRouter | undefined;
  const jobs = extra.spec
    ? createEmbeddedJobRunner({ registry, clock: now, backoff: { initialMs: 1, factor: 1, maxMs: 1 } })
    : undefined;
  const controller = createController({
    registry,
    outcomes,
    clock: now,
    drift: () => sink.report('production'),
    ...(jobs ? { jobs } : {}),
    models: {
      [MODEL]: {
        rampSteps: [0.05, 0.1, 0.2, 0.5],
        stepMs: 10 * MINUTE,
        policy: { minDurationMs: 10 * MINUTE },
        ...(extra.spec ? { training: extra.spec, triggers: { cooldownMs: 0, degradation: false } } : {}),
      },
    },
  });
  const events: ControllerEvent[] = [];
  controller.on('event', (e) => events.push(e));
  const w = {
    registry,
    get router(): ModelRouter {
      // the router starts once the controller has deployed a first version
      router ??= createModelRouter({
        registry,
        model: MODEL,
        hmacKey: 'lifecycle-test-key',
        outcomeStore: outcomes,
        clock: now,
        observers: [sink],
        logCapacity: 0,
        pollIntervalMs: 20,
      });
      return router;
    },
    controller,
    events,
    clock,
    sink,
    async close() {
      await controller.close();
      await router?.close();
      await jobs?.close();
      await registry.close();
    },
  };
  worlds.push(w);
  return w;
}

/**
 * One minute of simulated time: `perMinute` users ask for a prediction and send the actual value
 * (y = 3x + noise, inputs shifted by `shift`), then the controller's interval fires.
 */
async function minute(w: World, perMinute: number, seed: number, shift = 0): Promise<void> {
  const truth = rows(perMinute, seed, 3, shift);
  for (let i = 0; i < truth.length; i++) {
    w.clock.t += Math.floor(MINUTE / perMinute);
    const r = w.router.predict<{ value: number }>({ x: truth[i]!.x }, { unit: `u-${seed}-${i}` });
    await w.router.feedback(r.requestId, { actual: truth[i]!.y });
  }
  await new Promise((res) => setImmediate(res)); // a minute has event-loop turns: observers are delivered in one
  await w.controller.tick();
  const rev = (await w.registry.getRollout(MODEL))?.revision;
  if (rev !== undefined) await w.router.waitForRevision(rev, { timeoutMs: 10_000 });
}

const types = (w: World) => w.events.map((e) => e.type);

describe('the controller runs the lifecycle by itself', () => {
  it('deploys the first version, rolls a bad candidate back, ramps a good one 5 → 10 → 20 → 50 % and promotes it', async () => {
    const w = await world();
    // v1: biased (slope 2.6); v2: bad (slope −1); v3: good (slope 3)
    await w.registry.register(MODEL, (await trainOn(rows(2000, 1, 2.6))).artifact);
    await w.controller.tick();
    expect(await w.registry.getAlias(MODEL, 'production')).toBe(1);
    await w.router.ready();

    await w.registry.register(MODEL, (await trainOn(rows(2000, 2, -1))).artifact);
    for (
      let m = 0;
      m < 60 && (await w.registry.getRollout(MODEL))!.production === 1 && !types(w).includes('rollout.rolledBack');
      m++
    ) {
      await minute(w, 200, 100 + m);
    }
    expect(types(w)).toContain('rollout.rolledBack');
    let r = (await w.registry.getRollout(MODEL))!;
    expect([r.production, r.candidate]).toEqual([1, undefined]);

    await w.registry.register(MODEL, (await trainOn(rows(2000, 3, 3))).artifact);
    for (let m = 0; m < 240 && (await w.registry.getRollout(MODEL))!.production === 1; m++) {
      await minute(w, 200, 1000 + m);
    }
    r = (await w.registry.getRollout(MODEL))!;
    if (process.env.DEBUG_LIFECYCLE) {
      console.log(
        types(w),
        JSON.stringify(r.state),
        (await w.controller.decisions(MODEL, { limit: 3 })).map((d) => d.reasons),
      );
    }
    expect([r.production, r.candidate]).toEqual([3, undefined]);
    const weights = r.history!.filter((h) => h.candidate === 3).map((h) => h.candidateWeight);
    expect(weights).toEqual([0.05, 0.1, 0.2, 0.5]);
    expect(r.history!.map((h) => h.action)).toEqual([
      'deploy',
      'start',
      'rollback',
      'start',
      'ramp',
      'ramp',
      'ramp',
      'promote',
    ]);
    expect(types(w).filter((t) => t.startsWith('rollout.'))).toEqual([
      'rollout.deployed',
      'rollout.started',
      'rollout.rolledBack',
      'rollout.started',
      'rollout.ramped',
      'rollout.ramped',
      'rollout.ramped',
      'rollout.promoted',
    ]);
    // every logged decision replays to its action
    const log = await w.controller.decisions(MODEL, { limit: 10_000 });
    expect(
      log
        .filter((d) => d.applied !== 'none')
        .map((d) => d.applied)
        .reverse(),
    ).toEqual(['rolled-back', 'ramped', 'ramped', 'ramped', 'promoted']);
    for (const d of log) if (d.record) expect(recomputeDecision(d.record).action).toBe(d.action);
  });

  it('a drift shift triggers a retraining in the embedded runner, whose candidate then rolls out and is promoted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelship-lifecycle-'));
    const csv = join(dir, 'shifted.csv');
    // the retraining data: the world after the shift (x + 8, and the true slope is 3)
    writeFileSync(
      csv,
      `x,y\n${rows(3000, 77, 3, 8)
        .map((r) => `${r.x},${r.y}`)
        .join('\n')}\n`,
    );
    const spec: TrainingSpec = {
      model: MODEL,
      data: { kind: 'csv', path: csv },
      task: 'regression',
      target: 'y',
      features: { features: [{ type: 'numeric', column: 'x' }] },
      variants: { linear: { learner: 'linear' } },
    };
    const w = await world({ spec });
    // v1 was fitted on x in [0, 10] with a wrong slope away from the origin: fine there, poor after the shift
    await w.registry.register(MODEL, (await trainOn(rows(2000, 1, 2.6))).artifact);
    await w.controller.tick();
    await w.router.ready();
    for (let m = 0; m < 5; m++) await minute(w, 200, 10 + m); // unshifted: no drift, no retraining
    expect(types(w)).not.toContain('drift.detected');
    for (let m = 0; m < 30 && !types(w).includes('retraining.started'); m++) await minute(w, 200, 500 + m, 8);
    if (process.env.DEBUG_LIFECYCLE)
      console.log(
        types(w),
        JSON.stringify(w.sink.report('production'))?.slice(0, 1500),
        w.sink.monitorOf('production'),
      );
    expect(types(w)).toContain('drift.detected');
    expect(types(w)).toContain('retraining.started');
    const drift = w.events.find((e) => e.type === 'drift.detected')!;
    expect(drift.message).toMatch(/x: PSI \d+\.\d+ > 0\.25/);
    // the job trains in a worker thread and registers v2, tagged with its job id
    const jobId = w.events.find((e) => e.type === 'retraining.started')!.data.jobId as string;
    for (let i = 0; i < 600 && (await w.registry.listVersions(MODEL)).length < 2; i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
    const v2 = await w.registry.getVersion(MODEL, 2);
    expect(v2.tags.job).toBe(jobId);
    for (let m = 0; m < 240 && (await w.registry.getRollout(MODEL))!.production === 1; m++) {
      await minute(w, 200, 2000 + m, 8);
    }
    const r = (await w.registry.getRollout(MODEL))!;
    expect([r.production, r.candidate]).toEqual([2, undefined]);
    expect(r.history!.map((h) => h.action)).toEqual(['deploy', 'start', 'ramp', 'ramp', 'ramp', 'promote']);
    expect(types(w).filter((t) => t.startsWith('retraining') || t.startsWith('drift'))).toEqual([
      'drift.detected',
      'retraining.started',
      'retraining.succeeded',
    ]);
  });
});
