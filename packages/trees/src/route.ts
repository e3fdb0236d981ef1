import type { BinnedData } from './binning.js';
import type { GrownTree } from './grow-types.js';

/** The leaf of a grown tree that binned row `r` falls into (the same leaf raw-threshold inference picks). */
export function routeBinned(tree: GrownTree, data: BinnedData, r: number): number {
  let node = tree.root;
  const { bins, rows: n, numBins } = data;
  const { feature, bin, missingLeft, left, right } = tree;
  while (node >= 0) {
    const f = feature[node]!;
    const b = bins[f * n + r]!;
    const goLeft = b === numBins[f]! ? missingLeft[node]! : b <= bin[node]!;
    node = goLeft ? left[node]! : right[node]!;
  }
  return ~node;
}
