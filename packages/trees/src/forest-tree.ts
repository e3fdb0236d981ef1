import type { BinnedData } from './binning.js';
import { ExactScratch, growExactTree, type ExactData } from './forest-exact.js';
import { HistogramPool } from './histogram.js';
import { deriveSeed, SeededRandom } from './rng.js';
import type { GrownTree, GrowParams } from './grow-types.js';
import { growTree } from './tree-builder.js';

/** Everything needed to grow forest trees (plain data: it is also sent to worker threads). */
export interface ForestJob {
  /** Number of training rows. */
  readonly rows: number;
  /** The binned training features (histogram splits), or null with `exact`. */
  readonly data: BinnedData | null;
  /** The ranked training features (exact thresholds, regression), or null with `data`. */
  readonly exact: ExactData | null;
  /** Targets: values (regression) or class indices. */
  readonly y: Float64Array;
  /** Per-row weights (sample × class weights). */
  readonly w: Float64Array;
  /** Target channels: 1 (regression) or the number of classes. */
  readonly K: number;
  /** Draw a bootstrap sample per tree. */
  readonly bootstrap: boolean;
  /** The master seed. */
  readonly seed: number;
  /** Candidate features per tree (all of them). */
  readonly numFeatures: number;
  /** Tree growth parameters. */
  readonly grow: GrowParams;
}

/** Bootstrap multiplicities of tree `t` (all ones without bootstrap): a pure function of the seed. */
export function bootstrapCounts(job: ForestJob, t: number, out: Int32Array): SeededRandom {
  const rng = new SeededRandom(deriveSeed(job.seed, t));
  const n = job.rows;
  if (!job.bootstrap) {
    out.fill(1);
    return rng;
  }
  out.fill(0);
  for (let i = 0; i < n; i++) out[rng.nextInt(n)]!++;
  return rng;
}

/** Reusable buffers for growing many trees in one thread. */
export class ForestScratch {
  readonly counts: Int32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly rows: Int32Array;
  readonly features: Int32Array;
  readonly pool: HistogramPool | null;
  readonly exact: ExactScratch | null;
  readonly sortScratch: { buf?: Int32Array } = {};
  readonly partitionScratch: [Int32Array, Int32Array];

  constructor(job: ForestJob) {
    const n = job.rows;
    this.counts = new Int32Array(n);
    this.grad = new Float64Array(n * job.K);
    this.hess = new Float64Array(n);
    this.rows = new Int32Array(n);
    this.features = Int32Array.from({ length: job.numFeatures }, (_, i) => i);
    this.pool = job.data ? new HistogramPool(job.data.totalBins * (job.K + 2)) : null;
    this.exact = job.exact ? new ExactScratch(job.exact) : null;
    this.partitionScratch = [new Int32Array(n), new Int32Array(n)];
  }
}

/** Grows tree `t` of a forest; deterministic in (seed, t), whichever thread runs it. */
export function growForestTree(job: ForestJob, t: number, s: ForestScratch): GrownTree {
  const { y, w, K } = job;
  const n = job.rows;
  const rng = bootstrapCounts(job, t, s.counts);
  let m = 0;
  s.grad.fill(0);
  for (let r = 0; r < n; r++) {
    const c = s.counts[r]!;
    if (c === 0 || w[r] === 0) continue;
    const h = c * w[r]!;
    s.rows[m++] = r;
    s.hess[r] = h;
    if (K === 1) s.grad[r] = h * y[r]!;
    else s.grad[r * K + y[r]!] = h;
  }
  if (job.exact) return growExactTree(job.exact, s.grad, s.hess, s.rows, m, job.grow, rng, s.exact!);
  for (let i = 0; i < s.features.length; i++) s.features[i] = i;
  return growTree(
    {
      data: job.data!,
      channels: K,
      grad: s.grad,
      hess: s.hess,
      rows: s.rows,
      numRows: m,
      features: s.features,
      rng,
      pool: s.pool!,
      sortScratch: s.sortScratch,
      partitionScratch: s.partitionScratch,
    },
    job.grow,
  );
}
