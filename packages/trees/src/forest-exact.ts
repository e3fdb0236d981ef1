import type { GrownTree, GrowParams } from './grow-types.js';
import type { TreesMatrix } from './matrix.js';
import type { SeededRandom } from './rng.js';

/**
 * Features prepared once per fit for exact-threshold regression trees (scikit-learn's splits: every
 * gap between two distinct training values is a candidate). Ordered features keep their rows
 * presorted by value; two-valued features without missing values (one-hot columns) are kept as
 * sparse lists of the rows holding their rarer value, so a node costs them only those rows.
 * Plain typed arrays: the object is also sent to worker threads.
 */
export interface ExactData {
  /** Number of rows. */
  readonly rows: number;
  /** Number of features. */
  readonly cols: number;
  /** Value rank of row `r`, feature `f` at `rank[f * rows + r]` (0 … `numValues[f] - 1`; `numValues[f]` = missing). */
  readonly rank: Int32Array;
  /** Distinct non-missing values per feature. */
  readonly numValues: Int32Array;
  /** Thresholds per feature: rank `v` holds values `x <= upper[f][v]` (midpoints; the last is `+Infinity`). */
  readonly upper: readonly Float64Array[];
  /** The ordered (presorted) features. */
  readonly ordered: Int32Array;
  /** Rows sorted by value (missing last) for ordered feature `j` at `order[j * rows …]`. */
  readonly order: Int32Array;
  /** Per feature: the rank listed in the sparse lists (two-valued features), else -1. */
  readonly hot: Int32Array;
  /** Sparse lists (CSR by row) of the two-valued features whose value at the row has rank `hot[f]`. */
  readonly hotPtr: Int32Array;
  /** Feature indices of the sparse lists. */
  readonly hotFeature: Int32Array;
}

/** Ranks and presorts the features of `x` (see {@link ExactData}). */
export function prepareExact(x: TreesMatrix): ExactData {
  const { rows: n, cols, data } = x;
  const rank = new Int32Array(n * cols);
  const numValues = new Int32Array(cols);
  const hot = new Int32Array(cols).fill(-1);
  const upper: Float64Array[] = [];
  const ordered: number[] = [];
  const orders: Int32Array[] = [];
  const hotCount = new Int32Array(n);
  const idx = new Int32Array(n);
  const val = new Float64Array(n);
  for (let f = 0; f < cols; f++) {
    let a = NaN;
    let b = NaN;
    let two = true;
    let missing = false;
    for (let r = 0; r < n; r++) {
      const v = data[r * cols + f]!;
      if (v !== v) {
        missing = true;
        two = false;
        break;
      }
      if (v === a || v === b) continue;
      if (a !== a) a = v;
      else if (b !== b) b = v;
      else {
        two = false;
        break;
      }
    }
    const base = f * n;
    if (two && !missing && b === b) {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      let hiCount = 0;
      for (let r = 0; r < n; r++) {
        const isHi = data[r * cols + f]! === hi ? 1 : 0;
        rank[base + r] = isHi;
        hiCount += isHi;
      }
      numValues[f] = 2;
      upper.push(Float64Array.from([midpoint(lo, hi), Infinity]));
      hot[f] = hiCount * 2 <= n ? 1 : 0;
      for (let r = 0; r < n; r++) if (rank[base + r] === hot[f]) hotCount[r]!++;
      continue;
    }
    // ordered: argsort by value, missing last
    let m = 0;
    let miss = n;
    for (let r = 0; r < n; r++) {
      const v = data[r * cols + f]!;
      if (v !== v) idx[--miss] = r;
      else idx[m++] = r;
    }
    const head = idx.subarray(0, m);
    for (let r = 0; r < n; r++) val[r] = data[r * cols + f]!;
    head.sort((i, j) => val[i]! - val[j]! || i - j);
    const ups: number[] = [];
    let v = 0;
    for (let k = 0; k < m; k++) {
      const r = idx[k]!;
      if (k > 0 && val[r]! !== val[idx[k - 1]!]!) {
        ups.push(midpoint(val[idx[k - 1]!]!, val[r]!));
        v++;
      }
      rank[base + r] = v;
    }
    const nv = m > 0 ? v + 1 : 0;
    ups.push(Infinity);
    for (let k = m; k < n; k++) rank[base + idx[k]!] = nv;
    // missing rows last, in row order
    idx.subarray(m).reverse();
    numValues[f] = nv;
    upper.push(Float64Array.from(ups));
    ordered.push(f);
    orders.push(Int32Array.from(idx));
  }
  const hotPtr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) hotPtr[r + 1] = hotPtr[r]! + hotCount[r]!;
  const hotFeature = new Int32Array(hotPtr[n]!);
  const fill = hotPtr.slice(0, n);
  for (let f = 0; f < cols; f++) {
    if (hot[f]! < 0) continue;
    const base = f * n;
    for (let r = 0; r < n; r++) if (rank[base + r] === hot[f]) hotFeature[fill[r]!++] = f;
  }
  const order = new Int32Array(ordered.length * n);
  for (let j = 0; j < orders.length; j++) order.set(orders[j]!, j * n);
  return {
    rows: n,
    cols,
    rank,
    numValues,
    upper,
    ordered: Int32Array.from(ordered),
    order,
    hot,
    hotPtr,
    hotFeature,
  };
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b ? a : m;
}

