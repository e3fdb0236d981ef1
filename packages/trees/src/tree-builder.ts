import type { BinnedData } from './binning.js';
import { buildHistogram, HistogramPool, subtractHistogram } from './histogram.js';
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
  /** Histogram buffers (size `totalBins * (K + 2)`), reused across trees. */
  readonly pool: HistogramPool;
  /** Optional reusable buffer of `rows * cols` ints for presorted small nodes. */
  readonly sortScratch?: Int32Array;
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
  /** Leaf values, `leaves × K`. */
  leafValue: number[];
  /** Root: `0` when the tree has a split, else `~0`. */
  root: number;
}

const SMALL_NODE = 128;


interface Open {
  start: number;
  end: number;
  depth: number;
  hist: Float64Array | null;
  sums: Float64Array;
  bLeft: Float64Array;
  sorted: boolean;
  parent: number;
  isLeft: boolean;
  bFeature: number;
  bBin: number;
  bMissingLeft: boolean;
  bGain: number;
}

/** Grows one tree (best-first when `maxLeaves > 0`, else depth-first). */
export function growTree(input: GrowInput, p: GrowParams): GrownTree {
  return new Grower(input, p).grow();
}

class Grower {
  private readonly K: number;
  private readonly S: number;
  private readonly L: Float64Array;
  private readonly miss: Float64Array;
  private readonly T: Float64Array;
  private readonly perm: Int32Array;
  private readonly cand: Int32Array;
  private numCand = 0;
  private readonly keys: Int32Array;
  private readonly tmp = new Int32Array(SMALL_NODE + 1);
  private readonly mark: Uint8Array;
  private readonly small: number;
  private readonly tree: GrownTree;

  constructor(
    private readonly inp: GrowInput,
    private readonly p: GrowParams,
  ) {
    this.K = inp.channels;
    this.S = this.K + 2;
    this.L = new Float64Array(this.S);
    this.miss = new Float64Array(this.S);
    this.T = new Float64Array(this.S);
    this.perm = Int32Array.from(inp.features);
    this.cand = new Int32Array(inp.features.length);
    this.keys = new Int32Array(SMALL_NODE + 1);
    this.mark = new Uint8Array(inp.data.rows);
    // Below this many rows a node is searched over presorted row lists instead of a histogram:
    // worth it while sorting (features × rows) costs less than a histogram pass (slots).
    const d = inp.data;
    this.small = Math.max(0, Math.min(SMALL_NODE, Math.floor((d.totalBins * 3) / (d.cols * 4))));
    this.tree = {
      feature: [], bin: [], threshold: [], missingLeft: [], left: [], right: [], gain: [],
      leafStart: [], leafEnd: [], leafValue: [], root: ~0,
    };
  }

  grow(): GrownTree {
    const { inp, p } = this;
    const root = this.open(0, inp.numRows, 0, -1, true, null, null);
    const pending: Open[] = [root];
    let leaves = 1;
    while (pending.length > 0) {
      let pick = pending.length - 1;
      if (p.maxLeaves > 0) {
        if (leaves >= p.maxLeaves) break;
        for (let i = 0; i < pending.length; i++) if (pending[i]!.bGain > pending[pick]!.bGain) pick = i;
      }
      const node = pending[pick]!;
      pending[pick] = pending[pending.length - 1]!;
      pending.pop();
      if (node.bFeature < 0) {
        this.finishLeaf(node);
        continue;
      }
      this.split(node, pending);
      leaves++;
    }
    for (const node of pending) this.finishLeaf(node);
    return this.tree;
  }

