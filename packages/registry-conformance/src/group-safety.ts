import { registryKeys } from '@modelship/core/registry';
import { describe, expect, it } from 'vitest';
import { caught, sameBytes, testBytes } from './bytes.js';
import type { SuiteContext } from './context.js';

const BAD_NAMES: unknown[] = [
  '../x',
  'a/b',
  '..',
  '.',
  '',
  'x'.repeat(129),
  'a\u0000b',
  '/abs',
  'a\\b',
  'a..b',
  ' x',
  'x y',
  '.hidden',
  42,
  null,
];

/** Groups: integrity, key safety, events, close and reopen, large artifacts. */
export function safetyGroups(ctx: SuiteContext): void {
  describe('integrity', () => {
    it('one flipped byte in a stored artifact is an INTEGRITY error naming the model and version', async () => {
      const r = ctx.registry();
      const v = await r.register('fraud', testBytes(4096, 7));
      const other = await r.register('fraud', testBytes(4096, 8));
      const s = ctx.harness().store;
      const key = registryKeys.blob(v.sha256);
      const stored = (await s.get(key))!;
      const flipped = stored.body.slice();
      flipped[1234]! ^= 0x01;
      await s.put(key, flipped);
      const fresh = ctx.registry({}, await ctx.harness().reopen());
      const err = await caught(() => fresh.load('fraud', 1));
      expect(err).toMatchObject({ name: 'RegistryError', code: 'INTEGRITY' });
      expect(err.message).toContain('"fraud"');
      expect(err.message).toContain('version 1');
      expect(err.details).toMatchObject({ name: 'fraud', version: 1 });
      expect((await fresh.load('fraud', other.version)).bytes.length).toBe(4096);
      const stream = await fresh.openArtifactStream('fraud', 1);
      expect(
        (
          await caught(async () => {
            for await (const _ of stream.stream) void _;
          })
        ).code,
      ).toBe('INTEGRITY');
      await s.put(key, stored.body.subarray(0, 100));
      expect((await caught(() => ctx.registry({ cacheBytes: 0 }).load('fraud', 1))).code).toBe('INTEGRITY');
      await s.delete(key);
      expect((await caught(() => ctx.registry({ cacheBytes: 0 }).load('fraud', 1))).code).toBe('INTEGRITY');
      await ctx.registry().register('fraud', testBytes(4096, 7));
      expect(sameBytes((await ctx.registry({ cacheBytes: 0 }).load('fraud', 1)).bytes, testBytes(4096, 7))).toBe(true);
    });
  });

  describe('key safety', () => {
    it('rejects bad model, alias and dataset names with INVALID_NAME naming the field, writing nothing', async () => {
      const r = ctx.registry();
      await r.register('ok', testBytes(10, 1));
      const s = ctx.harness().store;
      const before = await s.list('');
      const calls: Array<[string, (bad: never) => Promise<unknown>]> = [
        ['name', (bad) => r.register(bad, testBytes(10, 2))],
        ['name', (bad) => r.load(bad, 1)],
        ['alias', (bad) => r.setAlias('ok', bad, 1, { force: true })],
        ['alias', (bad) => r.aliasHistory('ok', bad)],
        ['dataset', (bad) => r.registerDataset(bad, { fingerprint: 'f', rowCount: 1 })],
        ['name', (bad) => r.setRollout(bad, { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' })],
      ];
      for (const bad of BAD_NAMES) {
        for (const [field, call] of calls) {
          const err = await caught(() => call(bad as never));
          expect(err.code, `${field} ${JSON.stringify(bad)}`).toBe('INVALID_NAME');
          expect(err.message).toContain(`${field}:`);
        }
      }
      for (const key of [
        '../x',
        'a/../../x',
        '/etc/passwd',
        'a//b',
        'a/./b',
        '.lock',
        'a\u0000b',
        'x'.repeat(2000),
        '',
        'a/b/',
      ]) {
        expect((await caught(() => s.put(key, new Uint8Array([1])))).code, JSON.stringify(key)).toBe('INVALID_NAME');
        expect((await caught(() => s.get(key))).code).toBe('INVALID_NAME');
      }
      expect((await caught(() => s.list('../'))).code).toBe('INVALID_NAME');
      expect(await s.list('')).toEqual(before);
      expect(await ctx.harness().outsideWrites?.()).toEqual(ctx.harness().outsideWrites ? [] : undefined);
    });
  });

  describe('events', () => {
    it('emits typed events after the durable write, never on failure; a throwing listener breaks nothing', async () => {
      const r = ctx.registry();
      const s = ctx.harness().store;
      const seen: string[] = [];
      const durable: Promise<string | undefined>[] = [];
      r.on('versionRegistered', (e) => {
        seen.push(`version:${e.version.version}`);
        durable.push(s.head(registryKeys.version(e.version.name, e.version.version)));
      });
      r.on('versionRegistered', () => {
        throw new Error('listener bug');
      });
      r.on('aliasMoved', (e) => {
        seen.push(`alias:${e.alias}:${e.from}->${e.to}:${e.entry?.reason}`);
        // once the model has a rollout, production and candidate live in the rollout record
        durable.push(
          s.head(e.alias === 'staging' ? registryKeys.alias(e.name, e.alias) : registryKeys.rollout(e.name)),
        );
      });
      r.on('rolloutChanged', (e) => seen.push(`rollout:${e.rollout.revision}`));
      r.on('datasetRegistered', (e) => seen.push(`dataset:${e.dataset.label}`));
      let once = 0;
      r.once('versionRegistered', () => once++);
      await r.registerDataset('d', { fingerprint: 'f', rowCount: 3 });
      await r.register('m', testBytes(10, 1));
      await r.register('m', testBytes(10, 2));
      await r.setAlias('m', 'staging', 1, { reason: 'first' });
      await r.setAlias('m', 'staging', 2, { reason: 'try' });
      await caught(() => r.setAlias('m', 'staging', 1, { expect: 1 }));
      await caught(() => r.setAlias('m', 'staging', 3));
      await caught(() => r.setAlias('m', 'production', 1));
      await r.setRollout('m', {
        production: 1,
        candidate: 2,
        weights: { production: 0.9, candidate: 0.1 },
        mode: 'split',
        salt: 'a',
      });
      await caught(() => r.setRollout('m', { production: 1, weights: { production: 0.5 }, mode: 'split', salt: 'a' }));
      await r.rollback('m', 'staging', { reason: 'bad' });
      await r.setAlias('m', 'candidate', 1, { reason: 'swap' }).catch(() => undefined); // 1 is production: refused
      await r.deleteAlias('m', 'candidate', { reason: 'abort' });
      expect(seen).toEqual([
        'dataset:V1',
        'version:1',
        'version:2',
        'alias:staging:null->1:first',
        'alias:staging:1->2:try',
        'rollout:1',
        'alias:staging:2->1:bad',
        'rollout:2',
        'alias:candidate:2->null:abort',
      ]);
      expect(once).toBe(1);
      for (const d of await Promise.all(durable)) expect(d).toBeDefined();
    });
  });

  describe('close and reopen', () => {
    it('everything survives a reopen; a closed registry refuses work with CLOSED', async () => {
      const r = ctx.registry({ closeStore: true }, await ctx.harness().reopen());
      await r.registerDataset('d', { fingerprint: 'f', rowCount: 3 });
      const v = await r.register('m', testBytes(300, 1), { metrics: { acc: 0.9 }, dataset: { name: 'd', version: 1 } });
      await r.setAlias('m', 'production', 1, { force: true, reason: 'go' });
      await r.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 'z' });
      const w = r.watch('m', { intervalMs: 10 });
      await r.close();
      await r.close();
      expect((await caught(() => r.register('m', testBytes(1, 1)))).code).toBe('CLOSED');
      expect((await caught(() => r.load('m', 1))).code).toBe('CLOSED');
      expect(() => r.watch('m')).toThrow(/closed/);
      expect(w.listenerCount('aliasMoved')).toBe(0);
      const again = ctx.registry({}, await ctx.harness().reopen());
      expect(await again.getVersion('m', 1)).toEqual(v);
      expect(sameBytes((await again.load('m', 'production')).bytes, testBytes(300, 1))).toBe(true);
      expect((await again.aliasHistory('m', 'production'))[0]).toMatchObject({ to: 1, reason: 'go' });
      expect((await again.getRollout('m'))?.salt).toBe('z');
      expect((await again.datasetOf('m', 1))?.label).toBe('V1');
      expect((await again.register('m', testBytes(5, 5))).version).toBe(2);
    });
  });

  describe('large artifacts', () => {
    it('registers, loads and streams a large artifact intact', async () => {
      const size = ctx.options.largeArtifactBytes ?? 24 * 1024 * 1024;
      const big = testBytes(size, 99);
      const r = ctx.registry({ cacheBytes: 0 });
      const v = await r.register('big', big);
      expect(v.size).toBe(size);
      const fresh = ctx.registry({ cacheBytes: 0 }, await ctx.harness().reopen());
      expect(sameBytes((await fresh.load('big', 1)).bytes, big)).toBe(true);
      const { stream } = await fresh.openArtifactStream('big', 1);
      let n = 0;
      let ok = true;
      for await (const c of stream) {
        ok &&= sameBytes(c, big.subarray(n, n + c.length));
        n += c.length;
      }
      expect([n, ok]).toEqual([size, true]);
    });
  });
}
