import { describe, expect, it } from 'vitest';
import { createRegistry, MemoryStore, type Rollout, type Store } from '../src/index.js';
import type { StorePutOptions } from '../src/store/index.js';

/** Every key and etag of a store: to check that a failed call wrote nothing. */
async function snapshot(store: Store): Promise<string[]> {
  const out: string[] = [];
  for (const k of await store.list('')) out.push(`${k}@${await store.head(k)}`);
  return out;
}

async function caught(fn: () => Promise<unknown>): Promise<{ name: string; code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    return err as { name: string; code: string; message: string };
  }
  throw new Error('expected a rejection');
}

/**
 * A store whose next matching conditional put succeeds but whose answer is "lost": the caller
 * sees the `CONFLICT` a retried request would get (as with S3 when a response times out and the
 * SDK retries a conditional write that had in fact been applied).
 */
class LostResponseStore extends MemoryStore {
  loseNext: ((key: string) => boolean) | undefined;
  override async put(key: string, body: Uint8Array, options: StorePutOptions = {}): Promise<string> {
    const etag = await super.put(key, body, options);
    if (this.loseNext?.(key) && (options.ifMatch !== undefined || options.ifNoneMatch !== undefined)) {
      this.loseNext = undefined;
      return super.put(key, body, options); // the retry: precondition fails now → CONFLICT
    }
    return etag;
  }
}

const rollout = (production: number, candidate?: number): Rollout =>
  candidate === undefined
    ? { production, weights: { production: 1 }, mode: 'split', salt: 's' }
    : { production, candidate, weights: { production: 0.9, candidate: 0.1 }, mode: 'split', salt: 's' };

async function threeVersions(store: Store = new MemoryStore()) {
  const r = createRegistry({ store, actor: 'tester' });
  for (let i = 1; i <= 3; i++) await r.register('m', new Uint8Array([i]));
  return r;
}

