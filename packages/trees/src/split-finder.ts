import type { GrowInput, GrowParams } from './grow-types.js';

/** Largest node searched over presorted row lists instead of a histogram. */
export const SMALL_NODE = 128;

/**
 * Relative slack of the division-free screen of split candidates. A candidate's gain is
 * `gl²/dl + gr²/dr − parent` (`dl`, `dr`: the hessian sums plus lambda, both > 0 when lambda or
 * the minimum leaf hessian is > 0); it can only beat the best so far if
 * `gl²·dr + gr²·dl > (best + parent)·dl·dr`, which costs multiplications instead of two
 * divisions. The screen rejects a candidate only when it fails that test by more than this
 * relative margin, far above the rounding error of either form, so every candidate that the
 * exact test (with the divisions, unchanged) would accept still reaches it: the chosen splits
 * are exactly those of the plain search.
 */
const PRESCREEN = 1e-9;

/** The bar of the division-free screen: `(max(best, floor) + parent)·(1 − PRESCREEN)`, or −∞ (no screen) when `screen` is false. */
function screenBar(best: number, floor: number, parentScore: number, screen: boolean): number {
  return screen ? (Math.max(best, floor) + parentScore) * (1 - PRESCREEN) : -Infinity;
}

/** A node waiting to be split or closed as a leaf, with its best split so far. */
export interface OpenNode {
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

/**
 * Finds the best split of a node: from its histogram (large nodes), or from row lists presorted
 * by bin (small nodes), with specialised loops for one channel and the squared criterion.
 */
export class SplitFinder {
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
  private markBuf: Uint8Array | null = null;
  private readonly binCount = new Int32Array(258);

  /** Prepares scratch buffers for one tree. */
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
  }

  sampleFeatures(): void {
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
  private consider(node: OpenNode, f: number, b: number, missingLeft: boolean, parentScore: number): void {
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

  bestFromHistogram(node: OpenNode): void {
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
        for (let k = 0; k < S; k++) L[k]! += hist[o + k]!;
        this.consider(node, f, b, false, parentScore);
        if (missC > 0) {
          for (let k = 0; k < S; k++) L[k]! += hist[mo + k]!;
          this.consider(node, f, b, true, parentScore);
          for (let k = 0; k < S; k++) L[k]! -= hist[mo + k]!;
        }
      }
      if (missC > 0 && missC < node.sums[K + 1]!) {
        for (let k = 0; k < S; k++) L[k] = node.sums[k]! - hist[mo + k]!;
        this.consider(node, f, nb - 1, false, parentScore);
      }
    }
  }

