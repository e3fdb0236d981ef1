import type { GrowInput, GrownTree, GrowParams } from './grow-types.js';
import { buildHistogram, buildRootHistogramUnit, histogramStride, subtractHistogram } from './histogram.js';
import { SMALL_NODE, SplitFinder, type OpenNode } from './split-finder.js';

/** Grows one tree (best-first when `maxLeaves > 0`, else depth-first). */
export function growTree(input: GrowInput, p: GrowParams): GrownTree {
  return new Grower(input, p).grow();
}

class Grower {
  private readonly K: number;
  private readonly S: number;
  private readonly freeNodes: OpenNode[] = [];
  private readonly sr: Float64Array;
  private readonly rightBuf: Int32Array;
  private readonly small: number;
  private readonly tree: GrownTree;
  private readonly finder: SplitFinder;
  private readonly coverSlot: number;

  constructor(
    private readonly inp: GrowInput,
    private readonly p: GrowParams,
  ) {
    this.K = inp.channels;
    this.S = this.K + 2;
    this.sr = new Float64Array(this.S);
    this.rightBuf = inp.partitionScratch?.[1] ?? new Int32Array(inp.numRows);
    this.finder = new SplitFinder(inp, p);
    // Below this many rows a node is searched over presorted row lists instead of a histogram:
    // worth it while sorting (features × rows) costs less than a histogram pass (slots).
    const d = inp.data;
    this.small = Math.max(0, Math.min(SMALL_NODE, Math.floor((d.totalBins * 3) / (d.cols * 4))));
    this.tree = {
      feature: [],
      bin: [],
      threshold: [],
      missingLeft: [],
      left: [],
      right: [],
      gain: [],
      leafStart: [],
      leafEnd: [],
      cover: [],
      leafCover: [],
      leafValue: [],
      root: ~0,
    };
    this.coverSlot = p.cover === 'hessian' ? this.K : this.K + 1;
  }

  grow(): GrownTree {
    const { inp, p } = this;
    const root = this.open(0, inp.numRows, 0, -1, true, null, null);
    const pending: OpenNode[] = [root];
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
  private open(
    start: number,
    end: number,
    depth: number,
    parent: number,
    isLeft: boolean,
    hist: Float64Array | null,
    given: Float64Array | null,
    parentSorted = false,
  ): OpenNode {
    const { grad, hess, rows } = this.inp;
    const K = this.K;
    const node = this.freeNodes.pop() ?? {
      start: 0,
      end: 0,
      depth: 0,
      hist: null,
      sums: new Float64Array(this.S),
      bLeft: new Float64Array(this.S),
      sorted: false,
      parent: 0,
      isLeft: false,
      bFeature: -1,
      bBin: 0,
      bMissingLeft: false,
      bGain: 0,
    };
    const sums = node.sums;
    if (given) sums.set(given);
    else {
      sums.fill(0);
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        for (let k = 0; k < K; k++) sums[k]! += grad[r * K + k]!;
        sums[K]! += hess[r]!;
      }
    }
    sums[K + 1] = end - start;
    node.start = start;
    node.end = end;
    node.depth = depth;
    node.hist = hist;
    node.sorted = false;
    node.parent = parent;
    node.isLeft = isLeft;
    node.bFeature = -1;
    node.bBin = 0;
    node.bMissingLeft = false;
    node.bGain = 0;
    if (!this.splittable(node)) {
      if (hist) this.inp.pool.release(hist);
      node.hist = null;
      return node;
    }
    if (end - start > this.small && !node.hist) {
      node.hist = this.inp.pool.acquire();
      const { data, rootCounts, unitHessian } = this.inp;
      if (rootCounts && unitHessian && K === 1 && !data.sparse && start === 0 && end === data.rows)
        buildRootHistogramUnit(data, grad, rows, node.hist, sums, rootCounts);
      else buildHistogram(data, K, grad, hess, rows, start, end, node.hist, sums, unitHessian);
    }
    this.finder.sampleFeatures();
    if (node.hist) {
      if (K === 1 && this.p.criterion === 'squared') {
        if (this.inp.unitHessian) this.finder.bestFromHistogramUnit(node);
        else this.finder.bestFromHistogram1(node);
      } else this.finder.bestFromHistogram(node);
    } else if (K === 1 && this.p.criterion === 'squared') {
      if (!parentSorted) this.finder.presort(node);
      node.sorted = true;
      this.finder.bestFromSorted1(node);
    } else this.finder.bestFromSorted(node);
    return node;
  }

  private splittable(node: OpenNode): boolean {
    const m = node.end - node.start;
    if (m < 2 * this.p.minSamplesLeaf || m < 2) return false;
    if (this.p.maxDepth > 0 && node.depth >= this.p.maxDepth) return false;
    return true;
  }

