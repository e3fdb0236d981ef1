import { describe, expect, it } from 'vitest';
import { caught, manualClock, testBytes } from './bytes.js';
import type { SuiteContext } from './context.js';

/** Group: deployment changes, each one compare-and-set write of the rollout record. */
export function deploymentGroups(ctx: SuiteContext): void {
  describe('deployment', () => {
    it('deploy → start → ramp → promote and → rollback: one record each time, aliases are views of it, history says who, when, why', async () => {
      const clock = manualClock();
      const r = ctx.registry({ clock: clock.now });
      for (let i = 1; i <= 3; i++) await r.register('m', testBytes(100, i));
      const t0 = clock.now();
      const d = await r.deploy('m', 1, { reason: 'first', actor: 'alice' });
      expect(d).toMatchObject({ production: 1, revision: 1, mode: 'split', weights: { production: 1 } });
      clock.advance(1000);
      const s = await r.startRollout('m', { candidate: 2 });
      expect(s).toMatchObject({
        candidate: 2,
        mode: 'ramp',
        weights: { production: 0.95, candidate: 0.05 },
        ramp: { steps: [0.05, 0.1, 0.2, 0.5], stepIndex: 0 },
      });
      expect(await r.listAliases('m')).toEqual({ production: 1, candidate: 2 });
      for (const want of [0.1, 0.2, 0.5]) {
        clock.advance(1000);
        expect((await r.rampRollout('m')).weights.candidate).toBe(want);
      }
      expect((await caught(() => r.rampRollout('m'))).code).toBe('INVALID_STATE');
      clock.advance(1000);
      const tPromote = clock.now();
      const p = await r.promoteCandidate('m', { reason: 'composite +0.07' });
      expect(p).toMatchObject({ production: 2, weights: { production: 1 }, revision: 6 });
      expect(p.candidate).toBeUndefined();
      expect(await r.listAliases('m')).toEqual({ production: 2 });
      expect((await r.load('m', 'production')).version.version).toBe(2);
      await r.startRollout('m', { candidate: 3, mode: 'split', weight: 0.2 });
      const rb = await r.rollbackCandidate('m', { reason: 'error rate' });
      expect([rb.production, rb.candidate]).toEqual([2, undefined]);
      expect(
        (await r.deploymentHistory('m')).map((h) => [h.action, h.production, h.candidate, h.candidateWeight]),
      ).toEqual([
        ['deploy', 1, null, 0],
        ['start', 1, 2, 0.05],
        ['ramp', 1, 2, 0.1],
        ['ramp', 1, 2, 0.2],
        ['ramp', 1, 2, 0.5],
        ['promote', 2, null, 0],
        ['start', 2, 3, 0.2],
        ['rollback', 2, null, 0],
      ]);
      expect((await r.deploymentHistory('m'))[0]).toMatchObject({ actor: 'alice', reason: 'first', at: t0 });
      // "what was production at time T" has one answer, from the same record
      expect(await r.aliasAt('m', 'production', t0 - 1)).toBeUndefined();
      expect(await r.aliasAt('m', 'production', tPromote - 1)).toBe(1);
      expect(await r.aliasAt('m', 'production', tPromote)).toBe(2);
      expect((await r.aliasHistory('m', 'candidate')).map((h) => h.to)).toEqual([2, null, 3, null]);
    });

    it('refuses changes that do not fit the record with INVALID_STATE, and a stale expect with CONFLICT, writing nothing', async () => {
      const r = ctx.registry();
      for (let i = 1; i <= 3; i++) await r.register('m', testBytes(100, i));
      expect((await caught(() => r.startRollout('m', { candidate: 2 }))).code).toBe('INVALID_STATE');
      expect((await caught(() => r.promoteCandidate('m'))).code).toBe('INVALID_STATE');
      await r.deploy('m', 1);
      expect((await caught(() => r.promoteCandidate('m'))).code).toBe('INVALID_STATE');
      expect((await caught(() => r.rollbackCandidate('m'))).code).toBe('INVALID_STATE');
      expect((await caught(() => r.startRollout('m', { candidate: 1 }))).code).toBe('INVALID_STATE');
      expect((await caught(() => r.startRollout('m', { candidate: 9 }))).code).toBe('NOT_FOUND');
      const bad = await caught(() => r.startRollout('m', { candidate: 2, steps: [0.5, 0.2] }));
      expect(bad.code).toBe('INVALID_STATE');
      const badInput = await caught(() => r.startRollout('m', { candidate: 2, weight: 2 }));
      expect(badInput).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
      expect(badInput.message).toContain('weight');
      await r.startRollout('m', { candidate: 2 });
      expect((await caught(() => r.startRollout('m', { candidate: 3 }))).code).toBe('INVALID_STATE');
      const stale = await caught(() => r.rampRollout('m', { expect: 1 }));
      expect(stale.code).toBe('CONFLICT');
      expect((await r.getRollout('m'))!.revision).toBe(2);
      expect((await caught(() => r.deleteAlias('m', 'production', { force: true }))).code).toBe('INVALID_STATE');
    });

    it('a fence refuses a deposed writer (FENCED) and the controller state moves with the deployment', async () => {
      const r = ctx.registry();
      for (let i = 1; i <= 2; i++) await r.register('m', testBytes(100, i));
      await r.deploy('m', 1, { fence: { epoch: 1, holder: 'a' }, state: { phase: 'idle' } });
      await r.startRollout('m', { candidate: 2 }, { fence: { epoch: 1, holder: 'a' }, state: { phase: 'canary' } });
      // b takes over: a fence-only write, no history entry
      const fenced = await r.updateRolloutState('m', { fence: { epoch: 2, holder: 'b' } });
      expect(fenced.fence).toEqual({ epoch: 2, holder: 'b' });
      expect(fenced.state).toEqual({ phase: 'canary' });
      expect(fenced.history).toHaveLength(2);
      const late = await caught(() =>
        r.promoteCandidate('m', { fence: { epoch: 1, holder: 'a' }, state: { phase: 'done' } }),
      );
      expect(late).toMatchObject({ name: 'RegistryError', code: 'FENCED' });
      const after = (await r.getRollout('m'))!;
      expect([after.production, after.candidate, after.state]).toEqual([1, 2, { phase: 'canary' }]);
      const ok = await r.promoteCandidate('m', { fence: { epoch: 2, holder: 'b' }, state: { phase: 'idle' } });
      expect([ok.production, ok.state, ok.history!.at(-1)!.epoch]).toEqual([2, { phase: 'idle' }, 2]);
    });

    it('alias moves of production and candidate on a model with a rollout are deployment writes', async () => {
      const r = ctx.registry();
      for (let i = 1; i <= 3; i++) await r.register('m', testBytes(100, i));
      await r.setAlias('m', 'production', 1, { force: true, reason: 'before rollouts' });
      await r.deploy('m', 1);
      await r.setAlias('m', 'candidate', 2);
      expect((await r.getRollout('m'))!).toMatchObject({
        production: 1,
        candidate: 2,
        weights: { production: 1, candidate: 0 },
      });
      expect((await caught(() => r.setAlias('m', 'production', 2))).code).toBe('FORBIDDEN');
      await r.setAlias('m', 'production', 2, { force: true, reason: 'promote by hand', expect: 1 });
      expect([(await r.getRollout('m'))!.production, (await r.getRollout('m'))!.candidate]).toEqual([2, undefined]);
      expect((await r.aliasHistory('m', 'production')).map((h) => [h.from, h.to])).toEqual([
        [null, 1],
        [1, 2],
      ]);
      await r.rollback('m', 'production', { reason: 'back' });
      expect(await r.getAlias('m', 'production')).toBe(1);
      expect((await r.getRollout('m'))!.production).toBe(1);
    });
  });
}