  /** {@link bestFromHistogram} specialised for one channel and the squared criterion (boosting, regression forests). */
  bestFromHistogram1(node: OpenNode): void {
    const hist = node.hist!;
    const { numBins, offsets } = this.inp.data;
    const { lambda: lam, minSamplesLeaf: msl, minHessianLeaf: mh, minGain } = this.p;
    const G = node.sums[0]!;
    const H = node.sums[1]!;
    const C = node.sums[2]!;
    const parentScore = (G * G) / (H + lam);
    const floor = Math.max(minGain, 1e-12 * Math.abs(parentScore));
    let best = node.bGain;
    const screen = lam > 0 || mh > 0;
    let bar = screenBar(best, floor, parentScore, screen);
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
      if (mc === 0) {
        // no missing values: as in bestFromHistogramUnit (empty bins are exact zeros and need no
        // test; the exact integer counts end the scan)
        for (let b = 0; b < nb - 1; b++) {
          const o = base + b * 3;
          gl += hist[o]!;
          hl += hist[o + 1]!;
          cl += hist[o + 2]!;
          if (cl < msl) continue;
          if (C - cl < msl) break;
          if (hl < mh || H - hl < mh) continue;
          const gr = G - gl;
          const dl = hl + lam;
          const dr = H - hl + lam;
          if (gl * gl * dr + gr * gr * dl <= bar * dl * dr) continue;
          const gain = (gl * gl) / dl + (gr * gr) / dr - parentScore;
          if (gain > best && gain > floor) {
            best = gain;
            bar = screenBar(best, floor, parentScore, screen);
            bf = f;
            bb = b;
            bml = false;
            bg = gl;
            bh = hl;
            bc = cl;
          }
        }
        continue;
      }
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
            best = gain;
            bar = screenBar(best, floor, parentScore, screen);
            bf = f;
            bb = b;
            bml = false;
            bg = gl;
            bh = hl;
            bc = cl;
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
              best = gain;
              bar = screenBar(best, floor, parentScore, screen);
              bf = f;
              bb = b;
              bml = true;
              bg = g2;
              bh = h2;
              bc = c2;
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
            best = gain;
            bar = screenBar(best, floor, parentScore, screen);
            bf = f;
            bb = nb - 1;
            bml = false;
            bg = g2;
            bh = h2;
            bc = c2;
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

  /** {@link bestFromHistogram1} for unit hessians (unweighted squared error): a bin's hessian sum is its count, and the histogram has no hessian slot (`[G, count]` per bin). */
  bestFromHistogramUnit(node: OpenNode): void {
    const hist = node.hist!;
    const { numBins, offsets } = this.inp.data;
    const { lambda: lam, minSamplesLeaf: msl, minHessianLeaf: mh, minGain } = this.p;
    const G = node.sums[0]!;
    const C = node.sums[2]!;
    const H = C;
    const lo = Math.max(msl, mh);
    const parentScore = (G * G) / (H + lam);
    const floor = Math.max(minGain, 1e-12 * Math.abs(parentScore));
    let best = node.bGain;
    const screen = lam > 0 || mh > 0;
    let bar = screenBar(best, floor, parentScore, screen);
    let bf = -1;
    let bb = 0;
    let bml = false;
    let bg = 0;
    let bh = 0;
    let bc = 0;
    for (let c = 0; c < this.numCand; c++) {
      const f = this.cand[c]!;
      const nb = numBins[f]!;
      const base = offsets[f]! * 2;
      const mo = base + nb * 2;
      const mg = hist[mo]!;
      const mc = hist[mo + 1]!;
      const mhs = mc;
      let gl = 0;
      let cl = 0;
      if (mc === 0) {
        // No missing values. Empty bins hold exact zeros (see subtractHistogram), so adding one
        // repeats the previous threshold, which cannot beat itself: no test for them. Counts are
        // exact integers, so once the right side is below the minimum, no later bin can pass.
        for (let b = 0; b < nb - 1; b++) {
          const o = base + b * 2;
          gl += hist[o]!;
          cl += hist[o + 1]!;
          if (cl < lo) continue;
          if (C - cl < lo) break;
          const gr = G - gl;
          const dl = cl + lam;
          const dr = C - cl + lam;
          // division-free screen (see PRESCREEN), then the exact gain
          if (gl * gl * dr + gr * gr * dl <= bar * dl * dr) continue;
          const gain = (gl * gl) / dl + (gr * gr) / dr - parentScore;
          if (gain > best && gain > floor) {
            best = gain;
            bar = screenBar(best, floor, parentScore, screen);
            bf = f;
            bb = b;
            bml = false;
            bg = gl;
            bh = cl;
            bc = cl;
          }
        }
        continue;
      }
      for (let b = 0; b < nb - 1; b++) {
        const o = base + b * 2;
        const cb = hist[o + 1]!;
        if (cb === 0) continue;
        gl += hist[o]!;
        cl += cb;
        // the right side only shrinks from here: no later threshold can pass
        if (C - cl < lo) break;
        if (cl >= lo) {
          const gr = G - gl;
          const dl = cl + lam;
          const dr = C - cl + lam;
          // division-free screen (see PRESCREEN), then the exact gain
          if (!(gl * gl * dr + gr * gr * dl <= bar * dl * dr)) {
            const gain = (gl * gl) / dl + (gr * gr) / dr - parentScore;
            if (gain > best && gain > floor) {
              best = gain;
              bar = screenBar(best, floor, parentScore, screen);
              bf = f;
              bb = b;
              bml = false;
              bg = gl;
              bh = cl;
              bc = cl;
            }
          }
        }
        if (mc > 0) {
          const g2 = gl + mg;
          const c2 = cl + mc;
          const h2 = c2;
          if (c2 >= msl && C - c2 >= msl && h2 >= mh && H - h2 >= mh) {
            const gr = G - g2;
            const gain = (g2 * g2) / (h2 + lam) + (gr * gr) / (H - h2 + lam) - parentScore;
            if (gain > best && gain > floor) {
              best = gain;
              bar = screenBar(best, floor, parentScore, screen);
              bf = f;
              bb = b;
              bml = true;
              bg = g2;
              bh = h2;
              bc = c2;
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
            best = gain;
            bar = screenBar(best, floor, parentScore, screen);
            bf = f;
            bb = nb - 1;
            bml = false;
            bg = g2;
            bh = h2;
            bc = c2;
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

  /** Sorts the node's rows by bin for every candidate feature (stable counting sort over the ≤ 256 bins). */
  presort(node: OpenNode): void {
    const { bins, rows: n, numBins } = this.inp.data;
    const rows = this.inp.rows;
    const sorted = this.sorted();
    const cnt = this.binCount;
    const { start, end } = node;
    for (let c = 0; c < this.perm.length; c++) {
      const f = this.perm[c]!;
      const base = f * n;
      const nb = numBins[f]! + 1;
      cnt.fill(0, 0, nb + 1);
      for (let i = start; i < end; i++) cnt[bins[base + rows[i]!]! + 1]!++;
      for (let b = 1; b <= nb; b++) cnt[b]! += cnt[b - 1]!;
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        sorted[base + start + cnt[bins[base + r]!]!++] = r;
      }
    }
  }

  private sortedBuf: Int32Array | null = null;
  private sorted(): Int32Array {
    if (!this.sortedBuf) {
      const need = this.inp.data.rows * this.inp.data.cols;
      const holder = this.inp.sortScratch;
      if (holder?.buf && holder.buf.length >= need) this.sortedBuf = holder.buf;
      else {
        this.sortedBuf = new Int32Array(need);
        if (holder) holder.buf = this.sortedBuf;
      }
    }
    return this.sortedBuf;
  }

  /** One byte per row (left-of-split marks), allocated on first use and kept in `sortScratch` across trees. */
  private mark(): Uint8Array {
    if (!this.markBuf) {
      const need = this.inp.data.rows;
      const holder = this.inp.sortScratch;
      if (holder?.mark && holder.mark.length >= need) this.markBuf = holder.mark;
      else {
        this.markBuf = new Uint8Array(need);
        if (holder) holder.mark = this.markBuf;
      }
    }
    return this.markBuf;
  }

  /** Stable-partitions every feature's sorted row list of a split node (left rows are marked in `mark`). */
  partitionSorted(node: OpenNode, mid: number): void {
    const { rows: n } = this.inp.data;
    const rows = this.inp.rows;
    const mark = this.mark();
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
  bestFromSorted1(node: OpenNode): void {
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
            best = gain;
            bf = f;
            bb = b;
            bml = false;
            bg = gl;
            bh = hl;
            bc = cl;
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
              best = gain;
              bf = f;
              bb = b;
              bml = true;
              bg = g2;
              bh = h2;
              bc = c2;
            }
          }
        }
      }
      if (mc > 0 && regular > 0 && regular >= msl && mc >= msl && H - mhs >= mh && mhs >= mh) {
        const g2 = G - mg;
        const h2 = H - mhs;
        const gain = (g2 * g2) / (h2 + lam) + (mg * mg) / (mhs + lam) - parentScore;
        if (gain > best && gain > floor) {
          best = gain;
          bf = f;
          bb = nb - 1;
          bml = false;
          bg = g2;
          bh = h2;
          bc = regular;
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

  bestFromSorted(node: OpenNode): void {
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
        for (let k = 0; k < K; k++) miss[k]! += grad[r * K + k]!;
        miss[K]! += hess[r]!;
        miss[K + 1]! += 1;
      }
      if (regular === 0) continue;
      L.fill(0);
      for (let i = 0; i < regular; ) {
        const b = ks[i]! >> 16;
        while (i < regular && ks[i]! >> 16 === b) {
          const r = rows[node.start + (ks[i]! & 0xffff)]!;
          for (let k = 0; k < K; k++) L[k]! += grad[r * K + k]!;
          L[K]! += hess[r]!;
          L[K + 1]! += 1;
          i++;
        }
        if (i === regular) break;
        this.consider(node, f, b, false, parentScore);
        if (miss[K + 1]! > 0) {
          for (let k = 0; k < S; k++) L[k]! += miss[k]!;
          this.consider(node, f, b, true, parentScore);
          for (let k = 0; k < S; k++) L[k]! -= miss[k]!;
        }
      }
      if (miss[K + 1]! > 0) this.consider(node, f, nb - 1, false, parentScore);
    }
  }
}
