/**
 * Worker-thread entry of {@link trainForestParallel}: grows the trees it is given and posts each
 * one back. Built to `dist/forest-worker.js` (worker threads load built JavaScript).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ForestScratch, growForestTree, type ForestJob } from './forest-tree.js';

const { job, trees } = workerData as { job: ForestJob; trees: number[] };
const scratch = new ForestScratch(job);
for (const t of trees) {
  const tree = growForestTree(job, t, scratch);
  tree.leafStart = [];
  tree.leafEnd = [];
  parentPort!.postMessage({ t, tree });
}
