import { describe, expect, it } from 'vitest';
import { createRegistry, type Logger, MemoryStore } from '@modelship/core';
import {
  buildProfile,
  createDriftSink,
  type DriftSinkEvent,
  type DriftSinkServed,
  profileToJSON,
} from '../src/index.js';
import { mulberry32, normals } from './helpers.js';

/** An "artifact" holding only a profile of x ~ N(mean, 1) and predictions 2x, stored as JSON bytes. */
function artifactBytes(mean: number, seed: number): Uint8Array {
  const xs = normals(mulberry32(seed), 2000, mean, 1);
  const profile = buildProfile(
    { x: xs },
    { features: { x: 'numeric' }, predictions: { type: 'numeric', values: xs.map((x) => 2 * x) } },
  );
  return new TextEncoder().encode(JSON.stringify({ profile: profileToJSON(profile) }));
}

/** A real registry over a MemoryStore: version 1 profiled on N(0, 1), version 2 on N(5, 1). */
async function registry() {
  const r = createRegistry({ store: new MemoryStore() });
  await r.register('m', artifactBytes(0, 1));
  await r.register('m', artifactBytes(5, 2));
  return r;
}

/** What a router tells its observers of a version it serves: the artifact read from the registry. */
async function served(r: Awaited<ReturnType<typeof registry>>, variant: string, version: number) {
  const { bytes } = await r.load('m', version);
  const artifact = JSON.parse(new TextDecoder().decode(bytes)) as { profile: unknown };
  return { variant, version, artifact } satisfies DriftSinkServed;
}

const silent = (): { logger: Logger; warnings: string[]; errors: string[] } => {
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn: (_o: unknown, m?: string) => warnings.push(m ?? ''),
    error: (_o: unknown, m?: string) => errors.push(m ?? ''),
    child: () => logger,
  } as unknown as Logger;
  return { logger, warnings, errors };
};

describe('createDriftSink: a monitor per served version, swapped with the model', () => {
  it("a swap from v1 to v2 makes the sink use v2's profile; a drifted window raises drift on the served version", async () => {
    const r = await registry();
    await r.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const sink = createDriftSink({ window: { kind: 'count', size: 500 } });
    const events: Array<{ kind: string } & DriftSinkEvent> = [];
    sink.on('driftDetected', (e) => events.push({ kind: 'drift', ...e }));
    sink.on('driftCleared', (e) => events.push({ kind: 'cleared', ...e }));
    const v1 = await served(r, 'production', (await r.getRollout('m'))!.production);
    sink.onSwap([v1]);
    expect(sink.monitorOf('production')?.version).toBe(1);

    // live traffic from N(5, 1): drift against v1's N(0, 1) reference
    const live = normals(mulberry32(99), 1000, 5, 1);
    for (const x of live.slice(0, 500)) sink.onServe(v1, { x }, { value: 2 * x });
    expect(events.map((e) => [e.kind, e.variant, e.version])).toEqual([['drift', 'production', 1]]);
    expect(events[0]!.report.summary.verdict).toBe('drift');
    expect(events[0]!.report.prediction?.drifted).toBe(true);

    // the rollout moves to v2 (profiled on N(5, 1)): the sink follows, the same traffic is no drift
    await r.setRollout('m', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' });
    const v2 = await served(r, 'production', (await r.getRollout('m'))!.production);
    sink.onSwap([v2]);
    expect(sink.monitorOf('production')?.version).toBe(2);
    const closed: DriftSinkEvent[] = [];
    sink.on('windowClosed', (e) => closed.push(e));
    for (const x of live.slice(500)) sink.onServe(v2, { x }, { value: 2 * x });
    expect(closed).toHaveLength(1);
    expect(closed[0]!.version).toBe(2);
    expect(closed[0]!.report.summary.verdict).toBe('no-drift');
    expect(events).toHaveLength(1); // no drift raised against v2's profile
  });

  it('report(variant) is the current window of that variant; candidates get their own monitor', async () => {
    const r = await registry();
    const sink = createDriftSink({ window: { kind: 'count', size: 10_000 }, minSamples: 50 });
    const prod = await served(r, 'production', 1);
    const cand = await served(r, 'candidate', 2);
    sink.onSwap([prod, cand]);
    for (const x of normals(mulberry32(5), 300, 5, 1)) {
      sink.onServe(prod, { x }, 2 * x);
      sink.onServe(cand, { x }, 2 * x);
    }
    expect(sink.report('production')?.summary.verdict).toBe('drift');
    expect(sink.report('candidate')?.summary.verdict).toBe('no-drift');
    expect(sink.report()?.summary.verdict).toBe('drift');
    // the candidate is no longer served: its monitor is dropped
    sink.onSwap([prod]);
    expect(sink.report('candidate')).toBeUndefined();
    expect(sink.monitorOf('candidate')).toBeUndefined();
  });

  it('a version without a usable profile is not monitored, and nothing throws into the router', async () => {
    const { logger, warnings, errors } = silent();
    const sink = createDriftSink({ logger });
    const bare: DriftSinkServed = { variant: 'production', version: 3, artifact: {} };
    sink.onSwap([bare]);
    expect(warnings).toContain('served artifact has no drift profile; not monitored');
    expect(sink.report()).toBeUndefined();
    expect(() => sink.onServe(bare, { x: 1 }, 1)).not.toThrow();
    const broken: DriftSinkServed = { variant: 'production', version: 4, artifact: { profile: { kind: 'nope' } } };
    expect(() => sink.onSwap([broken])).not.toThrow();
    expect(errors).toContain('served artifact profile is not usable; not monitored');
    expect(() => sink.onServe(broken, null, undefined)).not.toThrow();
    expect(() => sink.onServe(undefined as unknown as DriftSinkServed, 1, 2)).not.toThrow();
    expect(() => sink.onSwap(null as unknown as DriftSinkServed[])).not.toThrow();
  });

  it('variants restricts what is watched; bad options throw DriftError INVALID_OPTIONS', async () => {
    const r = await registry();
    const sink = createDriftSink({ variants: ['candidate'] });
    sink.onSwap([await served(r, 'production', 1), await served(r, 'candidate', 2)]);
    expect(sink.monitorOf('production')).toBeUndefined();
    expect(sink.monitorOf('candidate')?.version).toBe(2);
    for (const bad of [{ window: { kind: 'count', size: 0 } }, { minSamples: -1 }, { variants: [''] }]) {
      let err: unknown;
      try {
        createDriftSink(bad as never);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ name: 'DriftError', code: 'INVALID_OPTIONS' });
      expect((err as Error).message).toMatch(/createDriftSink: invalid options/);
    }
  });
});
