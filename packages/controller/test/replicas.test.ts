/**
 * Three serving replicas, each with its own router and outcome store, publish their cumulative
 * outcome snapshots to the registry's store; the controller reads them merged. The merged counts
 * equal the sum of what every replica served, exactly, and the rollout runs as with one replica.
 */
import { createMemoryOutcomeStore, createRegistry, MemoryStore } from '@modelship/core';
import { createOutcomePublisher, StoreOutcomeSource } from '@modelship/core/outcomes';
import { describe, expect, it } from 'vitest';
import { createController } from '../src/index.js';
import { rows, sendMinute, simRouter, trainOn } from './sim.js';

describe('outcomes shared by replicas through the registry store', () => {
  it('merged counts are exact, and the controller promotes from the merged outcomes', async () => {
    const clock = { t: Date.UTC(2026, 11, 1, 9) };
    const now = () => clock.t;
    const store = new MemoryStore();
    const registry = createRegistry({ store, clock: now });
    const source = new StoreOutcomeSource(store);
    const controller = createController({
      registry,
      outcomes: source,
      clock: now,
      models: { sim: { rampSteps: [0.05, 0.1, 0.2, 0.5], stepMs: 600_000, policy: { minDurationMs: 600_000 } } },
    });
    await registry.register('sim', await trainOn(rows(2000, 1, 2.6)));
    await controller.tick();
    const replicas = [0, 1, 2].map((i) => {
      const outcomes = createMemoryOutcomeStore();
      return {
        outcomes,
        router: simRouter(registry, outcomes, now),
        publisher: createOutcomePublisher({ store, outcomes, replica: `replica-${i}` }),
      };
    });
    for (const r of replicas) await r.router.ready();
    await registry.register('sim', await trainOn(rows(2000, 3, 3)));
    let sent = 0;
    for (let m = 0; m < 240 && (await registry.getRollout('sim'))!.production === 1; m++) {
      // the load balancer sends each minute's users to one replica in turn
      const r = replicas[m % 3]!;
      await sendMinute(r.router, clock, 200, 5000 + m);
      sent += 200;
      for (const x of replicas) await x.publisher.publish();
      await controller.tick();
      const rev = (await registry.getRollout('sim'))!.revision;
      for (const x of replicas) await x.router.waitForRevision(rev, { timeoutMs: 10_000 });
    }
    const rollout = (await registry.getRollout('sim'))!;
    expect([rollout.production, rollout.candidate]).toEqual([2, undefined]);
    expect(rollout.history!.map((h) => h.action)).toEqual(['deploy', 'start', 'ramp', 'ramp', 'ramp', 'promote']);
    // exact: every request of every replica, once
    const merged = await source.merged();
    const total = Object.values(merged.aggregates('sim').variants).reduce((s, v) => s + v.requests, 0);
    expect(total).toBe(sent);
    const perReplica = replicas.map((r) =>
      Object.values(r.outcomes.aggregates('sim').variants).reduce((s, v) => s + v.requests, 0),
    );
    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(sent);
    expect((await source.replicas()).sort()).toEqual(['replica-0', 'replica-1', 'replica-2']);
    for (const r of replicas) {
      await r.publisher.close();
      await r.router.close();
    }
    await controller.close();
    await registry.close();
  });
});
