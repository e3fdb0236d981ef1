import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { JobRecord, TrainingSpec } from '@modelship/controller';
import { createRegistry, isModelshipError, type ModelRegistry } from '@modelship/core';
import { loadIris } from '@modelship/datasets';
import { FsStore } from '@modelship/registry-fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, redisAvailable, requireRedis } from '../../../test-support/redis-server.js';
import { type BullmqJobRunner, createBullmqJobRunner, createBullmqWorker } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));
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

const tmp = mkdtempSync(join(tmpdir(), 'modelship-bullmq-'));

/** A spec that trains for a while: an ml-random-forest of `trees` trees on a synthetic table. */
function slowSpec(model: string, trees: number): TrainingSpec {
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
    model,
    data: { kind: 'csv', path },
    task: 'regression',
    target: 'y',
    features: { features: ['a', 'b', 'c', 'd'].map((column) => ({ type: 'numeric', column })) },
    variants: { big: { learner: 'forest-mljs', params: { nEstimators: trees } } },
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

async function finished(r: BullmqJobRunner, id: string, timeoutMs = 90_000): Promise<JobRecord> {
  let last: JobRecord | undefined;
  try {
    return await waitFor(
      async () => {
        last = await r.get(id);
        return last && ['succeeded', 'failed', 'cancelled'].includes(last.status) ? last : undefined;
      },
      `job ${id} to finish`,
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last record: ${JSON.stringify({ ...last, spec: undefined })}`);
  }
}

interface WorkerProc {
  id: string;
  proc: ChildProcess;
  events: Array<Record<string, unknown> & { event: string }>;
  exited: Promise<void>;
}

if (!redisAvailable) {
  if (requireRedis) throw new Error('MODELSHIP_REQUIRE_REDIS=1 but redis-server is not on the PATH');
  console.warn('[jobs-bullmq] SKIPPED: redis-server is not on the PATH (apt-get install redis-server)');
}

describe.skipIf(!redisAvailable)('BullMQ job runner and workers (real redis-server)', () => {
  const redis = new RedisServer();
  let queueSeq = 0;
  let queue = '';
  let root = '';
  let registry: ModelRegistry;
  const runners: BullmqJobRunner[] = [];
  const workers: WorkerProc[] = [];

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.destroy();
    rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()));
    await Promise.all(
      workers.splice(0).map((w) => {
        if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
        return w.exited;
      }),
    );
  });

  /** A fresh queue and registry folder per test. */
  function setup(options: Partial<Parameters<typeof createBullmqJobRunner>[0]> = {}) {
    queue = `training-${++queueSeq}`;
    root = join(tmp, queue);
    registry = createRegistry({ store: new FsStore({ root }) });
    const r = createBullmqJobRunner({
      connection: redis.url,
      queue,
      registry,
      backoff: { initialMs: 50, factor: 2 },
      ...options,
    });
    runners.push(r);
    return r;
  }

  async function startWorker(id: string, env: Record<string, string> = {}): Promise<WorkerProc> {
    const proc = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, REDIS_URL: redis.url, QUEUE: queue, REGISTRY_ROOT: root, WORKER_ID: id, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const w: WorkerProc = {
      id,
      proc,
      events: [],
      exited: new Promise((res) => proc.once('exit', () => res())),
    };
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        w.events.push(JSON.parse(line));
      } catch {
        // not an event
      }
    });
    workers.push(w);
    await waitFor(
      async () => w.events.some((e) => e.event === 'ready') || proc.exitCode !== null,
      `worker ${id}`,
      30_000,
    );
    if (proc.exitCode !== null) throw new Error(`worker ${id} exited with code ${proc.exitCode}`);
    return w;
  }

  const versionsOf = async (model: string) =>
    (await registry.listVersions(model).catch(() => [])) as Array<{ version: number; tags: Record<string, string> }>;

  it('a worker in another process trains Iris and registers one version; the runner sees progress and logs', async () => {
    const r = setup();
    const queuedEvents: string[] = [];
    r.on('jobQueued', ({ job }) => queuedEvents.push(job.id));
    const w = await startWorker('w1');
    const queued = await r.submit(irisSpec(), { trigger: 'schedule' });
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 3, model: 'iris', trigger: 'schedule' });
    const job = await finished(r, queued.id);
    expect(job.status, job.error).toBe('succeeded');
    expect(job).toMatchObject({ attempts: 1, progress: 1, version: 1, runnerId: 'w1' });
    expect(job.durationMs).toBeGreaterThanOrEqual(0);
    expect(job.logs[0]).toBe('attempt 1/3 started on worker w1');
    expect(job.logs.some((l) => l.startsWith(`loaded ${loadIris().numRows} rows`))).toBe(true);
    expect(job.logs.some((l) => l.startsWith('variant rf finished'))).toBe(true);
    expect(job.logs.at(-1)).toBe('registered iris v1');
    expect(queuedEvents).toEqual([queued.id]);
    expect(w.events.filter((e) => e.event !== 'ready').map((e) => e.event)).toEqual(['jobStarted', 'jobSucceeded']);
    const v = await registry.getVersion('iris', 1);
    expect(v.tags).toEqual({ job: queued.id, trigger: 'schedule' });
    expect(v.dataset).toEqual({ name: 'iris', version: 1 });
    expect(v.metrics.accuracy).toBeGreaterThan(0.8);
    expect(await r.list({ model: 'iris', status: 'succeeded' })).toEqual([job]);
    expect(await r.list({ model: 'other' })).toEqual([]);
    expect(await versionsOf('iris')).toHaveLength(1);
  });

  it('cancels a running job (its worker stops it, no version) and a queued one (it never runs)', async () => {
    const r = setup();
    const cancelled: string[] = [];
    r.on('jobCancelled', ({ job }) => cancelled.push(job.id));
    const w = await startWorker('w1');
    const slow = await r.submit(slowSpec('slow', 2000));
    const waiting = await r.submit(irisSpec('waits'));
    const running = await waitFor(async () => {
      const j = await r.get(slow.id);
      return j?.status === 'running' && j.logs.some((l) => l.startsWith('variant big')) && j.progress >= 0.05
        ? j
        : undefined;
    }, 'progress and logs of the running job');
    expect(running.logs.some((l) => l.startsWith('loaded 4000 rows'))).toBe(true);
    expect((await r.get(waiting.id))?.status).toBe('queued');
    const q = await r.cancel(waiting.id, 'not this one');
    expect(q).toMatchObject({ status: 'cancelled', error: 'not this one', attempts: 0 });
    const job = await r.cancel(slow.id, 'no longer needed');
    expect(job).toMatchObject({ status: 'cancelled', error: 'no longer needed', attempts: 1 });
    expect(job.logs.at(-1)).toBe('cancelled: no longer needed');
    expect(await r.cancel(slow.id)).toEqual(job); // cancelling again changes nothing
    expect(cancelled).toEqual([waiting.id, slow.id]);
    await waitFor(async () => w.events.some((e) => e.event === 'jobCancelled'), 'the worker to stop the job', 10_000);
    expect(await r.get(slow.id)).toEqual(job);
    // the worker is free again: a new job runs, the cancelled queued one never does
    const next = await r.submit(irisSpec('next'));
    expect((await finished(r, next.id)).status).toBe('succeeded');
    expect((await r.get(waiting.id))?.status).toBe('cancelled');
    expect(await versionsOf('slow')).toEqual([]);
    expect(await versionsOf('waits')).toEqual([]);
    expect(w.events.filter((e) => e.event === 'jobStarted').map((e) => e.jobId)).toEqual([slow.id, next.id]);
    const statuses = (await r.list()).map((j) => [j.id, j.status]);
    expect(statuses).toEqual([
      [next.id, 'succeeded'],
      [waiting.id, 'cancelled'],
      [slow.id, 'cancelled'],
    ]);
    await expect(r.cancel(next.id)).rejects.toSatisfy((e) => isModelshipError(e, 'JobQueueError', 'INVALID_STATE'));
    await expect(r.cancel('job-nope')).rejects.toSatisfy((e) => isModelshipError(e, 'JobQueueError', 'NOT_FOUND'));
  });

  it('retries a failing spec with backoff, then fails with the error recorded', async () => {
    const r = setup({ maxAttempts: 3 });
    const w = await startWorker('w1');
    const queued = await r.submit(irisSpec('iris-bad', ['sepal_length', 'no_such_column']));
    const job = await finished(r, queued.id);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.error).toMatch(/no_such_column/);
    expect(job.logs.filter((l) => /^attempt \d\/3 failed: .*no_such_column.*\(will retry\)$/.test(l))).toHaveLength(2);
    expect(job.logs.filter((l) => /^attempt 3\/3 failed: .*no_such_column/.test(l))).toHaveLength(1);
    expect(w.events.filter((e) => e.event === 'jobFailed').map((e) => e.willRetry)).toEqual([true, true, false]);
    expect(await registry.listModels()).toEqual([]);
  });

  it('an idempotency key returns the first job instead of queueing another', async () => {
    const r = setup();
    const queued: string[] = [];
    r.on('jobQueued', ({ job }) => queued.push(job.id));
    const [x, y] = await Promise.all([
      r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' }),
      r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' }),
    ]);
    expect(y.id).toBe(x.id);
    expect(queued).toEqual([x.id]);
    await startWorker('w1');
    await finished(r, x.id);
    const again = await r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-01' });
    expect(again).toMatchObject({ id: x.id, status: 'succeeded', version: 1 });
    expect(await r.list()).toHaveLength(1);
    expect(await versionsOf('iris')).toHaveLength(1);
    const other = await r.submit(irisSpec(), { idempotencyKey: 'nightly-2025-06-02' });
    expect(other.id).not.toBe(x.id);
    expect((await finished(r, other.id)).version).toBe(2);
  });

  for (const when of ['mid-training', 'right after registering'] as const) {
    it(`two workers: the one holding the job is SIGKILLed ${when}; the other completes it with exactly one new version`, async () => {
      const r = setup();
      const env = when === 'mid-training' ? {} : { KILL_AFTER_REGISTER: '1' };
      const [a, b] = await Promise.all([startWorker('wa', env), startWorker('wb', env)]);
      // V1 exists already: the retraining must add exactly one version
      const first = await r.submit(irisSpec('retrain'));
      expect((await finished(r, first.id)).version).toBe(1);
      const killedSoFar = [a, b].filter((w) => w.proc.signalCode !== null);
      for (const w of killedSoFar) workers.push(await startWorker(`${w.id}-2`)); // a KILL_AFTER_REGISTER worker died on V1
      const spec = when === 'mid-training' ? slowSpec('retrain', 4) : irisSpec('retrain');
      const job0 = await r.submit({ ...spec, model: 'retrain' }, { trigger: 'drift' });
      const alive = () => workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
      let victim: WorkerProc | undefined;
      if (when === 'mid-training') {
        await waitFor(async () => {
          const j = await r.get(job0.id);
          return j?.status === 'running' && j.logs.some((l) => l.startsWith('variant big')) ? j : undefined;
        }, 'the retraining to run');
        victim = alive().find((w) => w.events.some((e) => e.event === 'jobStarted' && e.jobId === job0.id));
        expect(victim).toBeDefined();
        victim!.proc.kill('SIGKILL');
        await victim!.exited;
      } else {
        victim = await waitFor(
          async () => workers.find((w) => w.proc.signalCode === 'SIGKILL' && w.events.some((e) => e.jobId === job0.id)),
          'the worker to die after registering',
        );
        expect(victim.events.some((e) => e.event === 'registered' && e.version === 2)).toBe(true);
      }
      const t0 = Date.now();
      await waitFor(async () => {
        const j = await r.get(job0.id);
        return j && j.logs.filter((l) => l.startsWith('attempt 1/3 started on worker')).length === 2;
      }, 'another worker to take the job');
      const handedOverMs = Date.now() - t0;
      const job = await finished(r, job0.id);
      expect(job.status, job.error).toBe('succeeded');
      expect(job.version).toBe(2);
      expect(job.runnerId).not.toBe(victim!.id);
      expect(job.logs.filter((l) => l.startsWith('attempt 1/3 started on worker'))).toHaveLength(2);
      if (when !== 'mid-training') expect(job.logs.at(-1)).toBe('reused retrain v2 (registered by an earlier attempt)');
      const versions = await versionsOf('retrain');
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
      expect(versions.filter((v) => v.tags.job === job0.id)).toHaveLength(1);
      console.log(
        `[jobs-bullmq] ${when}: handed over ${handedOverMs} ms and completed ${Date.now() - t0} ms after the kill`,
      );
    });
  }

  it('close() of a worker (SIGTERM) stops its job, which goes back to the queue and completes on another worker', async () => {
    const r = setup();
    const a = await startWorker('wa');
    const job0 = await r.submit(slowSpec('closing', 4));
    await waitFor(async () => {
      const j = await r.get(job0.id);
      return j?.status === 'running' && j.logs.some((l) => l.startsWith('variant big')) ? j : undefined;
    }, 'the job to run on wa');
    await startWorker('wb');
    const t0 = Date.now();
    a.proc.kill('SIGTERM');
    await a.exited;
    expect(a.proc.exitCode).toBe(0);
    const closedMs = Date.now() - t0;
    const job = await finished(r, job0.id);
    expect(job.status, job.error).toBe('succeeded');
    expect(job).toMatchObject({ attempts: 2, runnerId: 'wb', version: 1 });
    expect(job.logs).toContain('attempt 1/3 failed: worker closed (will retry)');
    expect(job.logs).toContain('attempt 2/3 started on worker wb');
    expect(await versionsOf('closing')).toHaveLength(1);
    console.log(`[jobs-bullmq] graceful close: worker exited ${closedMs} ms after SIGTERM`);
  });

  it('validates its options and the spec, naming the field', async () => {
    const r = setup();
    const base = { connection: redis.url, queue: 'q', registry };
    const bad = (f: () => unknown, field: RegExp) =>
      expect(f).toThrow(
        expect.objectContaining({
          name: 'JobQueueError',
          code: 'INVALID_OPTIONS',
          message: expect.stringMatching(field),
        }),
      );
    bad(() => createBullmqJobRunner({ ...base, connection: 'http://x' }), /connection/);
    bad(() => createBullmqJobRunner({ ...base, queue: 'a b' }), /queue: expected/);
    bad(() => createBullmqJobRunner({ ...base, registry: {} as ModelRegistry }), /registry: expected a ModelRegistry/);
    bad(() => createBullmqJobRunner({ ...base, maxAttempts: 0 }), /maxAttempts/);
    bad(() => createBullmqJobRunner({ ...base, backoff: { factor: 0.5 } }), /backoff\.factor/);
    bad(() => createBullmqJobRunner({ ...base, nope: 1 } as never), /nope|options/);
    bad(() => createBullmqWorker({ ...base, concurrency: 0 }), /concurrency/);
    bad(() => createBullmqWorker({ ...base, lockDurationMs: 5 }), /lockDurationMs/);
    bad(() => createBullmqWorker({ ...base, threadUrl: new URL('file:///nowhere/thread.js') }), /threadUrl/);
    await expect(r.submit({ ...irisSpec(), variants: {} })).rejects.toThrow(/spec\.variants: at least one variant/);
    await expect(r.submit(irisSpec(), { idempotencyKey: 'a/b' })).rejects.toThrow(/options\.idempotencyKey/);
    await expect(r.list({ limit: 0 })).rejects.toThrow(/query\.limit/);
    await r.close();
    await expect(r.submit(irisSpec())).rejects.toSatisfy((e) => isModelshipError(e, 'JobQueueError', 'CLOSED'));
  });

  it('Redis down: submit rejects with JobQueueError UNAVAILABLE, quickly', async () => {
    const down = new RedisServer();
    await down.start();
    const url = down.url;
    await down.destroy();
    const r = createBullmqJobRunner({
      connection: url,
      queue: 'q',
      registry: createRegistry({ store: new FsStore({ root: join(tmp, 'down') }) }),
      timeoutMs: 1_000,
    });
    runners.push(r);
    const t0 = Date.now();
    const err = await r.submit(irisSpec()).catch((e: unknown) => e);
    expect(isModelshipError(err, 'JobQueueError', 'UNAVAILABLE'), String(err)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3_000);
    await expect(r.get('job-x')).rejects.toSatisfy((e) => isModelshipError(e, 'JobQueueError', 'UNAVAILABLE'));
  });
});
