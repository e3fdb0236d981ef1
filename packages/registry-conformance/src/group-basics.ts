import { registryKeys } from '@modelship/core/registry';
import type { ModelVersion } from '@modelship/core';
import { describe, expect, it } from 'vitest';
import { caught, sameBytes, testBytes } from './bytes.js';
import type { SuiteContext } from './context.js';

/** Groups: round trip, immutability, concurrency. */
export function basicGroups(ctx: SuiteContext): void {
  describe('round trip', () => {
    it('store: put, get, head, list, delete with etags', async () => {
      const s = ctx.harness().store;
      const e1 = await s.put('t/a.json', new Uint8Array([1, 2, 3]));
      const got = await s.get('t/a.json');
      expect(got && [...got.body]).toEqual([1, 2, 3]);
      expect(got?.etag).toBe(e1);
      expect(await s.head('t/a.json')).toBe(e1);
      const e2 = await s.put('t/a.json', new Uint8Array([4]));
      expect(e2).not.toBe(e1);
      await s.put('t/b/c.json', new Uint8Array([5]));
      await s.put('u/x', new Uint8Array([6]));
      expect(await s.list('t/')).toEqual(['t/a.json', 't/b/c.json']);
      expect(await s.list('t/b')).toEqual(['t/b/c.json']);
      expect(await s.delete('t/a.json')).toBe(true);
      expect(await s.get('t/a.json')).toBeUndefined();
      expect(await s.head('t/a.json')).toBeUndefined();
      expect(await s.delete('t/a.json')).toBe(false);
      expect(await s.list('t/')).toEqual(['t/b/c.json']);
      expect(await s.list('nothing/')).toEqual([]);
    });

    it('registers versions with their metadata and loads the exact bytes', async () => {
      const r = ctx.registry({ actor: 'alice' });
      const a = testBytes(5000, 1);
      const v1 = await r.register('house-prices', a, {
        metrics: { rmse: 3.5, r2: 0.91 },
        params: { learner: 'gbdt', depth: 6 },
        tags: { team: 'pricing', stage: 'dev' },
        fingerprint: 'fp-1',
        description: 'first',
      });
      expect(v1).toMatchObject({
        name: 'house-prices',
        version: 1,
        size: 5000,
        createdBy: 'alice',
        fingerprint: 'fp-1',
        description: 'first',
      });
      expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(v1.metrics).toEqual({ rmse: 3.5, r2: 0.91 });
      const v2 = await r.register('house-prices', testBytes(10, 2), { actor: 'bob' });
      expect(v2.version).toBe(2);
      expect(v2.createdBy).toBe('bob');
      const loaded = await r.load('house-prices', 1);
      expect(sameBytes(loaded.bytes, a)).toBe(true);
      expect(loaded.version).toEqual(v1);
      expect((await r.listVersions('house-prices')).map((v) => v.version)).toEqual([1, 2]);
      expect(await r.listModels()).toEqual(['house-prices']);
      expect(await r.getVersion('house-prices', 2)).toEqual(v2);
      expect((await caught(() => r.getVersion('house-prices', 3))).code).toBe('NOT_FOUND');
      expect((await caught(() => r.load('nope', 1))).code).toBe('NOT_FOUND');
    });

    it('datasets: versions V1, V2… and lineage both ways; search by tag, metric and time', async () => {
      let t = 1_000;
      const r = ctx.registry({ clock: () => t });
      const d1 = await r.registerDataset('bangalore', {
        fingerprint: 'f1',
        rowCount: 100,
        schema: { cols: ['sqft'] },
        location: 'data/b.csv',
      });
      const d2 = await r.registerDataset('bangalore', { fingerprint: 'f2', rowCount: 120 });
      expect([d1.label, d2.label]).toEqual(['V1', 'V2']);
      expect((await r.registerDataset('bangalore', { fingerprint: 'f1', rowCount: 100 })).version).toBe(1);
      expect(await r.getDataset('bangalore', 'V2')).toEqual(d2);
      t = 2_000;
      const m1 = await r.register('m', testBytes(10, 1), {
        dataset: { name: 'bangalore', version: 1 },
        metrics: { r2: 0.8 },
        tags: { kind: 'linear' },
      });
      t = 3_000;
      const m2 = await r.register('m', testBytes(10, 2), {
        dataset: { name: 'bangalore', version: 2 },
        metrics: { r2: 0.9 },
        tags: { kind: 'tree' },
      });
      await r.register('other', testBytes(10, 3), {
        dataset: { name: 'bangalore', version: 2 },
        modelTags: { domain: 'housing' },
      });
      expect((await r.modelsTrainedOn('bangalore', 2)).map((v) => `${v.name}@${v.version}`)).toEqual([
        'm@2',
        'other@1',
      ]);
      expect(await r.datasetOf('m', 1)).toEqual(d1);
      expect(
        (await caught(() => r.register('m', testBytes(1, 1), { dataset: { name: 'bangalore', version: 9 } }))).code,
      ).toBe('NOT_FOUND');
      const ids = (vs: ModelVersion[]) => vs.map((v) => `${v.name}@${v.version}`);
      expect(ids(await r.searchVersions({ name: 'm', tags: { kind: 'tree' } }))).toEqual(['m@2']);
      expect(ids(await r.searchVersions({ metrics: [{ name: 'r2', gte: 0.85 }] }))).toEqual(['m@2']);
      expect(ids(await r.searchVersions({ name: 'm', createdBefore: 2_500 }))).toEqual(['m@1']);
      expect(ids(await r.searchVersions({ createdAfter: 2_500 }))).toEqual(['m@2', 'other@1']);
      expect(ids(await r.searchVersions({ name: 'm' }))).toEqual([m1, m2].map((v) => `m@${v.version}`));
      expect((await r.searchModels({ tags: { domain: 'housing' } })).map((m) => m.name)).toEqual(['other']);
      await r.tagModel('m', { domain: 'housing' });
      expect((await r.searchModels({ tags: { domain: true } })).map((m) => m.name)).toEqual(['m', 'other']);
    });
  });

  describe('immutability', () => {
    it('a version record cannot be created twice, and later registrations never change earlier ones', async () => {
      const r = ctx.registry();
      const v1 = await r.register('m', testBytes(100, 1), { metrics: { a: 1 } });
      const s = ctx.harness().store;
      const key = registryKeys.version('m', 1);
      const before = await s.get(key);
      expect((await caught(() => s.put(key, new Uint8Array([1]), { ifNoneMatch: '*' }))).code).toBe('CONFLICT');
      await r.register('m', testBytes(100, 1), { metrics: { a: 2 } });
      await r.register('m', testBytes(100, 3));
      const after = await s.get(key);
      expect(after && sameBytes(after.body, before!.body)).toBe(true);
      expect(after?.etag).toBe(before?.etag);
      expect(await r.getVersion('m', 1)).toEqual(v1);
      const v2 = await r.getVersion('m', 2);
      expect(v2.sha256).toBe(v1.sha256); // same bytes: a new version, one content-addressed blob
      expect(v2.metrics).toEqual({ a: 2 });
      expect((await s.list('blobs/')).length).toBe(2);
    });

    it('ifMatch with a stale etag and ifMatch on an absent key are CONFLICT', async () => {
      const s = ctx.harness().store;
      const e1 = await s.put('k/x', new Uint8Array([1]), { ifNoneMatch: '*' });
      const e2 = await s.put('k/x', new Uint8Array([2]), { ifMatch: e1 });
      expect((await caught(() => s.put('k/x', new Uint8Array([3]), { ifMatch: e1 }))).code).toBe('CONFLICT');
      expect((await caught(() => s.put('k/absent', new Uint8Array([3]), { ifMatch: e2 }))).code).toBe('CONFLICT');
      expect((await caught(() => s.delete('k/x', { ifMatch: e1 }))).code).toBe('CONFLICT');
      expect([...(await s.get('k/x'))!.body]).toEqual([2]);
      expect(await s.delete('k/x', { ifMatch: e2 })).toBe(true);
      // An etag read before quick same-size writes never matches the value after them (a file
      // system store must not hand out inode-size-mtime etags that a reused inode can repeat).
      for (let i = 0; i < 10; i++) {
        const stale = await s.put('k/y', new Uint8Array([1, i]));
        await s.put('k/y', new Uint8Array([2, i]));
        await s.put('k/y', new Uint8Array([3, i]));
        expect((await caught(() => s.put('k/y', new Uint8Array([9, i]), { ifMatch: stale }))).code, `round ${i}`).toBe(
          'CONFLICT',
        );
      }
      expect([...(await s.get('k/y'))!.body]).toEqual([3, 9]);
    });
  });

  describe('concurrency', () => {
    it('concurrent registrations through separate store instances get versions 1…N, each artifact intact', async () => {
      const n = ctx.options.concurrency ?? 16;
      const regs = await Promise.all(
        Array.from({ length: n }, async () => ctx.registry({}, await ctx.harness().reopen())),
      );
      const results = await Promise.all(
        regs.map((r, i) => r.register('race', testBytes(2000 + i, 100 + i), { tags: { worker: String(i) } })),
      );
      expect(results.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const r = ctx.registry();
      for (const v of await r.listVersions('race')) {
        const i = Number(v.tags.worker);
        expect(sameBytes((await r.load('race', v.version)).bytes, testBytes(2000 + i, 100 + i))).toBe(true);
      }
    });

    it('store: of N racing ifMatch writes with the same etag exactly one wins', async () => {
      const s = ctx.harness().store;
      const e = await s.put('race/k', new Uint8Array([0]));
      const stores = await Promise.all(Array.from({ length: 8 }, () => ctx.harness().reopen()));
      const res = await Promise.allSettled(
        stores.map((st, i) => st.put('race/k', new Uint8Array([i + 1]), { ifMatch: e })),
      );
      expect(res.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      for (const x of res) if (x.status === 'rejected') expect((x.reason as { code: string }).code).toBe('CONFLICT');
      const created = await Promise.allSettled(
        stores.map((st, i) => st.put('race/new', new Uint8Array([i]), { ifNoneMatch: '*' })),
      );
      expect(created.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    });

    it('of racing alias moves with the same expect exactly one wins; the others get CONFLICT', async () => {
      const r = ctx.registry();
      for (let i = 0; i < 3; i++) await r.register('m', testBytes(10, i));
      await r.setAlias('m', 'staging', 1, { expect: null });
      const regs = await Promise.all(
        Array.from({ length: 6 }, async () => ctx.registry({}, await ctx.harness().reopen())),
      );
      const res = await Promise.allSettled(
        regs.map((x, i) => x.setAlias('m', 'staging', 2 + (i % 2), { expect: 1, reason: `w${i}` })),
      );
      const won = res.filter((x) => x.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const x of res) if (x.status === 'rejected') expect((x.reason as { code: string }).code).toBe('CONFLICT');
      const hist = await r.aliasHistory('m', 'staging');
      expect(hist).toHaveLength(2);
      expect(await r.getAlias('m', 'staging')).toBe(hist[1]!.to);
    });
  });
}