  private split(node: OpenNode, pending: OpenNode[]): void {
    const { inp, tree } = this;
    const { bins, rows: n, numBins, upper } = inp.data;
    const f = node.bFeature;
    const b = node.bBin;
    const ml = node.bMissingLeft;
    const rows = inp.rows;
    const i = partitionRows(rows, this.rightBuf, bins, f * n, node.start, node.end, b, ml ? numBins[f]! : -1);
    const idx = tree.feature.length;
    tree.feature.push(f);
    tree.bin.push(b);
    tree.threshold.push(upper[f]![b]!);
    tree.missingLeft.push(ml);
    tree.left.push(0);
    tree.right.push(0);
    tree.gain.push(node.bGain);
    tree.cover!.push(node.sums[this.coverSlot]!);
    this.link(node, idx);
    const mid = i;
    const nl = mid - node.start;
    const nr = node.end - mid;
    const sl = node.bLeft;
    const sr = this.sr;
    for (let k = 0; k < this.S; k++) sr[k] = node.sums[k]! - sl[k]!;
    sl[this.K + 1] = nl;
    sr[this.K + 1] = nr;
    let histL: Float64Array | null = null;
    let histR: Float64Array | null = null;
    if (node.hist) {
      const smallIsLeft = nl <= nr;
      const needLarge = (smallIsLeft ? nr : nl) > this.small;
      const small = inp.pool.acquire();
      if (smallIsLeft)
        buildHistogram(inp.data, this.K, inp.grad, inp.hess, rows, node.start, mid, small, sl, inp.unitHessian);
      else buildHistogram(inp.data, this.K, inp.grad, inp.hess, rows, mid, node.end, small, sr, inp.unitHessian);
      let large: Float64Array | null = null;
      if (needLarge) {
        subtractHistogram(node.hist, small, histogramStride(this.K, inp.unitHessian));
        large = node.hist;
      } else inp.pool.release(node.hist);
      node.hist = null;
      const smallKept = (smallIsLeft ? nl : nr) > this.small ? small : null;
      if (!smallKept) inp.pool.release(small);
      histL = smallIsLeft ? smallKept : large;
      histR = smallIsLeft ? large : smallKept;
    }
    if (node.sorted) this.finder.partitionSorted(node, mid);
    pending.push(this.open(node.start, mid, node.depth + 1, idx, true, histL, sl, node.sorted));
    pending.push(this.open(mid, node.end, node.depth + 1, idx, false, histR, sr, node.sorted));
    this.freeNodes.push(node);
  }

  private link(node: OpenNode, ref: number): void {
    if (node.parent < 0) this.tree.root = ref;
    else if (node.isLeft) this.tree.left[node.parent] = ref;
    else this.tree.right[node.parent] = ref;
  }

  private finishLeaf(node: OpenNode): void {
    if (node.hist) {
      this.inp.pool.release(node.hist);
      node.hist = null;
    }
    const t = this.tree;
    const leaf = t.leafStart.length;
    t.leafStart.push(node.start);
    t.leafEnd.push(node.end);
    t.leafCover!.push(node.sums[this.coverSlot]!);
    const d = node.sums[this.K]! + this.p.lambda;
    for (let k = 0; k < this.K; k++) t.leafValue.push(d > 0 ? node.sums[k]! / d : 0);
    this.link(node, ~leaf);
    this.freeNodes.push(node);
  }
}

/**
 * Stable partition of `rows[start…end)` by feature bins `bins[base + row]`: the rows with a bin
 * `<= b` (or equal to `missingBin`, the missing bin when missing values go left, else -1) first,
 * the others after them, each side in its former order. Returns the first right position.
 * Branch-free: left rows are written back in place (never ahead of the reading position), right
 * rows to `rightBuf`, which is then copied after them. A small function of its own, so that V8
 * compiles the loop alone (markedly faster than inside the tree grower's `split`).
 */
function partitionRows(
  rows: Int32Array,
  rightBuf: Int32Array,
  bins: Uint8Array,
  base: number,
  start: number,
  end: number,
  b: number,
  missingBin: number,
): number {
  let w = start;
  let nr = 0;
  if (missingBin < 0) {
    // the missing bin is above b, so `bin <= b` alone decides (missing goes right)
    for (let k = start; k < end; k++) {
      const r = rows[k]!;
      const goLeft = ((b - bins[base + r]!) >>> 31) ^ 1;
      rows[w] = r;
      rightBuf[nr] = r;
      w += goLeft;
      nr += goLeft ^ 1;
    }
  } else {
    for (let k = start; k < end; k++) {
      const r = rows[k]!;
      const bin = bins[base + r]!;
      const goLeft = bin === missingBin ? 1 : ((b - bin) >>> 31) ^ 1;
      rows[w] = r;
      rightBuf[nr] = r;
      w += goLeft;
      nr += goLeft ^ 1;
    }
  }
  rows.set(rightBuf.subarray(0, nr), w);
  return w;
}