  /** Creates an open node, computing its sums, histogram (if large) and best split. */
  private open(start: number, end: number, depth: number, parent: number, isLeft: boolean, hist: Float64Array | null, given: Float64Array | null, parentSorted = false): Open {
    const { grad, hess, rows } = this.inp;
    const K = this.K;
    let sums = given;
    if (!sums) {
      sums = new Float64Array(this.S);
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        for (let k = 0; k < K; k++) sums[k] += grad[r * K + k]!;
        sums[K] += hess[r]!;
      }
    }
    sums[K + 1] = end - start;
    const node: Open = { start, end, depth, hist, sums, bLeft: new Float64Array(this.S), sorted: false, parent, isLeft, bFeature: -1, bBin: 0, bMissingLeft: false, bGain: 0 };
    if (!this.splittable(node)) {
      if (hist) this.inp.pool.release(hist);
      node.hist = null;
      return node;
    }
    if (end - start > this.small && !node.hist) {
      node.hist = this.inp.pool.acquire();
      buildHistogram(this.inp.data, K, grad, hess, rows, start, end, node.hist, sums);
    }
    this.sampleFeatures();
    if (node.hist) {
      if (K === 1 && this.p.criterion === 'squared') this.bestFromHistogram1(node);
      else this.bestFromHistogram(node);
    } else if (K === 1 && this.p.criterion === 'squared') {
      if (!parentSorted) this.presort(node);
      node.sorted = true;
      this.bestFromSorted1(node);
    }
    else this.bestFromSorted(node);
    return node;
  }

  private splittable(node: Open): boolean {
    const m = node.end - node.start;
    if (m < 2 * this.p.minSamplesLeaf || m < 2) return false;
    if (this.p.maxDepth > 0 && node.depth >= this.p.maxDepth) return false;
    return true;
  }

  private sampleFeatures(): void {
    const perm = this.perm;
    const F = perm.length;
    const k = this.p.featuresPerSplit > 0 && this.p.featuresPerSplit < F ? this.p.featuresPerSplit : F;
    if (k < F) {
      const rng = this.inp.rng;
      for (let i = 0; i < k; i++) {
        const j = i + rng.nextInt(F - i);
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
      }
    }
    for (let i = 0; i < k; i++) this.cand[i] = perm[i]!;
    this.numCand = k;
  }

  private score(a: Float64Array, o: number): number {
    const K = this.K;
    const H = a[o + K]!;
    if (this.p.criterion === 'entropy') {
      let s = H > 0 ? -H * Math.log(H) : 0;
      for (let k = 0; k < K; k++) {
        const c = a[o + k]!;
        if (c > 0) s += c * Math.log(c);
      }
      return s;
    }
    const d = H + this.p.lambda;
    if (K === 1) return (a[o]! * a[o]!) / d;
    let s = 0;
    for (let k = 0; k < K; k++) s += a[o + k]! * a[o + k]!;
    return s / d;
  }

  /** Considers left = `L` (right = total − L) as a split; records it on `node` if it is the best so far. */
  private consider(node: Open, f: number, b: number, missingLeft: boolean, parentScore: number): void {
    const { L, T, S, K, p } = this;
    const tot = node.sums;
    const cl = L[K + 1]!;
    const cr = tot[K + 1]! - cl;
    if (cl < p.minSamplesLeaf || cr < p.minSamplesLeaf) return;
    const hl = L[K]!;
    const hr = tot[K]! - hl;
    if (hl < p.minHessianLeaf || hr < p.minHessianLeaf) return;
    for (let k = 0; k < S; k++) T[k] = tot[k]! - L[k]!;
    const gain = this.score(L, 0) + this.score(T, 0) - parentScore;
    if (gain > node.bGain && gain > p.minGain && gain > 1e-12 * Math.abs(parentScore)) {
      node.bGain = gain;
      node.bFeature = f;
      node.bBin = b;
      node.bMissingLeft = missingLeft;
      node.bLeft.set(L);
    }
  }

  private bestFromHistogram(node: Open): void {
    const { L, S, K } = this;
    const hist = node.hist!;
    const { numBins, offsets } = this.inp.data;
    const parentScore = this.score(node.sums, 0);
    for (let c = 0; c < this.numCand; c++) {
      const f = this.cand[c]!;
      const nb = numBins[f]!;
      const base = offsets[f]! * S;
      const mo = base + nb * S;
      const missC = hist[mo + K + 1]!;
      L.fill(0);
      for (let b = 0; b < nb - 1; b++) {
        const o = base + b * S;
        if (hist[o + K + 1] === 0) continue;
        for (let k = 0; k < S; k++) L[k] += hist[o + k]!;
        this.consider(node, f, b, false, parentScore);
        if (missC > 0) {
          for (let k = 0; k < S; k++) L[k] += hist[mo + k]!;
          this.consider(node, f, b, true, parentScore);
          for (let k = 0; k < S; k++) L[k] -= hist[mo + k]!;
        }
      }
      if (missC > 0 && missC < node.sums[K + 1]!) {
        for (let k = 0; k < S; k++) L[k] = node.sums[k]! - hist[mo + k]!;
        this.consider(node, f, nb - 1, false, parentScore);
      }
    }
  }

  /** {@link bestFromHistogram} specialised for one channel and the squared criterion (boosting, regression forests). */
  private bestFromHistogram1(node: Open): void {
    const hist = node.hist!;
    const { numBins, offsets } = this.inp.data;
    const { lambda: lam, minSamplesLeaf: msl, minHessianLeaf: mh, minGain } = this.p;
    const G = node.sums[0]!;
    const H = node.sums[1]!;
    const C = node.sums[2]!;
    const parentScore = (G * G) / (H + lam);
    const floor = Math.max(minGain, 1e-12 * Math.abs(parentScore));
    let best = node.bGain;
    let bf = -1;
    let bb = 0;
    let bml = false;
    let bg = 0;
    let bh = 0;
    let bc = 0;
    for (let c = 0; c < this.numCand; c++) {
      const f = this.cand[c]!;
      const nb = numBins[f]!;
      const base = offsets[f]! * 3;
      const mo = base + nb * 3;
      const mg = hist[mo]!;
      const mhs = hist[mo + 1]!;
      const mc = hist[mo + 2]!;
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < nb - 1; b++) {
        const o = base + b * 3;
        const cb = hist[o + 2]!;
        if (cb === 0) continue;
        gl += hist[o]!;
        hl += hist[o + 1]!;
        cl += cb;
        if (cl >= msl && C - cl >= msl && hl >= mh && H - hl >= mh) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lam) + (gr * gr) / (H - hl + lam) - parentScore;
          if (gain > best && gain > floor) {
            best = gain; bf = f; bb = b; bml = false; bg = gl; bh = hl; bc = cl;
          }
        }
        if (mc > 0) {
          const g2 = gl + mg;
          const h2 = hl + mhs;
          const c2 = cl + mc;
          if (c2 >= msl && C - c2 >= msl && h2 >= mh && H - h2 >= mh) {
            const gr = G - g2;
            const gain = (g2 * g2) / (h2 + lam) + (gr * gr) / (H - h2 + lam) - parentScore;
            if (gain > best && gain > floor) {
              best = gain; bf = f; bb = b; bml = true; bg = g2; bh = h2; bc = c2;
            }
          }
        }
      }
      if (mc > 0 && mc < C) {
        const g2 = G - mg;
        const h2 = H - mhs;
        const c2 = C - mc;
        if (c2 >= msl && mc >= msl && h2 >= mh && mhs >= mh) {
          const gain = (g2 * g2) / (h2 + lam) + (mg * mg) / (mhs + lam) - parentScore;
          if (gain > best && gain > floor) {
            best = gain; bf = f; bb = nb - 1; bml = false; bg = g2; bh = h2; bc = c2;
          }
        }
      }
    }
    if (bf >= 0) {
      node.bGain = best;
      node.bFeature = bf;
      node.bBin = bb;
      node.bMissingLeft = bml;
      node.bLeft[0] = bg;
      node.bLeft[1] = bh;
      node.bLeft[2] = bc;
    }
  }

  /** Sorts the node's rows by bin for every candidate feature (stable insertion sort; nodes are small). */
  private presort(node: Open): void {
    const { bins, rows: n } = this.inp.data;
    const rows = this.inp.rows;
    const sorted = this.sorted();
    const { start, end } = node;
    for (let c = 0; c < this.perm.length; c++) {
      const base = this.perm[c]! * n;
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        const key = bins[base + r]!;
        let j = i - 1;
        while (j >= start && bins[base + sorted[base + j]!]! > key) {
          sorted[base + j + 1] = sorted[base + j]!;
          j--;
        }
        sorted[base + j + 1] = r;
      }
    }
  }

  private sortedBuf: Int32Array | null = null;
  private sorted(): Int32Array {
    if (!this.sortedBuf) {
      const need = this.inp.data.rows * this.inp.data.cols;
      const given = this.inp.sortScratch;
      this.sortedBuf = given && given.length >= need ? given : new Int32Array(need);
    }
    return this.sortedBuf;
  }

  /** Stable-partitions every feature's sorted row list of a split node (left rows are marked in `mark`). */
  private partitionSorted(node: Open, mid: number): void {
    const { rows: n } = this.inp.data;
    const rows = this.inp.rows;
    const mark = this.mark;
    for (let i = node.start; i < mid; i++) mark[rows[i]!] = 1;
    for (let i = mid; i < node.end; i++) mark[rows[i]!] = 0;
    const sorted = this.sorted();
    const tmp = this.tmp;
    for (let c = 0; c < this.perm.length; c++) {
      const base = this.perm[c]! * n;
      let w = base + node.start;
      let t = 0;
      for (let i = base + node.start; i < base + node.end; i++) {
        const r = sorted[i]!;
        if (mark[r] === 1) sorted[w++] = r;
        else tmp[t++] = r;
      }
      for (let i = 0; i < t; i++) sorted[w + i] = tmp[i]!;
    }
  }

  /** {@link bestFromSorted} over presorted row lists, for one channel and the squared criterion. */
  private bestFromSorted1(node: Open): void {
    const { bins, rows: n, numBins } = this.inp.data;
    const { grad, hess } = this.inp;
    const sorted = this.sorted();
    const { lambda: lam, minSamplesLeaf: msl, minHessianLeaf: mh, minGain } = this.p;
    const m = node.end - node.start;
    const G = node.sums[0]!;
    const H = node.sums[1]!;
    const C = m;
    const parentScore = (G * G) / (H + lam);
    const floor = Math.max(minGain, 1e-12 * Math.abs(parentScore));
    let best = node.bGain;
    let bf = -1;
    let bb = 0;
    let bml = false;
    let bg = 0;
    let bh = 0;
    let bc = 0;
    for (let c = 0; c < this.numCand; c++) {
      const f = this.cand[c]!;
      const nb = numBins[f]!;
      const base = f * n;
      const s0 = base + node.start;
      if (bins[base + sorted[s0]!] === bins[base + sorted[s0 + m - 1]!]) continue;
      let regular = m;
      let mg = 0;
      let mhs = 0;
      while (regular > 0 && bins[base + sorted[s0 + regular - 1]!] === nb) {
        regular--;
        const r = sorted[s0 + regular]!;
        mg += grad[r]!;
        mhs += hess[r]!;
      }
      const mc = m - regular;
      let gl = 0;
      let hl = 0;
      for (let i = 0; i < regular; ) {
        const b = bins[base + sorted[s0 + i]!]!;
        let r = sorted[s0 + i]!;
        while (bins[base + r] === b) {
          gl += grad[r]!;
          hl += hess[r]!;
          i++;
          if (i === regular) break;
          r = sorted[s0 + i]!;
        }
        if (i === regular) break;
        const cl = i;
        if (cl >= msl && C - cl >= msl && hl >= mh && H - hl >= mh) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lam) + (gr * gr) / (H - hl + lam) - parentScore;
          if (gain > best && gain > floor) {
            best = gain; bf = f; bb = b; bml = false; bg = gl; bh = hl; bc = cl;
          }
        }
        if (mc > 0) {
          const g2 = gl + mg;
          const h2 = hl + mhs;
          const c2 = cl + mc;
          if (c2 >= msl && C - c2 >= msl && h2 >= mh && H - h2 >= mh) {
            const gr = G - g2;
            const gain = (g2 * g2) / (h2 + lam) + (gr * gr) / (H - h2 + lam) - parentScore;
            if (gain > best && gain > floor) {
              best = gain; bf = f; bb = b; bml = true; bg = g2; bh = h2; bc = c2;
            }
          }
        }
      }
      if (mc > 0 && regular > 0 && regular >= msl && mc >= msl && H - mhs >= mh && mhs >= mh) {
        const g2 = G - mg;
        const h2 = H - mhs;
        const gain = (g2 * g2) / (h2 + lam) + (mg * mg) / (mhs + lam) - parentScore;
        if (gain > best && gain > floor) {
          best = gain; bf = f; bb = nb - 1; bml = false; bg = g2; bh = h2; bc = regular;
        }
      }
    }
    if (bf >= 0) {
      node.bGain = best;
      node.bFeature = bf;
      node.bBin = bb;
      node.bMissingLeft = bml;
      node.bLeft[0] = bg;
      node.bLeft[1] = bh;
      node.bLeft[2] = bc;
    }
  }

  private bestFromSorted(node: Open): void {
    const { L, S, K, keys } = this;
    const { bins, rows: n, numBins } = this.inp.data;
    const { rows, grad, hess } = this.inp;
    const m = node.end - node.start;
    const parentScore = this.score(node.sums, 0);
    const miss = this.miss;
    for (let c = 0; c < this.numCand; c++) {
      const f = this.cand[c]!;
      const nb = numBins[f]!;
      const base = f * n;
      for (let i = 0; i < m; i++) keys[i] = (bins[base + rows[node.start + i]!]! << 16) | i;
      const ks = keys.subarray(0, m).sort();
      miss.fill(0);
      let regular = m;
      while (regular > 0 && ks[regular - 1]! >> 16 === nb) {
        regular--;
        const r = rows[node.start + (ks[regular]! & 0xffff)]!;
        for (let k = 0; k < K; k++) miss[k] += grad[r * K + k]!;
        miss[K] += hess[r]!;
        miss[K + 1] += 1;
      }
      if (regular === 0) continue;
      L.fill(0);
      for (let i = 0; i < regular; ) {
        const b = ks[i]! >> 16;
        while (i < regular && ks[i]! >> 16 === b) {
          const r = rows[node.start + (ks[i]! & 0xffff)]!;
          for (let k = 0; k < K; k++) L[k] += grad[r * K + k]!;
          L[K] += hess[r]!;
          L[K + 1] += 1;
          i++;
        }
        if (i === regular) break;
        this.consider(node, f, b, false, parentScore);
        if (miss[K + 1]! > 0) {
          for (let k = 0; k < S; k++) L[k] += miss[k]!;
          this.consider(node, f, b, true, parentScore);
          for (let k = 0; k < S; k++) L[k] -= miss[k]!;
        }
      }
      if (miss[K + 1]! > 0) this.consider(node, f, nb - 1, false, parentScore);
    }
  }

  private split(node: Open, pending: Open[]): void {
    const { inp, tree } = this;
    const { bins, rows: n, numBins, upper } = inp.data;
    const f = node.bFeature;
    const b = node.bBin;
    const nb = numBins[f]!;
    const ml = node.bMissingLeft;
    const rows = inp.rows;
    const base = f * n;
    let i = node.start;
    let j = node.end - 1;
    while (i <= j) {
      const bin = bins[base + rows[i]!]!;
      const goLeft = bin === nb ? ml : bin <= b;
      if (goLeft) i++;
      else {
        const t = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = t;
        j--;
      }
    }
    const idx = tree.feature.length;
    tree.feature.push(f);
    tree.bin.push(b);
    tree.threshold.push(upper[f]![b]!);
    tree.missingLeft.push(ml);
    tree.left.push(0);
    tree.right.push(0);
    tree.gain.push(node.bGain);
    this.link(node, idx);
    const mid = i;
    const nl = mid - node.start;
    const nr = node.end - mid;
    let histL: Float64Array | null = null;
    let histR: Float64Array | null = null;
    if (node.hist) {
      const smallIsLeft = nl <= nr;
      const needLarge = (smallIsLeft ? nr : nl) > this.small;
      const small = inp.pool.acquire();
      const sl0 = node.bLeft;
      const sr0 = new Float64Array(this.S);
      for (let k = 0; k < this.S; k++) sr0[k] = node.sums[k]! - sl0[k]!;
      sl0[this.K + 1] = nl;
      sr0[this.K + 1] = nr;
      if (smallIsLeft) buildHistogram(inp.data, this.K, inp.grad, inp.hess, rows, node.start, mid, small, sl0);
      else buildHistogram(inp.data, this.K, inp.grad, inp.hess, rows, mid, node.end, small, sr0);
      let large: Float64Array | null = null;
      if (needLarge) {
        subtractHistogram(node.hist, small);
        large = node.hist;
      } else inp.pool.release(node.hist);
      node.hist = null;
      const smallKept = (smallIsLeft ? nl : nr) > this.small ? small : null;
      if (!smallKept) inp.pool.release(small);
      histL = smallIsLeft ? smallKept : large;
      histR = smallIsLeft ? large : smallKept;
    }
    const sl = node.bLeft;
    const sr = new Float64Array(this.S);
    for (let k = 0; k < this.S; k++) sr[k] = node.sums[k]! - sl[k]!;
    if (node.sorted) this.partitionSorted(node, mid);
    pending.push(this.open(node.start, mid, node.depth + 1, idx, true, histL, sl, node.sorted));
    pending.push(this.open(mid, node.end, node.depth + 1, idx, false, histR, sr, node.sorted));
  }

  private link(node: Open, ref: number): void {
    if (node.parent < 0) this.tree.root = ref;
    else if (node.isLeft) this.tree.left[node.parent] = ref;
    else this.tree.right[node.parent] = ref;
  }

  private finishLeaf(node: Open): void {
    if (node.hist) {
      this.inp.pool.release(node.hist);
      node.hist = null;
    }
    const t = this.tree;
    const leaf = t.leafStart.length;
    t.leafStart.push(node.start);
    t.leafEnd.push(node.end);
    const d = node.sums[this.K]! + this.p.lambda;
    for (let k = 0; k < this.K; k++) t.leafValue.push(d > 0 ? node.sums[k]! / d : 0);
    this.link(node, ~leaf);
  }
}
