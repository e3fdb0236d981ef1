import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TreesError } from './errors.js';
import { finishForest, prepareForest, type ForestOptions } from './forest.js';
import { ForestScratch, growForestTree } from './forest-tree.js';
import type { TrainResult } from './gbdt.js';
import type { TreesMatrix } from './matrix.js';
import { checkNumber, emitProgress } from './training-common.js';
import type { GrownTree } from './grow-types.js';

/** Options of {@link trainForestParallel}: those of {@link trainForest} plus the number of workers. */
export interface ParallelForestOptions extends Omit<ForestOptions, 'checkpoint'> {
  /** Threads to grow trees in, this one included (default 2: this thread and one worker). Trees are dealt round-robin; each tree's randomness depends only on (seed, tree), so the model is identical to {@link trainForest}'s. */
  workers?: number | undefined;
}

const op = 'trainForestParallel';

/**
 * Trains a random forest with its trees split between this thread and `workers - 1` worker threads. The result is the same model,
 * bit for bit, as {@link trainForest} with the same options. Needs the built package (workers load
 * `dist/forest-worker.js`). Checkpoints are not supported here; use {@link trainForest} for them.
 *
 * @example
 * ```ts
 * const { model } = await trainForestParallel(x, y, { trees: 100, workers: 2 });
 * ```
 */
export async function trainForestParallel(
  x: TreesMatrix,
  y: ArrayLike<number>,
  options: ParallelForestOptions = {},
): Promise<TrainResult> {
  if ((options as ForestOptions).checkpoint) {
    throw new TreesError('INVALID_OPTIONS', 'checkpoint: not supported with workers, use trainForest', {
      operation: op,
    });
  }
  const workers = checkNumber(op, 'workers', options.workers ?? 2, 1, 64, true);
  const { workers: _w, ...forestOptions } = options;
  const prep = prepareForest(x, y, forestOptions, op);
  const file = new URL('./forest-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    throw new TreesError(
      'WORKER_FAILED',
      `worker script ${fileURLToPath(file)} not found: worker threads need the built package (dist/)`,
      { operation: op },
    );
  }
  const grown: GrownTree[] = new Array(prep.trees);
  let done = 0;
  const threads = Math.min(workers, prep.trees);
  // thread 0 is this (already warm) thread; threads 1… are worker threads
  const share = (w: number) => {
    const trees: number[] = [];
    for (let t = w; t < prep.trees; t += threads) trees.push(t);
    return trees;
  };
  const running = Array.from({ length: threads - 1 }, (_, i) => {
    const w = i + 1;
    const trees = share(w);
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(file, { workerData: { job: prep.job, trees } });
      let received = 0;
      worker.on('message', (m: { t: number; tree: GrownTree }) => {
        grown[m.t] = m.tree;
        received++;
        done++;
        emitProgress(options.onProgress, { learner: 'forest', completed: done, total: prep.trees });
      });
      worker.on('error', (cause) =>
        reject(
          new TreesError('WORKER_FAILED', `forest worker ${w} failed: ${cause.message}`, { operation: op, cause }),
        ),
      );
      worker.on('exit', (code) => {
        if (received === trees.length) resolve();
        else
          reject(
            new TreesError(
              'WORKER_FAILED',
              `forest worker ${w} exited with code ${code} after ${received}/${trees.length} trees`,
              { operation: op },
            ),
          );
      });
    });
  });
  const scratch = new ForestScratch(prep.job);
  for (const t of share(0)) {
    const tree = growForestTree(prep.job, t, scratch);
    tree.leafStart = [];
    tree.leafEnd = [];
    grown[t] = tree;
    done++;
    emitProgress(options.onProgress, { learner: 'forest', completed: done, total: prep.trees });
  }
  await Promise.all(running);
  return finishForest(prep, grown, options.oobScore ?? false, 0);
}
