/**
 * Approvals (persisted across a restart, with timeouts), gate webhooks over real HTTP, the
 * offline gate, guardrail alerts, degradation and scheduled retraining, notifications, and bad
 * options — each through a real registry, router and outcome store on a fake clock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryOutcomeStore,
  createRegistry,
  isModelshipError,
  MemoryStore,
  type ModelRegistry,
} from '@modelship/core';
import type { ModelRouter } from '@modelship/router';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createController,
  createEmbeddedJobRunner,
  createWebhookNotifier,
  type Controller,
  type ControllerEvent,
  type ControllerOptions,
  type ModelConfig,
  type TrainingSpec,
} from '../src/index.js';
import { rows, sendMinute, simRouter, trainOn } from './sim.js';

const MINUTE = 60_000;
const FAST: ModelConfig = {
  rampSteps: [0.05, 0.1, 0.2, 0.5],
  stepMs: 10 * MINUTE,
  policy: { minDurationMs: 10 * MINUTE },
};

interface World {
  registry: ModelRegistry;
  outcomes: ReturnType<typeof createMemoryOutcomeStore>;
  clock: { t: number };
  controller: Controller;
  events: ControllerEvent[];
  router(): ModelRouter;
  restart(extra?: Partial<ControllerOptions>): Promise<void>;
  close(): Promise<void>;
}
const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

async function world(model: ModelConfig, extra: Partial<ControllerOptions> = {}): Promise<World> {
  const clock = { t: Date.UTC(2026, 11, 1, 9) };
  const now = () => clock.t;
  const store = new MemoryStore();
  const registry = createRegistry({ store, clock: now, actor: 'test' });
  const outcomes = createMemoryOutcomeStore();
  let router: ModelRouter | undefined;
  const events: ControllerEvent[] = [];
  const make = (more: Partial<ControllerOptions>) => {
    const c = createController({ registry, outcomes, clock: now, models: { sim: model }, ...extra, ...more });
    c.on('event', (e) => events.push(e));
    return c;
  };
  const w: World = {
    registry,
    outcomes,
    clock,
    events,
    controller: make({}),
    router: () => (router ??= simRouter(registry, outcomes, now)),
    async restart(more = {}) {
      await w.controller.close();
      w.controller = make(more);
    },
    async close() {
      await w.controller.close();
      await router?.close();
      await registry.close();
    },
  };
  open.push(w);
  return w;
}

async function minutes(w: World, n: number, seed: number, until?: () => Promise<boolean>): Promise<void> {
  for (let m = 0; m < n; m++) {
    if (until && (await until())) return;
    await sendMinute(w.router(), w.clock, 200, seed + m);
    await w.controller.tick();
    const rev = (await w.registry.getRollout('sim'))?.revision;
    if (rev !== undefined) await w.router().waitForRevision(rev, { timeoutMs: 10_000 });
  }
}

/** v1 (slope 2.6) deployed and served; v2 (slope 3, better) registered. */
async function withCandidate(w: World): Promise<void> {
  await w.registry.register('sim', await trainOn(rows(2000, 1, 2.6)));
  await w.controller.tick();
  await w.router().ready();
  await w.registry.register('sim', await trainOn(rows(2000, 3, 3)));
}

const phase = async (w: World) => (await w.controller.state('sim'))?.phase;

