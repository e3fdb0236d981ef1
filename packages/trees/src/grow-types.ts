import type { BinnedData } from './binning.js';
import type { HistogramPool } from './histogram.js';
import type { SeededRandom } from './rng.js';

/** How a tree is grown (shared by boosting and forests). */
export interface GrowParams {
  /** Maximum leaves, grown best-first (0 = unlimited, grown depth-first). */
  readonly maxLeaves: number;
  /** Maximum depth (0 = unlimited). */
  readonly maxDepth: number;
  /** Minimum rows in a leaf. */
  readonly minSamplesLeaf: number;
  /** Minimum sum of hessians (weights) in a leaf. */
  readonly minHessianLeaf: number;
  /** L2 regularisation of leaf values. */
  readonly lambda: number;
  /** Minimum gain for a split. */
  readonly minGain: number;
  /** `'squared'`: Σ G²/(H+λ) (MSE, Gini, Newton boosting); `'entropy'`: information gain. */
  readonly criterion: 'squared' | 'entropy';
  /** Features drawn at random per split (0 = every candidate feature). */
  readonly featuresPerSplit: number;
  /** What a node's cover (its weight in TreeSHAP's expectations) counts: rows (default, as LightGBM's `internal_count`) or the hessian sum (forests: bootstrap multiplicity × weight, as scikit-learn's `weighted_n_node_samples`). */
  readonly cover?: 'count' | 'hessian';
}

/** The data one tree is grown on. */
export interface GrowInput {
  /** The binned features. */
  readonly data: BinnedData;
  /** Target channels `K` (1 for boosting and regression forests, classes for classification forests). */
  readonly channels: number;
  /** Per row and channel target sums (`n × K`, row-major): a leaf's value is `ΣG / (ΣH + λ)`. */
  readonly grad: Float64Array;
  /** Per-row hessian (or weight). */
  readonly hess: Float64Array;
  /** Partition buffer holding the rows to use in `[0, numRows)`; reordered in place. */
  readonly rows: Int32Array;
  /** Number of rows used. */
  readonly numRows: number;
  /** Candidate features of this tree. */
  readonly features: Int32Array;
  /** Random source for per-split feature sampling. */
  readonly rng: SeededRandom;
  /** Histogram buffers (size `totalBins * histogramStride(K, unitHessian)`), reused across trees. */
  readonly pool: HistogramPool;
  /** Optional holder of a reusable `rows * cols` int buffer and a `rows` byte buffer for presorted small nodes (allocated on first use). */
  readonly sortScratch?: { buf?: Int32Array; mark?: Uint8Array };
  /** True when every hessian is exactly 1 (unweighted regression boosting; one channel): histograms are `[G, count]` per bin (see `histogramStride`). */
  readonly unitHessian?: boolean;
  /** Optional holder of the root's bin counts, kept across the trees of one fit on the same data (unit hessians, every row). */
  readonly rootCounts?: { counts?: Float64Array };
  /** Optional two reusable buffers of at least `numRows` ints for partitioning. */
  readonly partitionScratch?: readonly [Int32Array, Int32Array];
}

/** A grown tree: internal nodes (children `>= 0` internal, `< 0` is `~leaf`) and leaves with row ranges. */
export interface GrownTree {
  feature: number[];
  bin: number[];
  threshold: number[];
  missingLeft: boolean[];
  left: number[];
  right: number[];
  gain: number[];
  leafStart: number[];
  leafEnd: number[];
  /** Cover of each internal node (rows or hessian sum, see {@link GrowParams.cover}); absent in trees from old checkpoints. */
  cover?: number[];
  /** Cover of each leaf. */
  leafCover?: number[];
  /** Leaf values, `leaves × K`. */
  leafValue: number[];
  /** Root: `0` when the tree has a split, else `~0`. */
  root: number;
}
