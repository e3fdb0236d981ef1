import type { AliasMovedEvent, RolloutChangedEvent } from '@modelship/core/registry';
import type { Rollout } from '@modelship/core';
import { describe, expect, it } from 'vitest';
import { caught, manualClock, sameBytes, testBytes } from './bytes.js';
import type { SuiteContext } from './context.js';

async function threeVersions(ctx: SuiteContext, opts: Parameters<SuiteContext['registry']>[0] = {}) {
  const r = ctx.registry(opts);
  for (let i = 1; i <= 3; i++) await r.register('m', testBytes(100 * i, i));
  return r;
}

/** Groups: aliases and compare-and-set, history and rollback, rollout. */
export function aliasGroups(ctx: SuiteContext): void {
  describe('aliases and compare-and-set', () => {
    it('sets, moves and deletes aliases by compare-and-set; a wrong expect changes nothing', async () => {
      const r = await threeVersions(ctx);
      await r.setAlias('m', 'candidate', 1, { expect: null });
      expect(await r.getAlias('m', 'candidate')).toBe(1);
      const err = await caught(() => r.setAlias('m', 'candidate', 3, { expect: 2 }));
      expect(err).toMatchObject({ name: 'RegistryError', code: 'CONFLICT' });
      expect(err.details).toMatchObject({ expected: 2, actual: 1 });
      expect(await r.getAlias('m', 'candidate')).toBe(1);
      expect((await caught(() => r.setAlias('m', 'candidate', 3, { expect: null }))).code).toBe('CONFLICT');
      await r.setAlias('m', 'candidate', 2, { expect: 1 });
      await r.setAlias('m', 'staging', 3);
      expect(await r.listAliases('m')).toEqual({ candidate: 2, staging: 3 });
      expect(sameBytes((await r.load('m', 'candidate')).bytes, testBytes(200, 2))).toBe(true);
      expect((await r.load('m', '3')).version.version).toBe(3);
      expect((await caught(() => r.deleteAlias('m', 'candidate', { expect: 1 }))).code).toBe('CONFLICT');
      await r.deleteAlias('m', 'candidate', { expect: 2 });
      expect(await r.getAlias('m', 'candidate')).toBeUndefined();
      expect(await r.listAliases('m')).toEqual({ staging: 3 });
      expect((await caught(() => r.deleteAlias('m', 'candidate'))).code).toBe('NOT_FOUND');
      expect((await caught(() => r.load('m', 'candidate'))).code).toBe('NOT_FOUND');
      expect((await caught(() => r.setAlias('m', 'staging', 7))).code).toBe('NOT_FOUND');
      expect(await r.getAlias('m', 'staging')).toBe(3);
    });

    it('bad move and rollout options are INVALID_INPUT naming the field, and write nothing', async () => {
      const r = await threeVersions(ctx);
      await r.setAlias('m', 'candidate', 1);
      await r.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
      const s = ctx.harness().store;
      const state = async (): Promise<string[]> =>
        Promise.all((await s.list('')).map(async (k) => `${k}@${await s.head(k)}`));
      const before = await state();
      const bad: Array<[string, () => Promise<unknown>]> = [
        ['expect', () => r.setAlias('m', 'candidate', 2, { expect: 'one' as never })],
        ['force', () => r.setAlias('m', 'production', 2, { force: 'yes' as never })],
        ['reason', () => r.rollback('m', 'candidate', { reason: 7 as never })],
        ['actor', () => r.deleteAlias('m', 'candidate', { actor: '' })],
        [
          'expect',
          () =>
            r.setRollout('m', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' }, { expect: 0 }),
        ],
      ];
      for (const [field, call] of bad) {
        const err = await caught(call);
        expect(err, field).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
        expect(err.message).toContain(field);
      }
      expect(await state()).toEqual(before);
    });

    it('protected aliases need force or the authorizer', async () => {
      const r = await threeVersions(ctx);
      expect((await caught(() => r.setAlias('m', 'production', 1))).code).toBe('FORBIDDEN');
      expect(await r.getAlias('m', 'production')).toBeUndefined();
      const e = await r.setAlias('m', 'production', 1, { force: true, reason: 'launch' });
      expect(e.forced).toBe(true);
      const asked: string[] = [];
      const guarded = ctx.registry({
        protectedAliases: ['production', 'gold'],
        authorizer: (req) => {
          asked.push(`${req.operation}:${req.alias}:${req.from}->${req.to}:${req.actor}`);
          return req.actor === 'release-bot';
        },
      });
      expect((await caught(() => guarded.setAlias('m', 'gold', 2, { actor: 'mallory' }))).code).toBe('FORBIDDEN');
      await guarded.setAlias('m', 'gold', 2, { actor: 'release-bot' });
      await guarded.setAlias('m', 'production', 2, { actor: 'release-bot', expect: 1 });
      expect(asked).toEqual([
        'setAlias:gold:null->2:mallory',
        'setAlias:gold:null->2:release-bot',
        'setAlias:production:1->2:release-bot',
      ]);
      expect((await caught(() => guarded.deleteAlias('m', 'production', { actor: 'mallory' }))).code).toBe('FORBIDDEN');
      expect(await r.getAlias('m', 'production')).toBe(2);
    });
  });

  describe('history and rollback', () => {
    it('production 1 → 2 → 3 then rollback: aliasAt answers for every interval; history says who, when, why', async () => {
      const clock = manualClock(1_000_000);
      const r = await threeVersions(ctx, { clock: clock.now, actor: 'ci' });
      const t0 = clock.now();
      const t1 = clock.advance(1000);
      await r.setAlias('m', 'production', 1, { expect: null, force: true, reason: 'first release', actor: 'alice' });
      const t2 = clock.advance(1000);
      await r.setAlias('m', 'production', 2, { expect: 1, force: true, reason: 'better rmse' });
      const t3 = clock.advance(1000);
      await r.setAlias('m', 'production', 3, { expect: 2, force: true, reason: 'retrained', actor: 'bob' });
      const t4 = clock.advance(1000);
      await r.rollback('m', 'production', { reason: 'latency regression', actor: 'controller' });
      expect(await r.getAlias('m', 'production')).toBe(2);
      const cases: Array<[number, number | undefined]> = [
        [t0, undefined],
        [t1 - 1, undefined],
        [t1, 1],
        [t1 + 500, 1],
        [t2 - 1, 1],
        [t2, 2],
        [t2 + 500, 2],
        [t3, 3],
        [t3 + 999, 3],
        [t4, 2],
        [t4 + 10_000, 2],
      ];
      for (const [t, want] of cases) expect(await r.aliasAt('m', 'production', t), `at ${t - t0}`).toBe(want);
      expect(await r.aliasAt('m', 'production', new Date(t3 + 1))).toBe(3);
      const h = await r.aliasHistory('m', 'production');
      expect(
        h.map(({ seq, action, from, to, at, actor, reason }) => ({ seq, action, from, to, at, actor, reason })),
      ).toEqual([
        { seq: 1, action: 'set', from: null, to: 1, at: t1, actor: 'alice', reason: 'first release' },
        { seq: 2, action: 'set', from: 1, to: 2, at: t2, actor: 'ci', reason: 'better rmse' },
        { seq: 3, action: 'set', from: 2, to: 3, at: t3, actor: 'bob', reason: 'retrained' },
        { seq: 4, action: 'rollback', from: 3, to: 2, at: t4, actor: 'controller', reason: 'latency regression' },
      ]);
      await r.rollback('m', 'production', { reason: 'again' });
      expect(await r.getAlias('m', 'production')).toBe(1);
      expect((await caught(() => r.rollback('m', 'production'))).code).toBe('NOT_FOUND');
      expect((await caught(() => r.rollback('m', 'never-set'))).code).toBe('NOT_FOUND');
      expect(await r.aliasHistory('m', 'never-set')).toEqual([]);
    });
  });

  describe('rollout', () => {
    const rollout = (over: Partial<Rollout> = {}): Rollout => ({
      production: 1,
      candidate: 2,
      weights: { production: 0.8, candidate: 0.2 },
      mode: 'split',
      salt: 's1',
      ...over,
    });

    it('stores the rollout by compare-and-set on its revision, validated', async () => {
      const r = await threeVersions(ctx);
      expect(await r.getRollout('m')).toBeUndefined();
      const a = await r.setRollout('m', rollout(), { expect: null, actor: 'ctl', reason: 'start 80/20' });
      expect(a).toMatchObject({
        production: 1,
        candidate: 2,
        revision: 1,
        actor: 'ctl',
        reason: 'start 80/20',
        name: 'm',
      });
      expect(await r.getRollout('m')).toEqual(a);
      expect((await caught(() => r.setRollout('m', rollout({ salt: 'x' }), { expect: null }))).code).toBe('CONFLICT');
      const b = await r.setRollout(
        'm',
        rollout({
          mode: 'ramp',
          weights: { production: 0.9, candidate: 0.1 },
          ramp: { steps: [0.05, 0.1, 0.5], stepIndex: 1 },
        }),
        { expect: 1 },
      );
      expect(b.revision).toBe(2);
      await r.setRollout('m', rollout({ mode: 'shadow', candidate: 3, weights: { production: 1, candidate: 0 } }));
      expect((await r.getRollout('m'))?.revision).toBe(3);
      for (const bad of [
        rollout({ weights: { production: 0.5, candidate: 0.2 } }),
        rollout({ mode: 'shadow' }),
        rollout({ mode: 'ramp' }),
        { ...rollout(), mode: 'blue' },
        { ...rollout(), candidate: undefined },
      ]) {
        const err = await caught(() => r.setRollout('m', bad as Rollout));
        expect(err.code, JSON.stringify(bad)).toBe('INVALID_INPUT');
      }
      expect((await caught(() => r.setRollout('m', rollout({ candidate: 9 })))).code).toBe('NOT_FOUND');
      expect((await r.getRollout('m'))?.revision).toBe(3);
    });

    it('watch reports the current state, then alias and rollout changes, until closed', async () => {
      const r = await threeVersions(ctx);
      await r.setRollout('m', rollout());
      await r.setAlias('m', 'staging', 2);
      const other = ctx.registry({}, await ctx.harness().reopen());
      const w = other.watch('m', { intervalMs: 20 });
      const rollouts: RolloutChangedEvent[] = [];
      const moves: AliasMovedEvent[] = [];
      w.on('rolloutChanged', (e) => rollouts.push(e));
      w.on('aliasMoved', (e) => moves.push(e));
      await w.ready;
      expect(rollouts.map((e) => e.rollout.revision)).toEqual([1]);
      // production and candidate are views of the rollout record; staging is its own document
      expect(moves.map((e) => [e.alias, e.from, e.to])).toEqual([
        ['staging', null, 2],
        ['production', null, 1],
        ['candidate', null, 2],
      ]);
      expect(w.currentRollout?.revision).toBe(1);
      await r.setRollout('m', rollout({ weights: { production: 0.5, candidate: 0.5 } }), { expect: 1 });
      await r.setAlias('m', 'candidate', 3, { expect: 2 });
      // two writes in a row may reach a 20 ms poll as one change: wait for the last revision
      await until(() => w.currentRollout?.revision === 3 && moves.length === 4);
      expect(rollouts.at(-1)!.rollout).toMatchObject({ candidate: 3, weights: { production: 0.5, candidate: 0.5 } });
      expect(rollouts[1]!.previous?.revision).toBe(1);
      expect(moves[3]).toMatchObject({ alias: 'candidate', from: 2, to: 3 });
      w.close();
      // A closed watcher stops polling: move the alias again and wait (by event, not by a timer)
      // until a second, open watcher with the same interval has seen the move and polled twice
      // more; the closed one must still hold the state it had when closed. (Its listeners are
      // removed on close, so counting its events alone could not fail.)
      const probe = other.watch('m', { intervalMs: 20 });
      const seen: AliasMovedEvent[] = [];
      probe.on('aliasMoved', (e) => seen.push(e));
      await probe.ready;
      await r.setAlias('m', 'staging', 1);
      await until(() => seen.some((e) => e.alias === 'staging' && e.to === 1));
      for (let i = 0; i < 2; i++) await probe.poll();
      probe.close();
      expect(probe.currentAliases).toEqual({ staging: 1, production: 1, candidate: 3 });
      expect(w.currentAliases).toEqual({ staging: 2, production: 1, candidate: 3 });
      expect(moves).toHaveLength(4);
    });
  });
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((res) => setTimeout(res, 10));
  }
}