/** The leaf of a grown exact tree that training row `r` falls into. */
export function routeExact(tree: GrownTree, d: ExactData, r: number): number {
  let node = tree.root;
  const { rank, rows: n, numValues } = d;
  while (node >= 0) {
    const f = tree.feature[node]!;
    const v = rank[f * n + r]!;
    const goLeft = v === numValues[f]! ? tree.missingLeft[node]! : v <= tree.bin[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return ~node;
}

/** Reusable buffers of {@link growExactTree} (one set per thread). */
export class ExactScratch {
  readonly sorted: Int32Array;
  readonly sortedRank: Int32Array;
  readonly gh: Float64Array;
  readonly mark: Uint8Array;
  readonly tmp: Int32Array;
  readonly tmpRank: Int32Array;
  readonly hotG: Float64Array;
  readonly hotH: Float64Array;
  readonly hotC: Int32Array;
  readonly touched: Int32Array;
  readonly cand: Uint8Array;
  readonly perm: Int32Array;
  readonly lb: Int32Array;
  readonly rb: Int32Array;

  constructor(d: ExactData) {
    const n = d.rows;
    this.sorted = new Int32Array(d.ordered.length * n);
    this.sortedRank = new Int32Array(d.ordered.length * n);
    this.gh = new Float64Array(2 * n);
    this.mark = new Uint8Array(n);
    this.tmp = new Int32Array(n);
    this.tmpRank = new Int32Array(n);
    this.hotG = new Float64Array(d.cols);
    this.hotH = new Float64Array(d.cols);
    this.hotC = new Int32Array(d.cols);
    this.touched = new Int32Array(d.cols);
    this.cand = new Uint8Array(d.cols);
    this.perm = new Int32Array(d.cols);
    this.lb = new Int32Array(n);
    this.rb = new Int32Array(n);
  }
}

interface Node {
  start: number;
  end: number;
  depth: number;
  parent: number;
  isLeft: boolean;
  G: number;
  H: number;
  bFeature: number;
  bRank: number;
  bMissingLeft: boolean;
  bGain: number;
  bG: number;
  bH: number;
}

/**
 * Grows one regression tree (squared error) with exact thresholds on the in-bag rows
 * `rows[0…m)`, whose weighted target sums are `g[r] = h[r] · y[r]` and weights `h[r]`.
 * Depth-first when `maxLeaves` is 0, else best-first.
 */
export function growExactTree(
  d: ExactData,
  g: Float64Array,
  h: Float64Array,
  rows: Int32Array,
  m: number,
  p: GrowParams,
  rng: SeededRandom,
  s: ExactScratch,
): GrownTree {
  const n = d.rows;
  const { rank, numValues, ordered, order, hot, hotPtr, hotFeature, upper } = d;
  const J = ordered.length;
  const F = d.cols;
  const hasHot = hotFeature.length > 0;
  const { sorted, sortedRank, gh, mark, tmp, tmpRank, hotG, hotH, hotC, touched, cand, perm } = s;
  const msl = p.minSamplesLeaf;
  const k = p.featuresPerSplit > 0 && p.featuresPerSplit < F ? p.featuresPerSplit : F;
  for (let i = 0; i < F; i++) perm[i] = i;
  cand.fill(1);
  // presorted in-bag rows per ordered feature: the global order filtered by the bag
  mark.fill(0);
  for (let i = 0; i < m; i++) {
    const r = rows[i]!;
    mark[r] = 1;
    gh[2 * r] = g[r]!;
    gh[2 * r + 1] = h[r]!;
  }
  // the sorted lists carry each row's rank alongside, so a sweep reads memory in order
  for (let j = 0; j < J; j++) {
    const src = j * n;
    const base = ordered[j]! * n;
    let w = src;
    for (let i = src; i < src + n; i++) {
      const r = order[i]!;
      if (mark[r] === 1) {
        sorted[w] = r;
        sortedRank[w++] = rank[base + r]!;
      }
    }
  }
  const tree: GrownTree = {
    feature: [],
    bin: [],
    threshold: [],
    missingLeft: [],
    left: [],
    right: [],
    gain: [],
    leafStart: [],
    leafEnd: [],
    leafValue: [],
    cover: [],
    leafCover: [],
    root: ~0,
  };
  const link = (node: Node, ref: number) => {
    if (node.parent < 0) tree.root = ref;
    else if (node.isLeft) tree.left[node.parent] = ref;
    else tree.right[node.parent] = ref;
  };

  const findSplit = (node: Node): void => {
    const { start, end, G, H } = node;
    const C = end - start;
    node.bFeature = -1;
    node.bGain = 0;
    if (C < 2 * msl || C < 2 || (p.maxDepth > 0 && node.depth >= p.maxDepth)) return;
    if (k < F) {
      cand.fill(0);
      for (let i = 0; i < k; i++) {
        const j = i + rng.nextInt(F - i);
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
        cand[perm[i]!] = 1;
      }
    }
    const parentScore = (G * G) / H;
    const floor = Math.max(p.minGain, 1e-12 * Math.abs(parentScore));
    let best = 0;
    let bf = -1;
    let bb = 0;
    let bml = false;
    let bg = 0;
    let bh = 0;
    // two-valued features: sums over the rows listing them; the rest of the node holds the other value
    let nt = 0;
    for (let i = hasHot ? start : end; i < end; i++) {
      const r = rows[i]!;
      const e1 = hotPtr[r + 1]!;
      let e = hotPtr[r]!;
      if (e === e1) continue;
      const gr = gh[2 * r]!;
      const hr = gh[2 * r + 1]!;
      for (; e < e1; e++) {
        const f = hotFeature[e]!;
        if (hotC[f] === 0) touched[nt++] = f;
        hotG[f]! += gr;
        hotH[f]! += hr;
        hotC[f]!++;
      }
    }
    // candidates in feature order (ties go to the lower feature index, as with histograms):
    // two-valued features from their sums, ordered features by one sweep over the presorted rows
    if (nt > 1) {
      if (nt > 32) touched.subarray(0, nt).sort();
      else
        for (let a = 1; a < nt; a++) {
          const v = touched[a]!;
          let q = a;
          for (; q > 0 && touched[q - 1]! > v; q--) touched[q] = touched[q - 1]!;
          touched[q] = v;
        }
    }
    let t = 0;
    for (let j = 0; j <= J; j++) {
      const f = j < J ? ordered[j]! : F;
      while (t < nt && touched[t]! < f) {
        const fb = touched[t++]!;
        const c = hotC[fb]!;
        const hg = hotG[fb]!;
        const hh = hotH[fb]!;
        hotC[fb] = 0;
        hotG[fb] = 0;
        hotH[fb] = 0;
        if (cand[fb] === 0 || c === C || c < msl || C - c < msl) continue;
        // left = rank 0
        const gl = hot[fb] === 0 ? hg : G - hg;
        const hl = hot[fb] === 0 ? hh : H - hh;
        const gr = G - gl;
        const gain = (gl * gl) / hl + (gr * gr) / (H - hl) - parentScore;
        if (gain > best && gain > floor) {
          best = gain;
          bf = fb;
          bb = 0;
          bml = false;
          bg = gl;
          bh = hl;
        }
      }
      if (j === J || cand[f] === 0) continue;
      const s0 = j * n + start;
      const nv = numValues[f]!;
      if (sortedRank[s0] === sortedRank[s0 + C - 1]) continue;
      let regular = C;
      let mg = 0;
      let mh = 0;
      while (regular > 0 && sortedRank[s0 + regular - 1] === nv) {
        regular--;
        const r = sorted[s0 + regular]!;
        mg += gh[2 * r]!;
        mh += gh[2 * r + 1]!;
      }
      const mc = C - regular;
      let gl = 0;
      let hl = 0;
      let v = sortedRank[s0]!;
      for (let i = 0; i < regular; ) {
        const r = sorted[s0 + i]!;
        gl += gh[2 * r]!;
        hl += gh[2 * r + 1]!;
        i++;
        if (i === regular) break;
        const b = v;
        v = sortedRank[s0 + i]!;
        if (v === b) continue;
        // a boundary between ranks b and v: rows [0, i) left
        if (i >= msl && C - i >= msl) {
          const gr = G - gl;
          const gain = (gl * gl) / hl + (gr * gr) / (H - hl) - parentScore;
          if (gain > best && gain > floor) {
            best = gain;
            bf = f;
            bb = b;
            bml = false;
            bg = gl;
            bh = hl;
          }
        }
        if (mc > 0) {
          const c2 = i + mc;
          if (c2 >= msl && C - c2 >= msl) {
            const g2 = gl + mg;
            const h2 = hl + mh;
            const gr = G - g2;
            const gain = (g2 * g2) / h2 + (gr * gr) / (H - h2) - parentScore;
            if (gain > best && gain > floor) {
              best = gain;
              bf = f;
              bb = b;
              bml = true;
              bg = g2;
              bh = h2;
            }
          }
        }
      }
      if (mc > 0 && regular > 0 && regular >= msl && mc >= msl) {
        const g2 = G - mg;
        const h2 = H - mh;
        const gain = (g2 * g2) / h2 + (mg * mg) / mh - parentScore;
        if (gain > best && gain > floor) {
          best = gain;
          bf = f;
          bb = nv - 1;
          bml = false;
          bg = g2;
          bh = h2;
        }
      }
    }
    if (bf >= 0) {
      node.bFeature = bf;
      node.bRank = bb;
      node.bMissingLeft = bml;
      node.bGain = best;
      node.bG = bg;
      node.bH = bh;
    }
  };

  const free: Node[] = [];
  const open = (start: number, end: number, depth: number, parent: number, isLeft: boolean, G: number, H: number) => {
    const node: Node = free.pop() ?? {
      start: 0,
      end: 0,
      depth: 0,
      parent: 0,
      isLeft: false,
      G: 0,
      H: 0,
      bFeature: -1,
      bRank: 0,
      bMissingLeft: false,
      bGain: 0,
      bG: 0,
      bH: 0,
    };
    node.start = start;
    node.end = end;
    node.depth = depth;
    node.parent = parent;
    node.isLeft = isLeft;
    node.G = G;
    node.H = H;
    node.bRank = 0;
    node.bMissingLeft = false;
    node.bG = 0;
    node.bH = 0;
    findSplit(node);
    return node;
  };

  const leaf = (node: Node) => {
    const l = tree.leafStart.length;
    tree.leafStart.push(node.start);
    tree.leafEnd.push(node.end);
    tree.leafCover!.push(node.H);
    tree.leafValue.push(node.H > 0 ? node.G / node.H : 0);
    link(node, ~l);
    free.push(node);
  };

  const split = (node: Node, pending: Node[]) => {
    const f = node.bFeature;
    const b = node.bRank;
    const nv = numValues[f]!;
    const mlBit = node.bMissingLeft ? 1 : 0;
    const base = f * n;
    const { lb, rb } = s;
    let nl = 0;
    let nr = 0;
    for (let i = node.start; i < node.end; i++) {
      const r = rows[i]!;
      const v = rank[base + r]!;
      const goLeft = v === nv ? mlBit : +(v <= b);
      mark[r] = goLeft;
      lb[nl] = r;
      rb[nr] = r;
      nl += goLeft;
      nr += 1 - goLeft;
    }
    const mid = node.start + nl;
    for (let q = 0; q < nl; q++) rows[node.start + q] = lb[q]!;
    for (let q = 0; q < nr; q++) rows[mid + q] = rb[q]!;
    const idx = tree.feature.length;
    tree.feature.push(f);
    tree.bin.push(b);
    tree.threshold.push(upper[f]![b]!);
    tree.missingLeft.push(node.bMissingLeft);
    tree.left.push(0);
    tree.right.push(0);
    tree.gain.push(node.bGain);
    tree.cover!.push(node.H);
    link(node, idx);
    const leftSplittable = nl >= 2 * msl && nl >= 2;
    const rightSplittable = nr >= 2 * msl && nr >= 2;
    if (leftSplittable || rightSplittable) {
      for (let j = 0; j < J; j++) {
        // the split feature's own list is already [left | right] unless missing values go left
        if (ordered[j] === f && !node.bMissingLeft) continue;
        const s0 = j * n;
        let w = s0 + node.start;
        let t = 0;
        // branch-free stable partition (w <= i: a write never overtakes the read)
        for (let i = s0 + node.start; i < s0 + node.end; i++) {
          const r = sorted[i]!;
          const v = sortedRank[i]!;
          const l = mark[r]!;
          sorted[w] = r;
          sortedRank[w] = v;
          tmp[t] = r;
          tmpRank[t] = v;
          w += l;
          t += 1 - l;
        }
        // plain loops: a subarray per copy costs more than the copy in the many small nodes
        for (let q = 0; q < t; q++) {
          sorted[w + q] = tmp[q]!;
          sortedRank[w + q] = tmpRank[q]!;
        }
      }
    }
    pending.push(open(node.start, mid, node.depth + 1, idx, true, node.bG, node.bH));
    pending.push(open(mid, node.end, node.depth + 1, idx, false, node.G - node.bG, node.H - node.bH));
    free.push(node);
  };

  let G0 = 0;
  let H0 = 0;
  for (let i = 0; i < m; i++) {
    G0 += g[rows[i]!]!;
    H0 += h[rows[i]!]!;
  }
  const pending: Node[] = [open(0, m, 0, -1, true, G0, H0)];
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
      leaf(node);
      continue;
    }
    split(node, pending);
    leaves++;
  }
  for (const node of pending) leaf(node);
  return tree;
}
