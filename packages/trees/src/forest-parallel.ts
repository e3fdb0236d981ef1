import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TreesError } from './errors.js';
import { finishForest, prepareForest, type ForestOptions } from './forest.js';
import type { TrainResult } from './gbdt.js';
import type { TreesMatrix } from './matrix.js';
import { checkNumber, emitProgress } from './training-common.js';
import type { GrownTree } from './tree-builder.js';

/** Options of {@link trainForestParallel}: those of {@link trainForest} plus the number of workers. */
export interface ParallelForestOptions extends Omit<ForestOptions, 'checkpoint'> {
  /** Worker threads to grow trees in (default 2). Trees are dealt round-robin; each tree's randomness depends only on (seed, tree), so the model is identical to {@link trainForest}'s. */
  workers?: number;
}

const op = 'trainForestParallel';

/**
 * Trains a random forest with its trees split across worker threads. The result is the same model,
 * bit for bit, as {@link trainForest} with the same options. Needs the built package (workers load
 * `dist/forest-worker.js`). Checkpoints are not supported here; use {@link trainForest} for them.
 *
 * @example
 * ```ts
 * const { model } = await trainForestParallel(x, y, { trees: 100, workers: 2 });
 * ```
 */
export async function trainForestParallel(x: TreesMatrix, y: ArrayLike<number>, options: ParallelForestOptions = {}): Promise<TrainResult> {
  if ((options as ForestOptions).checkpoint) {
    throw new TreesError('INVALID_OPTIONS', 'checkpoint: not supported with workers, use trainForest', { operation: op });
  }
  const workers = checkNumber(op, 'workers', options.workers ?? 2, 1, 64, true);
  const { workers: _w, ...forestOptions } = options;
  const prep = prepareForest(x, y, forestOptions, op);
  const file = new URL('./forest-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    throw new TreesError('WORKER_FAILED', `worker script ${fileURLToPath(file)} not found: worker threads need the built package (dist/)`, { operation: op });
  }
  const grown: GrownTree[] = new Array(prep.trees);
  let done = 0;
  const count = Math.min(workers, prep.trees);
  await Promise.all(
    Array.from({ length: count }, (_, w) => {
      const trees: number[] = [];
      for (let t = w; t < prep.trees; t += count) trees.push(t);
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(file, { workerData: { job: prep.job, trees } });
        let received = 0;
        worker.on('message', (m: { t: number; tree: GrownTree }) => {
          grown[m.t] = m.tree;
          received++;
          done++;
          emitProgress(options.onProgress, { learner: 'forest', completed: done, total: prep.trees });
        });
        worker.on('error', (cause) => reject(new TreesError('WORKER_FAILED', `forest worker ${w} failed: ${cause.message}`, { operation: op, cause })));
        worker.on('exit', (code) => {
          if (received === trees.length) resolve();
          else reject(new TreesError('WORKER_FAILED', `forest worker ${w} exited with code ${code} after ${received}/${trees.length} trees`, { operation: op }));
        });
      });
    }),
  );
  return finishForest(prep, grown, options.oobScore ?? false, 0);
}
