import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry, MemoryStore } from '../src/index.js';
import { registryKeys } from '../src/registry/index.js';
import { encodeArtifact } from '../src/artifact/codec.js';
import { createArtifact, type ModelArtifact } from '../src/artifact/model-artifact.js';

function artifact(accuracy: number): ModelArtifact {
  return createArtifact({
    task: 'classification',
    schema: { columns: { a: { type: 'numeric' } } },
    target: { name: 'label', kind: 'categorical', classes: ['no', 'yes'] },
    pipeline: { kind: 'test-pipeline' },
    learner: { kind: 'linear', params: { alpha: 0 }, state: { coef: Float64Array.of(0.1, 0.2) } },
    metrics: { accuracy, rocAuc: Number.NaN },
    params: { variant: 'shallow', seed: 42, weights: Float64Array.of(1, 2) },
    fingerprint: 'f'.repeat(64),
    dataset: { name: 'unit', rows: 10 },
    createdAt: '2026-11-23T12:00:00.000Z',
  });
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('registry with model artifacts', () => {
  it('register(artifact) records its metrics, params and fingerprint; loadArtifact decodes it', async () => {
    const r = createRegistry({ store: new MemoryStore() });
    const a = artifact(0.93);
    const v = await r.register('iris', a, { tags: { variant: 'shallow' } });
    expect(v.metrics).toEqual({ accuracy: 0.93 });
    expect(v.params).toEqual({ variant: 'shallow', seed: 42 });
    expect(v.fingerprint).toBe('f'.repeat(64));
    expect(v.size).toBe(encodeArtifact(a).length);
    const v2 = await r.register('iris', artifact(0.95), { metrics: { accuracy: 0.5 }, fingerprint: 'given' });
    expect([v2.metrics.accuracy, v2.fingerprint]).toEqual([0.5, 'given']);
    await r.setAlias('iris', 'production', 1, { force: true });
    const { version, artifact: back } = await r.loadArtifact('iris', 'production');
    expect(version.version).toBe(1);
    expect(back.metrics.accuracy).toBe(0.93);
    expect(back.learner.state).toEqual(a.learner.state);
  });

  it('loadArtifact of a corrupted blob is INTEGRITY naming model and version', async () => {
    const store = new MemoryStore();
    const r = createRegistry({ store });
    const v = await r.register('iris', artifact(0.9));
    const e = (await store.get(registryKeys.blob(v.sha256)))!;
    const b = e.body.slice();
    b[b.length - 40]! ^= 0xff;
    await store.put(registryKeys.blob(v.sha256), b);
    const fresh = createRegistry({ store });
    const err = (await fresh.loadArtifact('iris', 1).catch((x: unknown) => x)) as { code: string; message: string };
    expect(err).toMatchObject({ code: 'INTEGRITY' });
    expect(err.message).toMatch(/"iris" version 1/);
  });

  it('resolve: the first alias that loads, skipping corrupt or unset ones, else the fallback file', async () => {
    const store = new MemoryStore();
    const r = createRegistry({ store, cacheBytes: 0 });
    const v1 = await r.register('m', new Uint8Array([1, 1, 1]));
    const v2 = await r.register('m', new Uint8Array([2, 2, 2]));
    await r.setAlias('m', 'staging', 1);
    expect(await r.resolve('m', ['production', 'staging'])).toMatchObject({
      source: 'alias',
      alias: 'staging',
      version: v1,
    });
    await r.setAlias('m', 'production', 2, { force: true });
    expect((await r.resolve('m', ['production', 'staging'])).alias).toBe('production');
    await store.put(registryKeys.blob(v2.sha256), new Uint8Array([9, 9, 9]));
    expect((await r.resolve('m', ['production', 'staging'])).alias).toBe('staging');
    await store.put(registryKeys.blob(v1.sha256), new Uint8Array([9]));
    const dir = await mkdtemp(join(tmpdir(), 'modelship-resolve-'));
    dirs.push(dir);
    const file = join(dir, 'model.mship');
    await writeFile(file, new Uint8Array([7, 7]));
    const fb = await r.resolve('m', ['production', 'staging'], { fallback: file });
    expect(fb).toMatchObject({ source: 'fallback', path: file });
    expect([...fb.bytes]).toEqual([7, 7]);
    const err = (await r.resolve('m', ['production'], { fallback: join(dir, 'missing') }).catch((x: unknown) => x)) as {
      code: string;
      message: string;
    };
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/production: .*INTEGRITY|failed verification/);
  });
});