describe('approvals', () => {
  it('a promotion waits for a human; the pending approval survives a restart; approving promotes', async () => {
    const w = await world({ ...FAST, approval: { beforePromotion: true, timeoutMs: 60 * MINUTE } });
    await withCandidate(w);
    await minutes(w, 200, 100, async () => (await phase(w)) === 'awaiting-approval');
    expect(await phase(w)).toBe('awaiting-approval');
    const [pending] = await w.controller.approvals('sim');
    expect(pending).toMatchObject({ kind: 'promote', candidate: 2, status: 'pending' });
    expect(w.events.map((e) => e.type)).toContain('approval.requested');
    // the controller process restarts: the approval is in the registry, not in memory
    await w.restart();
    await minutes(w, 3, 900);
    expect(await phase(w)).toBe('awaiting-approval');
    expect((await w.registry.getRollout('sim'))!.candidate).toBe(2);
    await expect(w.controller.approve('sim', { by: '' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    const a = await w.controller.approve('sim', { by: 'alice', reason: 'looks good' });
    expect(a).toMatchObject({ status: 'approved', by: 'alice' });
    await expect(w.controller.approve('sim', { by: 'bob' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await minutes(w, 1, 950);
    const r = (await w.registry.getRollout('sim'))!;
    expect([r.production, r.candidate]).toEqual([2, undefined]);
    expect(w.events.map((e) => e.type)).toEqual(expect.arrayContaining(['approval.granted', 'rollout.promoted']));
    expect((await w.controller.approvals('sim'))[0]).toMatchObject({
      status: 'approved',
      by: 'alice',
      reason: 'looks good',
    });
  });

  it('a rejected start never rolls out; a timed-out promotion approval holds or rolls back as configured', async () => {
    const w = await world({ ...FAST, approval: { beforeStart: true } });
    await withCandidate(w);
    await w.controller.tick();
    expect(await phase(w)).toBe('awaiting-approval');
    expect((await w.registry.getRollout('sim'))!.candidate).toBeUndefined();
    await w.controller.reject('sim', { by: 'bob', reason: 'not this week' });
    await w.controller.tick();
    expect(await phase(w)).toBe('idle');
    expect((await w.registry.getRollout('sim'))!.candidate).toBeUndefined();
    expect(w.events.map((e) => e.type)).toContain('approval.rejected');

    for (const onTimeout of ['rollback', 'hold'] as const) {
      const x = await world({ ...FAST, approval: { beforePromotion: true, timeoutMs: 5 * MINUTE, onTimeout } });
      await withCandidate(x);
      await minutes(x, 200, 300, async () => (await phase(x)) === 'awaiting-approval');
      await minutes(x, 7, 700);
      const r = (await x.registry.getRollout('sim'))!;
      if (onTimeout === 'rollback') {
        expect([r.production, r.candidate]).toEqual([1, undefined]);
        expect((await x.controller.approvals('sim'))[0]!.status).toBe('expired');
      } else {
        expect(await phase(x)).toBe('held');
        expect(r.candidate).toBe(2);
        // a human can still decide a held rollout
        await x.controller.approve('sim', { by: 'carol' });
        await minutes(x, 1, 800);
        expect((await x.registry.getRollout('sim'))!.production).toBe(2);
      }
    }
  });
});

async function receiver(answer: (req: IncomingMessage, body: string) => number) {
  const seen: Array<{ headers: IncomingMessage['headers']; body: string; status: number }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const status = answer(req, body);
      seen.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, seen, close: () => new Promise<void>((res) => server.close(() => res())) };
}

describe('gate webhooks (confirm-rollout, confirm-promotion) over real HTTP', () => {
  it('a non-2xx answer halts the rollout or the promotion; a 2xx advances it', async () => {
    let rolloutOk = false;
    let promoteOk = false;
    const gate = await receiver((_req, body) => {
      const b = JSON.parse(body) as { type: string };
      return (b.type === 'confirm-rollout' ? rolloutOk : promoteOk) ? 200 : 503;
    });
    try {
      const w = await world({ ...FAST, webhooks: { confirmRollout: gate.url, confirmPromotion: gate.url } });
      await withCandidate(w);
      await minutes(w, 3, 10);
      expect((await w.registry.getRollout('sim'))!.candidate).toBeUndefined(); // 503: not started
      rolloutOk = true;
      await minutes(w, 1, 20);
      expect((await w.registry.getRollout('sim'))!.candidate).toBe(2);
      await minutes(
        w,
        200,
        30,
        async () =>
          (await w.registry.getRollout('sim'))!.ramp?.stepIndex === 3 &&
          (await w.controller.decisions('sim', { limit: 1 }))[0]?.applied === 'awaiting-confirmation',
      );
      expect((await w.controller.decisions('sim', { limit: 1 }))[0]!.applied).toBe('awaiting-confirmation');
      expect((await w.registry.getRollout('sim'))!.production).toBe(1);
      promoteOk = true;
      await minutes(w, 2, 600);
      expect((await w.registry.getRollout('sim'))!.production).toBe(2);
      const bodies = gate.seen.map((s) => JSON.parse(s.body) as { type: string; candidate: number; name: string });
      expect(bodies[0]).toMatchObject({ type: 'confirm-rollout', name: 'sim', candidate: 2 });
      expect(bodies.some((b) => b.type === 'confirm-promotion')).toBe(true);
    } finally {
      await gate.close();
    }
  });
});

describe('offline gate, alerts, notifications', () => {
  it('a candidate worse offline never rolls out (gate.failed); the decision is logged', async () => {
    const w = await world({ ...FAST, gate: { metric: 'mae', tolerance: 0.01 } });
    await w.registry.register('sim', await trainOn(rows(2000, 1, 3)));
    await w.controller.tick();
    // fitted on noisier data: its holdout MAE is about 3× v1's
    await w.registry.register('sim', await trainOn(rows(2000, 2, 3, 0, 3)));
    await w.controller.tick();
    expect((await w.registry.getRollout('sim'))!.candidate).toBeUndefined();
    expect(w.events.map((e) => e.type)).toContain('gate.failed');
    const [d] = await w.controller.decisions('sim');
    expect(d).toMatchObject({ applied: 'gate-failed', action: 'rollback', candidate: 2 });
    expect(d!.reasons[0]!.code).toBe('OFFLINE_WORSE');
  });

  it('a candidate that fails requests raises a guardrail alert, is rolled back, and the events reach a signed webhook', async () => {
    const secret = `whsec_${Buffer.from('controller-feature-test-secret-32b').toString('base64')}`;
    const hook = await receiver(() => 200);
    try {
      const notifier = createWebhookNotifier({ endpoints: [{ url: hook.url, secret }] });
      const w = await world(FAST, { notifiers: [notifier] });
      await withCandidate(w);
      await w.controller.tick();
      // the candidate's requests fail: recorded as errors by the outcome store
      const rec = w.outcomes.recorder({ model: 'sim', variant: 'candidate', modelVersion: 2 });
      for (let m = 0; m < 30 && (await w.registry.getRollout('sim'))!.candidate !== undefined; m++) {
        for (let i = 0; i < 40; i++) rec.prediction({ latencyMs: 1, error: true });
        await minutes(w, 1, 50 + m);
      }
      expect((await w.registry.getRollout('sim'))!.candidate).toBeUndefined();
      const alerts = await w.controller.alerts('sim');
      expect(alerts[0]).toMatchObject({ kind: 'guardrail', severity: 'high' });
      expect(alerts[0]!.subject).toMatch(/GUARDRAIL_ERROR_RATE|SRM/);
      const acked = await w.controller.acknowledge('sim', alerts[0]!.id, 'dana');
      expect(acked.acknowledged?.by).toBe('dana');
      await expect(w.controller.acknowledge('sim', 'nope', 'dana')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await notifier.flush();
      const wh = new Webhook(secret);
      const types = hook.seen.map(
        (s) => (wh.verify(s.body, s.headers as Record<string, string>) as { type: string }).type,
      );
      expect(types).toEqual(expect.arrayContaining(['rollout.started', 'rollout.rolledBack', 'lease.acquired']));
    } finally {
      await hook.close();
    }
  });
});

describe('retraining triggers', () => {
  it('degradation (online MAE > offline × 1.05) starts a retraining, one in flight at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelship-features-'));
    const csv = join(dir, 'data.csv');
    writeFileSync(
      csv,
      `x,y\n${rows(800, 9, 3)
        .map((r) => `${r.x},${r.y}`)
        .join('\n')}\n`,
    );
    const spec: TrainingSpec = {
      model: 'sim',
      data: { kind: 'csv', path: csv },
      task: 'regression',
      target: 'y',
      features: { features: [{ type: 'numeric', column: 'x' }] },
      variants: { linear: { learner: 'linear' } },
    };
    const w = await world({ ...FAST, training: spec, triggers: { degradation: { maxDrop: 0.05, minFeedback: 100 } } });
    const jobs = createEmbeddedJobRunner({ registry: w.registry, clock: () => w.clock.t });
    try {
      await w.restart({ jobs });
      // v1 is fitted on slope 2.6 but the world has slope 3: its online MAE is far above its offline MAE
      await w.registry.register('sim', await trainOn(rows(2000, 1, 2.6)));
      await w.controller.tick();
      await w.router().ready();
      await minutes(w, 3, 40);
      const started = w.events.find((e) => e.type === 'retraining.started');
      expect(started?.data.trigger).toBe('degradation');
      expect(started?.message).toMatch(/online MAE .* above the offline/);
      expect((await w.controller.alerts('sim')).some((a) => a.kind === 'degradation')).toBe(true);
      // one in flight per model: more degraded minutes do not start a second job
      await minutes(w, 2, 60);
      expect(w.events.filter((e) => e.type === 'retraining.started')).toHaveLength(1);
    } finally {
      await w.controller.close();
      await jobs.close();
    }
  });

  it('a cron schedule retrains on the leader (real time, every second)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelship-features-'));
    const csv = join(dir, 'data.csv');
    writeFileSync(
      csv,
      `x,y\n${rows(400, 9, 3)
        .map((r) => `${r.x},${r.y}`)
        .join('\n')}\n`,
    );
    const registry = createRegistry({ store: new MemoryStore() });
    await registry.register('sim', await trainOn(rows(500, 1, 3)));
    const jobs = createEmbeddedJobRunner({ registry });
    const spec: TrainingSpec = {
      model: 'sim',
      data: { kind: 'csv', path: csv },
      task: 'regression',
      target: 'y',
      features: { features: [{ type: 'numeric', column: 'x' }] },
      variants: { linear: { learner: 'linear' } },
    };
    const events: ControllerEvent[] = [];
    const c = createController({
      registry,
      jobs,
      intervalMs: 100,
      models: { sim: { training: spec, schedule: '* * * * * *', triggers: { cooldownMs: 0 } } },
    });
    c.on('event', (e) => events.push(e));
    c.start();
    try {
      for (let i = 0; i < 100 && !events.some((e) => e.type === 'retraining.started'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(events.find((e) => e.type === 'retraining.started')?.data.trigger).toBe('schedule');
    } finally {
      await c.close();
      await jobs.close();
      await registry.close();
    }
  });
});

describe('options', () => {
  it('bad options throw INVALID_OPTIONS naming the field', () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const cases: Array<[string, Partial<ControllerOptions>]> = [
      ['models.sim.rampSteps', { models: { sim: { rampSteps: [0.5, 0.2] } } }],
      ['models.sim.stepMs', { models: { sim: { stepMs: -1 } } }],
      ['models.sim.approval.onTimeout', { models: { sim: { approval: { onTimeout: 'never' as never } } } }],
      ['models.sim.webhooks.confirmPromotion', { models: { sim: { webhooks: { confirmPromotion: 'not a url' } } } }],
      [
        'models.sim.schedule',
        {
          models: {
            sim: {
              schedule: '61 * * * *',
              training: {
                model: 'sim',
                data: { kind: 'csv', path: 'x.csv' },
                task: 'regression',
                target: 'y',
                features: { features: [{ type: 'numeric', column: 'x' }] },
                variants: { l: { learner: 'linear' } },
              },
            },
          },
        },
      ],
      ['models.sim.training', { models: { sim: { training: { model: 'sim' } as never } } }],
      ['leaseMs', { models: { sim: {} }, leaseMs: 0 }],
      ['intervalMs', { models: { sim: {} }, intervalMs: 1.5 }],
      ['models.bad name', { models: { 'bad name': {} } }],
    ];
    for (const [field, o] of cases) {
      let err: unknown;
      try {
        createController({ registry, ...o } as ControllerOptions);
      } catch (e) {
        err = e;
      }
      expect(isModelshipError(err, 'ControllerError', 'INVALID_OPTIONS'), field).toBe(true);
      expect((err as Error).message, field).toContain(field);
    }
  });
});
