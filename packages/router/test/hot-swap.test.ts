import { describe, expect, it } from 'vitest';
import { createModelRouter } from '../src/model-router.js';
import type { RouterRollout } from '../src/rollout-source.js';
import { HMAC_KEY, fakeLoader, registryWith, untilRevision } from './helpers.js';

describe('hot swap under load', () => {
  it('50,000 predictions per replica while the rollout changes 20 times: zero failures, every answer from the rollout in force at its start', async () => {
    // Version v multiplies its input by v, so an answer proves which model produced it.
    const versions = [1, 2, 3, 4, 5, 6, 7, 8];
    const registry = await registryWith(
      'm',
      versions.map((v) => ({ kind: 'linear' as const, factor: v })),
    );
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0.8, candidate: 0.2 },
      mode: 'split',
      salt: 's0',
    });
    // Slow, asynchronous loads (as from a remote store) so swaps overlap with traffic.
    const loadModel = async (bytes: Uint8Array) => {
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 5));
      return fakeLoader(bytes);
    };
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel, pollIntervalMs: 10 });
    // A second replica sees changes only by polling the store (no in-process notification).
    const pollingOnly = {
      getRollout: registry.getRollout.bind(registry),
      watch: registry.watch.bind(registry),
      load: registry.load.bind(registry),
    };
    const replica = createModelRouter({
      registry: pollingOnly,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel,
      pollIntervalMs: 10,
    });
    await replica.ready();
    const swaps: number[] = [];
    router.on('modelSwapped', (e) => swaps.push(e.rollout.revision));
    await router.ready();

    let failures = 0;
    let checked = 0;
    let i = 0;
    const perRevision = new Map<number, number>();
    const burst = async (n: number) => {
      for (let k = 0; k < n; k++, i++) {
        if (k % 100 === 99) await new Promise((r) => setTimeout(r, 1)); // let loads, polls and swaps run
        const target = i % 2 === 0 ? router : replica;
        const inForce = target.rollout!;
        if (target === router) perRevision.set(inForce.revision, (perRevision.get(inForce.revision) ?? 0) + 1);
        const x = 1 + (i % 13);
        try {
          const r = target.predict<number>({ x }, { unit: `user-${i % 1000}` });
          const allowed = [inForce.production, inForce.candidate].filter((v) => v !== undefined);
          if (!allowed.includes(r.modelVersion) || r.prediction !== x * r.modelVersion) {
            throw new Error(
              `response version ${r.modelVersion} (answer ${r.prediction}) not in rollout revision ${inForce.revision} ${JSON.stringify(allowed)}`,
            );
          }
          checked++;
        } catch (err) {
          failures++;
          if (failures < 5) console.error(err);
        }
      }
    };
    const set: RouterRollout[] = [];
    for (let c = 0; c < 20; c++) {
      const p = versions[(c * 3) % versions.length]!;
      const cand = versions[(c * 5 + 1) % versions.length]!;
      const mode = c % 5 === 4 ? 'shadow' : 'split';
      const wc = mode === 'shadow' ? 0 : [0.05, 0.1, 0.2, 0.5, 0.9][c % 5]!;
      // The change is started, not awaited: requests keep flowing while it is stored, noticed, loaded and swapped.
      const change = registry.setRollout('m', {
        production: p,
        ...(cand === p ? {} : { candidate: cand }),
        weights: { production: cand === p ? 1 : 1 - wc, ...(cand === p ? {} : { candidate: wc }) },
        mode: cand === p ? 'split' : mode,
        salt: `s${c}`,
      });
      await burst(5000);
      set.push(await change);
      await untilRevision(router, set.at(-1)!.revision);
    }
    await untilRevision(replica, 21);
    await burst(1000); // requests on the final rollout
    expect(failures).toBe(0);
    expect(checked).toBe(101_000);
    expect(replica.rollout!.revision).toBe(21);
    expect(router.rollout!.revision).toBe(21);
    expect(swaps.at(-1)).toBe(21);
    // Every one of the 21 revisions served requests.
    expect([...perRevision.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, k) => k + 1));
    expect(swaps).toEqual([...swaps].sort((a, b) => a - b));
    await Promise.all([router.close(), replica.close()]);
  });
});
