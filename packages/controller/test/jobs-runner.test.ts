import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, isModelshipError, MemoryStore, type ModelRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { controllerKeys, getJson, putJson } from '../src/store-json.js';
import type { JobRecord, TrainingSpec } from '../src/types.js';
import { createEmbeddedJobRunner, type EmbeddedJobRecord, type EmbeddedJobRunner } from '../src/jobs/index.js';

const IRIS_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

function irisSpec(model = 'iris', columns = IRIS_COLUMNS): TrainingSpec {
  return {
    model,
    data: { kind: 'dataset', name: 'iris' },
    dataset: { name: 'iris' },
    task: 'classification',
    target: 'species',
    features: { features: columns.map((column) => ({ type: 'numeric', column })) },
    variants: { rf: { learner: 'forest-mljs', params: { nEstimators: 8 } }, logit: { learner: 'logistic' } },
    selectBy: 'accuracy',
    seed: 7,
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'modelship-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A spec that trains for a long time: a big ml-random-forest on a synthetic table. */
function slowSpec(): TrainingSpec {
  const path = join(tmp, 'slow.csv');
  const rows = ['a,b,c,d,y'];
  let s = 1;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 4000; i++) {
    const [a, b, c, d] = [rnd(), rnd(), rnd(), rnd()];
    rows.push([a, b, c, d, 3 * a - b + c * d + rnd()].map((x) => x.toFixed(5)).join(','));
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return {
    model: 'slow',
    data: { kind: 'csv', path },
    task: 'regression',
    target: 'y',
    features: { features: ['a', 'b', 'c', 'd'].map((column) => ({ type: 'numeric', column })) },
    variants: { big: { learner: 'forest-mljs', params: { nEstimators: 2000 } } },
  };
}

async function waitFor<T>(f: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runners: EmbeddedJobRunner[] = [];
function runner(registry: ModelRegistry, options: Partial<Parameters<typeof createEmbeddedJobRunner>[0]> = {}) {
  const r = createEmbeddedJobRunner({ registry, pollMs: 100, backoff: { initialMs: 50, factor: 2 }, ...options });
  runners.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

const finished = (r: EmbeddedJobRunner, id: string) =>
  waitFor(async () => {
    const j = await r.get(id);
    return j && ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, `job ${id} to finish`);

describe('EmbeddedJobRunner', () => {
  it('trains Iris in a worker and registers a version tagged with the job (MemoryStore)', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r = runner(registry);
    const events: string[] = [];
    for (const e of ['jobQueued', 'jobStarted', 'jobSucceeded', 'jobFailed'] as const) r.on(e, () => events.push(e));
    const queued = await r.submit(irisSpec(), { trigger: 'schedule' });
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 3, model: 'iris', trigger: 'schedule' });
    const job = (await finished(r, queued.id)) as EmbeddedJobRecord;
    expect(job.status, job.error).toBe('succeeded');
    expect(job).toMatchObject({ attempts: 1, progress: 1, version: 1, runnerId: r.runnerId });
    expect(job.durationMs).toBeGreaterThanOrEqual(0);
    expect(job.heartbeatAt).toBeUndefined();
    expect(job.logs.some((l) => l.startsWith('loaded 150 rows'))).toBe(true);
    expect(job.logs.some((l) => l.startsWith('variant rf finished'))).toBe(true);
    expect(job.logs.at(-1)).toBe('registered iris v1');
    expect(events).toEqual(['jobQueued', 'jobStarted', 'jobSucceeded']);
    const v = await registry.getVersion('iris', 1);
    expect(v.tags).toEqual({ job: queued.id, trigger: 'schedule' });
    expect(v.dataset).toEqual({ name: 'iris', version: 1 });
    expect(v.metrics.accuracy).toBeGreaterThan(0.8);
    // the stored record is the one get() returns
    expect((await getJson<JobRecord>(registry.store, controllerKeys.job(queued.id)))?.value).toEqual(job);
    expect(await r.list({ model: 'iris', status: 'succeeded' })).toEqual([job]);
    expect(await r.list({ model: 'other' })).toEqual([]);
  });

  it('works over a FsStore: another registry on the same folder sees the job and the version', async () => {
    const root = join(tmp, 'fs-registry');
    const registry = createRegistry({ store: new FsStore({ root }) });
    const r = runner(registry);
    const queued = await r.submit(irisSpec('iris-fs'));
    const job = await finished(r, queued.id);
    expect(job.status, job.error).toBe('succeeded');
    const other = createRegistry({ store: new FsStore({ root }) });
    expect((await getJson<JobRecord>(other.store, controllerKeys.job(queued.id)))?.value.status).toBe('succeeded');
    expect((await other.getVersion('iris-fs', job.version!)).tags.job).toBe(queued.id);
  });

  it('cancels a running job: its worker is stopped and no version is registered', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r = runner(registry);
    const cancelled: string[] = [];
    r.on('jobCancelled', ({ job }) => cancelled.push(job.id));
    const queued = await r.submit(slowSpec());
    await waitFor(async () => (await r.get(queued.id))?.status === 'running', 'the slow job to run');
    const progressed: number[] = [];
    r.on('jobProgressed', ({ job }) => progressed.push(job.progress));
    const running = await waitFor(async () => {
      const j = await r.get(queued.id);
      return j?.logs.some((l) => l.startsWith('variant big')) && j.progress >= 0.05 ? j : undefined;
    }, 'progress and logs of the running job');
    expect(running.status).toBe('running');
    expect(running.logs.some((l) => l.startsWith('loaded 4000 rows'))).toBe(true);
    const job = await r.cancel(queued.id, 'no longer needed');
    expect(job).toMatchObject({ status: 'cancelled', error: 'no longer needed', attempts: 1 });
    expect(r.runningCount).toBe(0);
    expect(cancelled).toEqual([queued.id]);
    expect(job.logs.at(-1)).toBe('cancelled: no longer needed');
    expect(await r.cancel(queued.id)).toEqual(job); // cancelling again changes nothing
    await new Promise((res) => setTimeout(res, 300));
    expect((await r.get(queued.id))?.status).toBe('cancelled');
    expect(await registry.listModels()).toEqual([]);
  });

  it('a cancel from another replica stops the worker; close puts a running job back in the queue', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r1 = runner(registry, { runnerId: 'r1', heartbeatMs: 200, backoff: { initialMs: 600_000 } });
    const a = await r1.submit(slowSpec());
    const waiting = await r1.submit(irisSpec('waits'));
    await waitFor(async () => (await r1.get(a.id))?.status === 'running', 'the slow job to run');
    expect((await r1.cancel(waiting.id)).status).toBe('cancelled'); // a queued job
    const r2 = runner(registry, { runnerId: 'r2' });
    expect((await r2.cancel(a.id, 'from r2')).status).toBe('cancelled');
    await waitFor(async () => r1.runningCount === 0, 'r1 to stop its worker', 10_000);
    expect(await r1.get(a.id)).toMatchObject({ status: 'cancelled', error: 'from r2' });
    await r2.close();

    const b = await r1.submit(slowSpec());
    await waitFor(async () => (await r1.get(b.id))?.status === 'running', 'the second slow job to run');
    await r1.close();
    const back = (await r1.get(b.id)) as EmbeddedJobRecord;
    expect(back).toMatchObject({ status: 'queued', error: 'runner closed', attempts: 1 });
    expect(back.notBefore).toBeGreaterThan(Date.now() + 60_000);
    expect(back.runnerId).toBe('r1');
    expect(await registry.listModels()).toEqual([]);
  });

  it('retries a failing spec with exponential backoff, then fails with the error', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r = runner(registry, { maxAttempts: 3 });
    const failures: Array<{ willRetry: boolean; delay?: number }> = [];
    r.on('jobFailed', ({ job, willRetry }) =>
      failures.push({
        willRetry,
        ...(job.notBefore !== undefined ? { delay: job.notBefore - job.startedAt! - job.durationMs! } : {}),
      }),
    );
    const queued = await r.submit(irisSpec('iris-bad', ['sepal_length', 'no_such_column']));
    const job = await finished(r, queued.id);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.error).toMatch(/no_such_column/);
    expect(job.notBefore).toBeUndefined();
    expect(job.logs.filter((l) => /^attempt \d\/3 failed: .*no_such_column.*\(will retry\)$/.test(l))).toHaveLength(2);
    expect(failures).toEqual([{ willRetry: true, delay: 50 }, { willRetry: true, delay: 100 }, { willRetry: false }]);
    expect(await registry.listModels()).toEqual([]);
  });

  it('with concurrency 1, a second job waits for the first', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r = runner(registry, { concurrency: 1 });
    const order: string[] = [];
    r.on('jobStarted', ({ job }) => order.push(`start ${job.model}`));
    r.on('jobSucceeded', ({ job }) => order.push(`done ${job.model}`));
    const a = await r.submit(irisSpec('first'));
    const b = await r.submit(irisSpec('second'));
    await waitFor(async () => (await r.get(a.id))?.status === 'running', 'the first job to run');
    expect((await r.get(b.id))?.status).toBe('queued');
    const [ja, jb] = [await finished(r, a.id), await finished(r, b.id)];
    expect([ja.status, jb.status]).toEqual(['succeeded', 'succeeded']);
    expect(order).toEqual(['start first', 'done first', 'start second', 'done second']);
    expect(jb.startedAt!).toBeGreaterThanOrEqual(ja.finishedAt!);
    expect((await r.list()).map((j) => j.id)).toEqual([b.id, a.id]); // newest first
  });

  it('an idempotency key returns the first job instead of queueing another', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const r = runner(registry);
    const queued: string[] = [];
    r.on('jobQueued', ({ job }) => queued.push(job.id));
    const [x, y] = await Promise.all([
      r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' }),
      r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' }),
    ]);
    expect(y.id).toBe(x.id);
    const again = await r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' });
    expect(again.id).toBe(x.id);
    expect(queued).toEqual([x.id]);
    await finished(r, x.id);
    expect(await r.list()).toHaveLength(1);
    expect(await registry.listVersions('iris')).toHaveLength(1);
    const other = await r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-02' });
    expect(other.id).not.toBe(x.id);
    await finished(r, other.id);
  });

  it('marks the running attempt of a dead runner failed, and retries it without a second version', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const now = Date.now();
    const dead = (id: string, maxAttempts: number, runnerId: string, heartbeatAt: number): EmbeddedJobRecord => ({
      id,
      model: 'iris',
      trigger: 'manual',
      status: 'running',
      spec: irisSpec(),
      progress: 0.4,
      logs: ['attempt 1 started'],
      attempts: 1,
      maxAttempts,
      createdAt: now - 120_000,
      startedAt: now - 100_000,
      heartbeatAt,
      runnerId,
      revision: 3,
    });
    // an old heartbeat of another runner, no attempt left
    await putJson(registry.store, controllerKeys.job('job-old'), dead('job-old', 1, 'gone', now - 60_000), {
      create: true,
    });
    // this runner's previous incarnation (same runnerId), fresh heartbeat; it had registered before dying
    await putJson(registry.store, controllerKeys.job('job-mine'), dead('job-mine', 2, 'runner-a', now), {
      create: true,
    });
    const { bytes } = await import('../src/jobs/index.js').then((m) => m.trainFromSpec(irisSpec()));
    await registry.register('iris', bytes, { tags: { job: 'job-mine', trigger: 'manual' } });
    // a live runner elsewhere: left alone
    await putJson(registry.store, controllerKeys.job('job-live'), dead('job-live', 1, 'elsewhere', now), {
      create: true,
    });
    const r = runner(registry, { runnerId: 'runner-a', staleAfterMs: 30_000 });
    const old = await finished(r, 'job-old');
    expect(old).toMatchObject({ status: 'failed', error: 'runner died', attempts: 1 });
    expect(old.logs.at(-1)).toBe('attempt 1/1 failed: runner died');
    const mine = await finished(r, 'job-mine');
    expect(mine.status, mine.error).toBe('succeeded');
    expect(mine).toMatchObject({ attempts: 2, version: 1 });
    expect(mine.logs.some((l) => l === 'attempt 1/2 failed: runner died (will retry)')).toBe(true);
    expect(mine.logs.at(-1)).toBe('registered iris v1 (found, registered by an earlier attempt)');
    expect(await registry.listVersions('iris')).toHaveLength(1);
    expect((await r.get('job-live'))?.status).toBe('running');
  });

  it('validates its options and spec, naming the field', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      return undefined;
    };
    const e1 = err(() => createEmbeddedJobRunner({ registry, concurrency: 0 }));
    expect(isModelshipError(e1, 'ControllerError', 'INVALID_OPTIONS')).toBe(true);
    expect(e1?.message).toMatch(/concurrency/);
    expect(
      err(() => createEmbeddedJobRunner({ registry, workerUrl: new URL('file:///nowhere/worker.js') }))?.message,
    ).toMatch(/workerUrl: no training worker/);
    const r = runner(registry);
    await expect(r.submit({ ...irisSpec(), variants: {} })).rejects.toThrow(/spec\.variants: at least one variant/);
    await expect(r.submit(irisSpec(), { idempotencyKey: 'a/b' })).rejects.toThrow(/options\.idempotencyKey/);
    await expect(r.cancel('job-none')).rejects.toThrow(/no job "job-none"/);
    await r.close();
    await expect(r.submit(irisSpec())).rejects.toThrow(/closed/);
  });
});
