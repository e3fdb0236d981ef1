/**
 * Crash safety: the controller runs in its own OS process over an fs registry, the test drives
 * traffic (a router in this process) and the clock (a file the child reads), and kills the child
 * with SIGKILL at named points of its ticks — before and after the lease, after reading, after
 * writing a decision entry but before its deployment change, after the change but before its
 * event — then restarts it. The run must end exactly as an uninterrupted run of the same scenario.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryOutcomeStore, createRegistry, recomputeDecision } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { describe, expect, it } from 'vitest';
import { createController, stateOf, type DecisionLogEntry } from '../src/index.js';
import { MINUTE, rows, sendMinute, simRouter, startChild, trainOn, type Child } from './sim.js';

const POINTS = ['tick', 'leased', 'read', 'logged', 'written'] as const;
const STEPS = 110;

interface RunResult {
  history: unknown[];
  production: number;
  candidate: number | undefined;
  kills: number;
  phasesAtKill: Set<string>;
  pointsKilled: Set<string>;
  log: DecisionLogEntry[];
  landedIds: string[];
}

async function run(withKills: boolean): Promise<RunResult> {
  const root = mkdtempSync(join(tmpdir(), 'modelship-crash-'));
  const clockFile = join(root, '..', `${root.split('/').pop()}-clock`);
  const snapshotFile = join(root, '..', `${root.split('/').pop()}-outcomes.json`);
  const clock = { t: Date.UTC(2026, 11, 1, 9) };
  const registry = createRegistry({ store: new FsStore({ root }), clock: () => clock.t, actor: 'test' });
  const outcomes = createMemoryOutcomeStore();
  await registry.register('sim', await trainOn(rows(2000, 1, 2.6)));
  let point = 0;
  let kills = 0;
  const phasesAtKill = new Set<string>();
  const pointsKilled = new Set<string>();
  const config = () => ({
    store: 'fs',
    root,
    clockFile,
    snapshotFile,
    id: 'ctl',
    leaseMs: 30_000,
    ...(withKills
      ? { killAt: { point: POINTS[point % POINTS.length], nth: POINTS[point % POINTS.length] === 'tick' ? 3 : 1 } }
      : {}),
  });
  let child: Child = startChild(config());
  await child.next('ready');
  const tick = async (): Promise<void> => {
    writeFileSync(clockFile, String(clock.t));
    writeFileSync(snapshotFile, JSON.stringify(outcomes.snapshot()));
    for (;;) {
      child.send('tick');
      try {
        await child.next('ticked');
        return;
      } catch {
        const { signal } = await child.exited;
        if (signal !== 'SIGKILL')
          throw new Error(`controller child died without SIGKILL: ${child.stderr().slice(-2000)}`);
        kills++;
        pointsKilled.add(POINTS[point % POINTS.length]!);
        const r = await registry.getRollout('sim');
        phasesAtKill.add(r ? stateOf(r).phase : 'none');
        point++;
        child = startChild(config());
        await child.next('ready');
      }
    }
  };
  await tick();
  const router = simRouter(registry, outcomes, () => clock.t);
  await router.ready();
  try {
    for (let step = 1; step <= STEPS; step++) {
      if (step === 1) await registry.register('sim', await trainOn(rows(2000, 2, -1)));
      if (step === 30) await registry.register('sim', await trainOn(rows(2000, 3, 3)));
      await sendMinute(router, clock, 200, 10_000 + step);
      await tick();
      const r = (await registry.getRollout('sim'))!;
      await router.waitForRevision(r.revision, { timeoutMs: 20_000 });
    }
  } finally {
    child.send('exit');
    await child.exited;
    await router.close();
  }
  const r = (await registry.getRollout('sim'))!;
  // read the log as an operator would, through a controller that never leads (it never ticks)
  const reader = createController({ registry, models: { sim: {} }, id: 'reader' });
  const log = await reader.decisions('sim', { limit: 100_000 });
  await registry.close();
  return {
    history: r.history!.map((h) => [h.action, h.production, h.candidate, h.candidateWeight, h.at]),
    production: r.production,
    candidate: r.candidate,
    kills,
    phasesAtKill,
    pointsKilled,
    log,
    landedIds: r.history!.flatMap((h) => (h.decision ? [h.decision] : [])),
  };
}

describe('crash safety', () => {
  it('SIGKILLed at every point of its ticks (≥ 20 kills) and restarted, the controller ends as an uninterrupted run: no decision applied twice, none lost, every record replays', async () => {
    const calm = await run(false);
    const crashed = await run(true);
    // the scenario did what it should: v2 rolled back, v3 ramped and promoted
    expect(calm.production).toBe(3);
    expect(calm.history.map((h) => (h as unknown[])[0])).toEqual([
      'deploy',
      'start',
      'rollback',
      'start',
      'ramp',
      'ramp',
      'ramp',
      'promote',
    ]);
    console.log(
      `crash: ${crashed.kills} SIGKILLs at ${[...crashed.pointsKilled].join(', ')}; phases at a kill: ${[...crashed.phasesAtKill].join(', ')}; ${crashed.log.filter((d) => d.landed === false).length} logged decisions did not land (re-decided)`,
    );
    expect(crashed.kills).toBeGreaterThanOrEqual(20);
    expect([...crashed.pointsKilled].sort()).toEqual([...POINTS].sort());
    expect(crashed.phasesAtKill.has('idle') && crashed.phasesAtKill.has('canary')).toBe(true);
    // same final state, same deployment history to the millisecond: nothing applied twice or lost
    expect([crashed.production, crashed.candidate]).toEqual([calm.production, calm.candidate]);
    expect(crashed.history).toEqual(calm.history);
    for (const res of [calm, crashed]) {
      // every deployment change the controller made has its decision entry, exactly once
      const changes = res.log.filter((d) => d.landed === true);
      expect(changes.map((d) => d.id).sort()).toEqual([...res.landedIds].sort());
      expect(new Set(res.landedIds).size).toBe(res.landedIds.length);
      // every record replays to its decision
      for (const d of res.log) if (d.record) expect(recomputeDecision(d.record).action, d.id).toBe(d.action);
    }
    // entries written just before a kill whose change never landed are marked so, and were re-decided
    expect(crashed.log.filter((d) => d.landed === false).length).toBeGreaterThan(0);
    expect(calm.log.filter((d) => d.landed === false)).toEqual([]);
    void MINUTE;
  });
});
