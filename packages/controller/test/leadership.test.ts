/**
 * Leadership: two controller processes on one registry — on the file system and on S3
 * (moto_server) — with real time. Synthetic traffic keeps decisions coming (the candidate is
 * better, so each rollout ramps and promotes, and a new version is registered after each).
 * At no time do both apply decisions; killing the leader hands over within the lease time plus
 * one interval; a leader paused with SIGSTOP past its lease, then resumed, has its write refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryOutcomeStore, createRegistry, type ModelRegistry, type Store } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { S3Store, type S3StoreOptions } from '@modelship/registry-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MotoServer, motoAvailable } from '../../../test-support/moto-server.js';
import { rows, startChild, trainOn, type Child } from './sim.js';

const LEASE_MS = 2000;
const INTERVAL_MS = 250;
const MODEL_CFG = { rampSteps: [0.05, 0.1, 0.2, 0.5], stepMs: 300, policy: { minDurationMs: 300, minSamples: 50 } };
const requireS3 = process.env.MODELSHIP_REQUIRE_S3 === '1';

/** Traffic every 50 ms for the versions the rollout serves; the candidate's error is 0.6 of production's. */
function traffic(registry: ModelRegistry, outcomes = createMemoryOutcomeStore()) {
  let stop = false;
  let registered = 0;
  const loop = (async () => {
    let k = 0;
    while (!stop) {
      const r = await registry.getRollout('sim').catch(() => undefined);
      if (r) {
        const wc = r.weights.candidate ?? 0;
        for (let i = 0; i < 200; i++) {
          const cand = r.candidate !== undefined && ((k * 7919 + i * 104729) % 1000) / 1000 < wc;
          const key = {
            model: 'sim',
            variant: cand ? 'candidate' : 'production',
            modelVersion: cand ? r.candidate! : r.production,
          };
          const rec = outcomes.recorder(key);
          rec.prediction({ latencyMs: 1 });
          rec.feedback({ actual: 10, predicted: 10 + (cand ? 0.6 : 1) * (i % 2 ? 1 : -1) });
        }
        if (
          r.candidate === undefined &&
          registered < 6 &&
          (await registry.listVersions('sim')).length <= r.production
        ) {
          registered++;
          await registry.register('sim', await trainOn(rows(500, 50 + registered, 3)));
        }
      }
      k++;
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  return {
    outcomes,
    stop: async () => {
      stop = true;
      await loop;
    },
  };
}

interface Ev {
  type: string;
  at: number;
}
function events(c: Child): Ev[] {
  return c.lines.filter((l) => l.startsWith('event ')).map((l) => JSON.parse(l.slice(6)) as Ev);
}
async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

function leadershipSuite(
  name: string,
  fresh: () => Promise<{ store: () => Store; child: Record<string, unknown> }>,
): void {
  it(`${name}: one leader at a time, hand-over on SIGKILL within lease + interval, a resumed SIGSTOPped leader is fenced`, async () => {
    const { store, child } = await fresh();
    const snapshotFile = join(mkdtempSync(join(tmpdir(), 'modelship-lead-')), 'outcomes.json');
    const registry = createRegistry({ store: store(), actor: 'test' });
    await registry.register('sim', await trainOn(rows(500, 1, 3)));
    const t = traffic(registry);
    const publish = setInterval(() => {
      void import('node:fs')
        .then((fs) => fs.writeFileSync(`${snapshotFile}.tmp`, JSON.stringify(t.outcomes.snapshot())))
        .then(async () => {
          const fs = await import('node:fs');
          fs.renameSync(`${snapshotFile}.tmp`, snapshotFile);
        });
    }, 50);
    const base = { ...child, snapshotFile, leaseMs: LEASE_MS, intervalMs: INTERVAL_MS, loop: true, model: MODEL_CFG };
    const a = startChild({ ...base, id: 'ctl-a', pauseBeforeWrite: 800 });
    const kids: Child[] = [a];
    try {
      await a.next('ready');
      await a.next('event {"type":"lease.acquired"', 15_000);
      const b = startChild({ ...base, id: 'ctl-b' });
      kids.push(b);
      await b.next('ready');
      // 1. A is about to apply a decision: stop it there, past its lease
      await a.next('about-to-write', 30_000);
      a.proc.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await b.next('event {"type":"lease.acquired"', LEASE_MS * 4);
      const takeover = events(b).find((e) => e.type === 'lease.acquired')!.at - stoppedAt;
      expect(takeover).toBeLessThanOrEqual(LEASE_MS + INTERVAL_MS + 500); // + scheduling slack on a loaded machine
      console.log(`${name}: take-over after SIGSTOP ${takeover} ms (lease ${LEASE_MS} + interval ${INTERVAL_MS})`);
      // B applies decisions now; then A resumes and tries its write
      const revAtResume = await until(
        async () => ((await registry.getRollout('sim'))?.history ?? []).some((h) => h.actor === 'ctl-b'),
        30_000,
        'B applies a decision',
      ).then(async () => (await registry.getRollout('sim'))!.revision);
      a.proc.kill('SIGCONT');
      // its pending write carried its old fencing epoch: the registry refused it
      await a.next('warn write fenced: another controller leads now FENCED', 10_000);
      // …and it steps down (the event line may follow the warning in a later chunk of its output)
      await until(() => events(a).some((e) => e.type === 'lease.lost'), 5_000, 'A reports lease.lost');
      // 2. kill the leader B: A takes over within lease + interval
      await until(
        async () => ((await registry.getRollout('sim'))?.revision ?? 0) > revAtResume,
        30_000,
        'more decisions by B',
      );
      b.proc.kill('SIGKILL');
      const killedAt = Date.now();
      await until(
        () => events(a).filter((e) => e.type === 'lease.acquired').length >= 2,
        LEASE_MS * 4,
        'A re-acquires',
      );
      const handover = events(a).filter((e) => e.type === 'lease.acquired')[1]!.at - killedAt;
      expect(handover).toBeLessThanOrEqual(LEASE_MS + INTERVAL_MS + 500);
      console.log(`${name}: hand-over after SIGKILL ${handover} ms`);
      await until(
        async () => ((await registry.getRollout('sim'))?.history ?? []).filter((h) => h.actor === 'ctl-a').length >= 3,
        30_000,
        'A decides again',
      );
    } finally {
      clearInterval(publish);
      for (const k of kids) {
        if (k.proc.exitCode === null && k.proc.signalCode === null) {
          k.proc.kill('SIGCONT');
          k.proc.kill('SIGKILL');
        }
      }
      await t.stop();
    }
    // at no time did both apply decisions: epochs never go back, and each epoch has one writer
    const h = (await registry.getRollout('sim'))!.history!;
    const writers = new Map<number, string>();
    for (let i = 0; i < h.length; i++) {
      const e = h[i]!;
      if (e.epoch === undefined) continue;
      if (i > 0 && h[i - 1]!.epoch !== undefined) expect(e.epoch).toBeGreaterThanOrEqual(h[i - 1]!.epoch!);
      if (writers.has(e.epoch)) expect(writers.get(e.epoch)).toBe(e.actor);
      writers.set(e.epoch, e.actor);
    }
    expect(new Set(writers.values())).toEqual(new Set(['ctl-a', 'ctl-b']));
    expect(writers.size).toBeGreaterThanOrEqual(3); // A, then B, then A again under a new epoch
    // A's write after SIGCONT was refused: nothing by A under its first epoch after B's first write
    const firstB = h.findIndex((e) => e.actor === 'ctl-b');
    const aFirstEpoch = h.find((e) => e.actor === 'ctl-a')!.epoch;
    expect(h.slice(firstB).some((e) => e.actor === 'ctl-a' && e.epoch === aFirstEpoch)).toBe(false);
    await registry.close();
  });
}

describe('leadership across processes', { timeout: 180_000 }, () => {
  leadershipSuite('fs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modelship-lead-fs-'));
    return { store: () => new FsStore({ root }), child: { store: 'fs', root } };
  });
  if (motoAvailable) {
    const moto = new MotoServer();
    beforeAll(() => moto.start(), 60_000);
    afterAll(() => moto.stop());
    leadershipSuite('S3 (moto_server)', async () => {
      const o: S3StoreOptions = {
        bucket: `lead-${Date.now().toString(36)}`,
        prefix: 'registry/',
        endpoint: moto.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      };
      const s = new S3Store(o);
      await s.ensureBucket();
      await s.close();
      return { store: () => new S3Store(o), child: { store: 's3', s3: o } };
    });
  } else {
    it(
      requireS3 ? 'needs moto_server (MODELSHIP_REQUIRE_S3=1)' : 'S3 leadership: moto_server not found, did NOT run',
      () => {
        if (requireS3) throw new Error('moto_server not found on PATH');
      },
    );
  }
});
