import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRecord, JobRunner, TrainingSpec } from '@modelship/controller';
import type { ModelRegistry } from '@modelship/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

/** What a conformance case gets from the runner under test: a runner, its registry, and how to stop both. */
export interface JobRunnerUnderTest {
  /** The runner (with a short backoff, e.g. 50 ms, so that retries are quick). */
  runner: JobRunner;
  /** The registry its jobs register versions in. */
  registry: ModelRegistry;
  /** Stops the runner and whatever runs its jobs (workers). */
  close(): Promise<void>;
}

const IRIS_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

function irisSpec(model: string, columns = IRIS_COLUMNS): TrainingSpec {
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

async function waitFor<T>(f: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finished = (r: JobRunner, id: string) =>
  waitFor(async () => {
    const j = await r.get(id);
    return j && ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, `job ${id} to finish`);

const codeOf = (e: unknown) => (e as { code?: unknown })?.code;

/**
 * The behaviour every `JobRunner` (the embedded runner, the BullMQ runner…) shows through the
 * interface alone: training and registering one tagged version, retries then failure with the
 * error, idempotency keys, cancellation, validation naming the field. `make` builds a fresh
 * runner (and its workers) for each case.
 */
export function describeJobRunner(name: string, make: () => Promise<JobRunnerUnderTest>): void {
  describe(`JobRunner conformance: ${name}`, () => {
    const open: JobRunnerUnderTest[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'modelship-runner-conformance-'));
    const start = async () => {
      const t = await make();
      open.push(t);
      return t;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    /** An ml-random-forest of 2,000 trees on 4,000 rows: runs long enough to be cancelled. */
    const slowSpec = (): TrainingSpec => {
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
    };

    it('trains a spec and registers one version tagged with the job', async () => {
      const { runner, registry } = await start();
      const queued = await runner.submit(irisSpec('conf-iris'), { trigger: 'schedule' });
      expect(queued).toMatchObject({ status: 'queued', attempts: 0, model: 'conf-iris', trigger: 'schedule' });
      const job = await finished(runner, queued.id);
      expect(job.status, job.error).toBe('succeeded');
      expect(job).toMatchObject({ id: queued.id, attempts: 1, progress: 1, version: 1 });
      expect(job.logs.some((l) => l.startsWith('loaded 150 rows'))).toBe(true);
      expect(job.logs.at(-1)).toBe('registered conf-iris v1');
      const v = await registry.getVersion('conf-iris', 1);
      expect(v.tags).toEqual({ job: queued.id, trigger: 'schedule' });
      expect(await runner.list({ model: 'conf-iris', status: 'succeeded' })).toEqual([job]);
      expect(await runner.list({ model: 'conf-other' })).toEqual([]);
    });

    it('retries a failing spec, then fails with the error recorded and no version', async () => {
      const { runner, registry } = await start();
      const queued = await runner.submit(irisSpec('conf-bad', ['sepal_length', 'no_such_column']), { maxAttempts: 2 });
      const job = await finished(runner, queued.id);
      expect(job.status).toBe('failed');
      expect(job).toMatchObject({ attempts: 2, maxAttempts: 2 });
      expect(job.error).toMatch(/no_such_column/);
      expect(job.logs.filter((l) => /^attempt 1\/2 failed: .*no_such_column.*\(will retry\)$/.test(l))).toHaveLength(1);
      expect(await registry.listModels()).toEqual([]);
    });

    it('an idempotency key returns the first job, even to concurrent submits', async () => {
      const { runner, registry } = await start();
      const [x, y] = await Promise.all([
        runner.submit(irisSpec('conf-key'), { idempotencyKey: 'nightly-1' }),
        runner.submit(irisSpec('conf-key'), { idempotencyKey: 'nightly-1' }),
      ]);
      expect(y.id).toBe(x.id);
      await finished(runner, x.id);
      expect((await runner.submit(irisSpec('conf-key'), { idempotencyKey: 'nightly-1' })).id).toBe(x.id);
      expect(await runner.list({ model: 'conf-key' })).toHaveLength(1);
      expect(await registry.listVersions('conf-key')).toHaveLength(1);
    });

    it('cancels a running job: cancelled with the reason, no version; finished and unknown jobs are refused', async () => {
      const { runner, registry } = await start();
      const queued = await runner.submit(slowSpec());
      await waitFor(async () => {
        const j = await runner.get(queued.id);
        return j?.status === 'running' && j.logs.some((l) => l.startsWith('variant big')) ? j : undefined;
      }, 'the slow job to run');
      const job: JobRecord = await runner.cancel(queued.id, 'no longer needed');
      expect(job).toMatchObject({ status: 'cancelled', error: 'no longer needed', attempts: 1 });
      expect(job.logs.at(-1)).toBe('cancelled: no longer needed');
      expect(await runner.cancel(queued.id)).toEqual(job);
      await new Promise((r) => setTimeout(r, 500));
      expect((await runner.get(queued.id))?.status).toBe('cancelled');
      expect(await registry.listModels()).toEqual([]);
      const done = await runner.submit(irisSpec('conf-done'));
      expect((await finished(runner, done.id)).status).toBe('succeeded');
      expect(codeOf(await runner.cancel(done.id).catch((e: unknown) => e))).toBe('INVALID_STATE');
      expect(codeOf(await runner.cancel('job-none').catch((e: unknown) => e))).toBe('NOT_FOUND');
      expect(await runner.get('job-none')).toBeUndefined();
    });

    it('validates the spec and the submit options, naming the field', async () => {
      const { runner } = await start();
      await expect(runner.submit({ ...irisSpec('conf-v'), variants: {} })).rejects.toThrow(
        /spec\.variants: at least one variant/,
      );
      await expect(runner.submit(irisSpec('conf-v'), { idempotencyKey: 'a/b' })).rejects.toThrow(
        /options\.idempotencyKey/,
      );
      expect(await runner.list({ model: 'conf-v' })).toEqual([]);
    });
  });
}