describe('registry: bad input is rejected naming the field, and writes nothing', () => {
  it('alias move options', async () => {
    const r = await threeVersions();
    await r.setAlias('m', 'staging', 1);
    const before = await snapshot(r.store);
    for (const [options, field] of [
      [{ expect: 'two' }, 'expect'],
      [{ expect: 1.5 }, 'expect'],
      [{ force: 'yes' }, 'force'],
      [{ reason: 42 }, 'reason'],
      [{ actor: '' }, 'actor'],
      [{ expcet: 1 }, 'expcet'],
    ] as const) {
      for (const call of [
        () => r.setAlias('m', 'staging', 2, options as never),
        () => r.deleteAlias('m', 'staging', options as never),
        () => r.rollback('m', 'staging', options as never),
      ]) {
        const err = await caught(call);
        expect(err, JSON.stringify(options)).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
        expect(err.message).toContain(field);
      }
    }
    expect(await snapshot(r.store)).toEqual(before);
  });

  it('rollout options', async () => {
    const r = await threeVersions();
    await r.setRollout('m', rollout(1));
    const before = await snapshot(r.store);
    for (const [options, field] of [
      [{ expect: '1' }, 'expect'],
      [{ reason: {} }, 'reason'],
      [{ actor: 7 }, 'actor'],
      [{ force: true, extra: 1 }, 'extra'],
    ] as const) {
      const err = await caught(() => r.setRollout('m', rollout(2), options as never));
      expect(err, JSON.stringify(options)).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
      expect(err.message).toContain(field);
    }
    expect(await snapshot(r.store)).toEqual(before);
  });

  it('resolve, aliasAt, tagModel, searchVersions', async () => {
    const r = await threeVersions();
    const before = await snapshot(r.store);
    expect(await caught(() => r.resolve('m', 'production' as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('aliases'),
    });
    expect(await caught(() => r.resolve('m', ['../x']))).toMatchObject({
      code: 'INVALID_NAME',
      message: expect.stringContaining('alias'),
    });
    expect(await caught(() => r.resolve('m', [], { fallback: 3 as never }))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('fallback'),
    });
    expect(await caught(() => r.aliasAt('m', 'production', Number.NaN))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('time'),
    });
    expect(await caught(() => r.aliasAt('m', 'production', 'yesterday' as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('time'),
    });
    expect(await caught(() => r.tagModel('m', 'x' as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('tags'),
    });
    expect(await caught(() => r.tagModel('m', { team: 5 } as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('tags'),
    });
    expect(await caught(() => r.tagModel('../m', { a: 'b' }))).toMatchObject({ code: 'INVALID_NAME' });
    expect(await caught(() => r.searchVersions({ metrics: 'x' } as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('query'),
    });
    expect(await caught(() => r.resolveVersion('m', { v: 1 } as never))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('ref'),
    });
    expect(await snapshot(r.store)).toEqual(before);
  });
});

describe('registry: a write whose answer was lost is not applied twice', () => {
  it('setRollout without expect: one revision, one event', async () => {
    const store = new LostResponseStore();
    const r = await threeVersions(store);
    await r.setRollout('m', rollout(1));
    const events: number[] = [];
    r.on('rolloutChanged', (e) => events.push(e.rollout.revision));
    store.loseNext = (k) => k.endsWith('rollout.json');
    const rec = await r.setRollout('m', rollout(2));
    expect(rec.revision).toBe(2);
    expect((await r.getRollout('m'))?.revision).toBe(2);
    expect(events).toEqual([2]);
  });

  it('setRollout with expect: succeeds (it was applied), not CONFLICT', async () => {
    const store = new LostResponseStore();
    const r = await threeVersions(store);
    await r.setRollout('m', rollout(1));
    store.loseNext = (k) => k.endsWith('rollout.json');
    const rec = await r.setRollout('m', rollout(2), { expect: 1 });
    expect(rec).toMatchObject({ revision: 2, production: 2 });
  });

  it('setAlias: the recovered move still emits aliasMoved', async () => {
    const store = new LostResponseStore();
    const r = await threeVersions(store);
    const moves: Array<number | null> = [];
    r.on('aliasMoved', (e) => moves.push(e.to));
    store.loseNext = (k) => k.includes('/aliases/');
    await r.setAlias('m', 'staging', 2, { expect: null });
    expect(await r.getAlias('m', 'staging')).toBe(2);
    expect(moves).toEqual([2]);
  });
});

describe('registry watch', () => {
  it('overlapping polls report one change once', async () => {
    const r = await threeVersions();
    const w = r.watch('m', { intervalMs: 60_000 });
    await w.ready;
    const moves: Array<number | null> = [];
    const rollouts: number[] = [];
    w.on('aliasMoved', (e) => moves.push(e.to));
    w.on('rolloutChanged', (e) => rollouts.push(e.rollout.revision));
    await r.setAlias('m', 'candidate', 2);
    await r.setRollout('m', rollout(1, 2));
    await Promise.all([w.poll(), w.poll(), w.poll()]);
    w.close();
    // production (1) and candidate (2) are views of the rollout record: each reported once
    expect(moves).toEqual([1, 2]);
    expect(rollouts).toEqual([1]);
  });
});

describe('registry datasets', () => {
  it('two concurrent registrations of one fingerprint both answer the same dataset version', async () => {
    const store = new MemoryStore();
    const a = createRegistry({ store });
    const b = createRegistry({ store });
    const events: number[] = [];
    a.on('datasetRegistered', (e) => events.push(e.dataset.version));
    b.on('datasetRegistered', (e) => events.push(e.dataset.version));
    const [x, y] = await Promise.all([
      a.registerDataset('d', { fingerprint: 'f1', rowCount: 3 }),
      b.registerDataset('d', { fingerprint: 'f1', rowCount: 3 }),
    ]);
    expect(x.version).toBe(y.version);
    expect(events).toEqual([x.version]);
    expect((await a.registerDataset('d', { fingerprint: 'f1', rowCount: 3 })).version).toBe(x.version);
  });
});
