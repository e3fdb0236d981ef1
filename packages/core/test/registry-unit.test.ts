import { describe, expect, it } from 'vitest';
import { assertSafeKey } from '../src/store/index.js';
import { createRegistry, MemoryStore } from '../src/index.js';
import { registryNameSchema, validateName } from '../src/registry/index.js';
import { rolloutSchema } from '../src/rollout/index.js';
import { effectiveStack, rollbackTarget, targetAt } from '../src/registry/alias-history.js';
import type { AliasHistoryEntry } from '../src/registry/records.js';

function thrown(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { name: string; code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('registry names and keys', () => {
  it('accepts ordinary names and rejects path tricks, naming the field', () => {
    for (const ok of ['iris', 'house-prices_v2', 'a.b', 'X1', 'x'.repeat(128)])
      expect(registryNameSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['../x', 'a/b', '..', '.', '', 'x'.repeat(129), 'a\u0000b', 'a..b', '-x', 'a b', 'é']) {
      const e = thrown(() => validateName(bad, 'alias', 'registry.setAlias'));
      expect(e, JSON.stringify(bad)).toMatchObject({ name: 'RegistryError', code: 'INVALID_NAME' });
      expect(e.message).toMatch(/^registry\.setAlias: alias: /);
    }
  });

  it('store keys: safe segments only', () => {
    expect(() => assertSafeKey('models/iris/versions/000000001.json')).not.toThrow();
    for (const bad of [
      '',
      '/a',
      'a/',
      'a//b',
      '../a',
      'a/../b',
      'a/./b',
      '.tmp',
      'a/.lock-x',
      'a\\b',
      'a\u0000',
      'x'.repeat(1025),
    ]) {
      expect(thrown(() => assertSafeKey(bad)).code, JSON.stringify(bad)).toBe('INVALID_NAME');
    }
  });
});

describe('rollout schema', () => {
  const base = { production: 1, candidate: 2, weights: { production: 0.8, candidate: 0.2 }, mode: 'split', salt: 's' };
  it('accepts split, shadow and ramp rollouts and a production-only one', () => {
    expect(rolloutSchema.safeParse(base).success).toBe(true);
    expect(
      rolloutSchema.safeParse({ production: 3, weights: { production: 1 }, mode: 'split', salt: 's' }).success,
    ).toBe(true);
    expect(rolloutSchema.safeParse({ ...base, mode: 'shadow', weights: { production: 1, candidate: 0 } }).success).toBe(
      true,
    );
    expect(
      rolloutSchema.safeParse({
        ...base,
        mode: 'ramp',
        weights: { production: 0.9, candidate: 0.1 },
        ramp: { steps: [0.05, 0.1, 0.2, 0.5], stepIndex: 1, intervalMs: 60_000 },
      }).success,
    ).toBe(true);
  });
  it('rejects inconsistent rollouts with the path of the bad field', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...base, weights: { production: 0.8, candidate: 0.3 } }, 'weights'],
      [{ ...base, mode: 'shadow' }, 'weights.production'],
      [{ ...base, mode: 'ramp' }, 'ramp'],
      [{ ...base, mode: 'ramp', ramp: { steps: [0.2, 0.1], stepIndex: 0 } }, 'ramp.steps.1'],
      [{ ...base, mode: 'ramp', ramp: { steps: [0.1, 0.2], stepIndex: 0 } }, 'weights.candidate'],
      [{ ...base, production: 0 }, 'production'],
      [{ ...base, salt: '' }, 'salt'],
      [{ ...base, extra: 1 }, ''],
      [{ production: 1, weights: { production: 1 }, mode: 'shadow', salt: 's' }, 'candidate'],
    ];
    for (const [value, path] of cases) {
      const r = rolloutSchema.safeParse(value);
      expect(r.success, JSON.stringify(value)).toBe(false);
      expect(
        r.error!.issues.map((i) => i.path.join('.')),
        JSON.stringify(value),
      ).toContain(path);
    }
  });
});

describe('alias history', () => {
  const e = (
    seq: number,
    action: AliasHistoryEntry['action'],
    from: number | null,
    to: number | null,
    at: number,
  ): AliasHistoryEntry => ({
    seq,
    action,
    from,
    to,
    at,
    actor: 'a',
    id: String(seq),
  });
  const h = [
    e(1, 'set', null, 1, 10),
    e(2, 'set', 1, 2, 20),
    e(3, 'set', 2, 3, 30),
    e(4, 'rollback', 3, 2, 40),
    e(5, 'set', 2, 4, 50),
  ];
  it('answers the target at any time', () => {
    expect([5, 10, 15, 20, 35, 40, 49, 50, 99].map((t) => targetAt(h, t))).toEqual([undefined, 1, 1, 2, 3, 2, 2, 4, 4]);
  });
  it('rollback follows the stack of effective targets', () => {
    expect(effectiveStack(h)).toEqual([1, 2, 4]);
    expect(rollbackTarget(h)).toBe(2);
    expect(rollbackTarget(h.slice(0, 1))).toBeUndefined();
  });
});

describe('createRegistry options and inputs', () => {
  it('rejects bad options naming the field', () => {
    expect(thrown(() => createRegistry({ store: {} as never })).message).toMatch(/store/);
    expect(thrown(() => createRegistry({ store: new MemoryStore(), cacheBytes: -1 })).message).toMatch(/cacheBytes/);
    expect(thrown(() => createRegistry({ store: new MemoryStore(), protectedAliases: ['../x'] })).code).toBe(
      'INVALID_NAME',
    );
  });
  it('rejects bad metadata naming the field and writes nothing', async () => {
    const store = new MemoryStore();
    const r = createRegistry({ store });
    const bytes = new Uint8Array([1, 2, 3]);
    for (const [meta, field] of [
      [{ metrics: { rmse: Number.NaN } }, 'metrics.rmse'],
      [{ tags: { team: 7 } }, 'tags.team'],
      [{ unknownField: 1 }, 'unknownField'],
      [{ dataset: { name: 'd', version: 0 } }, 'dataset.version'],
    ] as const) {
      const err = await r.register('m', bytes, meta as never).catch((x: unknown) => x as Error & { code: string });
      expect(err).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
      expect((err as Error).message).toContain(field);
    }
    expect(await store.list('')).toEqual([]);
  });
  it('a listener that throws is logged and does not break the operation', async () => {
    const logged: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (o: unknown) => logged.push(o) };
    const r = createRegistry({ store: new MemoryStore(), logger });
    r.on('versionRegistered', () => {
      throw new Error('boom');
    });
    expect((await r.register('m', new Uint8Array([1]))).version).toBe(1);
    expect(logged).toHaveLength(1);
  });
});
