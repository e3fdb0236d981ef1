import { TreeEnsemble } from './ensemble.js';
import { type EnsembleTransform, FLAG_DEFAULT_LEFT } from './ensemble-parts.js';
import type { GrownTree } from './grow-types.js';

/** Growable node arrays that become a {@link TreeEnsemble} (used by training and importers). */
export class EnsembleBuilder {
  /** Tree roots. */
  readonly roots: number[] = [];
  /** Output of each tree. */
  readonly outputs: number[] = [];
  /** Split feature per node. */
  readonly feature: number[] = [];
  /** Threshold per node. */
  readonly threshold: number[] = [];
  /** Left child per node. */
  readonly left: number[] = [];
  /** Right child per node. */
  readonly right: number[] = [];
  /** Flags per node. */
  readonly flags: number[] = [];
  /** Leaf values. */
  readonly leafValues: number[] = [];
  /** Gain per feature. */
  readonly gain: Float64Array;
  /** Split count per feature. */
  readonly splits: Float64Array;
  /** Cover per node. */
  readonly cover: number[] = [];
  /** Cover per leaf. */
  readonly leafCover: number[] = [];
  /** False once a tree without covers was added (the ensemble then has none). */
  private covered = true;

  /** Starts an empty ensemble over `numFeatures` features with `leafWidth` values per leaf. */
  constructor(
    readonly numFeatures: number,
    readonly leafWidth: number,
  ) {
    this.gain = new Float64Array(numFeatures);
    this.splits = new Float64Array(numFeatures);
  }

  /** Appends a tree described with tree-local node and leaf indices (children `< 0` are `~leaf`). */
  addTree(
    t: {
      feature: ArrayLike<number>;
      threshold: ArrayLike<number>;
      left: ArrayLike<number>;
      right: ArrayLike<number>;
      flags: ArrayLike<number>;
      gain?: ArrayLike<number>;
      leafValues: ArrayLike<number>;
      root: number;
      cover?: ArrayLike<number> | undefined;
      leafCover?: ArrayLike<number> | undefined;
    },
    output: number,
    leafScale = 1,
  ): void {
    const nodeBase = this.feature.length;
    const leafBase = this.leafValues.length / this.leafWidth;
    const map = (c: number) => (c >= 0 ? c + nodeBase : ~(~c + leafBase));
    this.roots.push(map(t.root));
    this.outputs.push(output);
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      this.feature.push(f);
      this.threshold.push(t.threshold[i]!);
      this.left.push(map(t.left[i]!));
      this.right.push(map(t.right[i]!));
      this.flags.push(t.flags[i]!);
      this.splits[f]!++;
      if (t.gain) this.gain[f]! += t.gain[i]!;
    }
    for (let i = 0; i < t.leafValues.length; i++) this.leafValues.push(leafScale * t.leafValues[i]!);
    const leaves = t.leafValues.length / this.leafWidth;
    if (t.cover?.length === t.feature.length && t.leafCover?.length === leaves) {
      for (let i = 0; i < t.cover.length; i++) this.cover.push(t.cover[i]!);
      for (let i = 0; i < leaves; i++) this.leafCover.push(t.leafCover[i]!);
    } else this.covered = false;
  }

  /** Appends a tree grown by the tree builder. */
  addGrown(tree: GrownTree, output: number, leafScale = 1): void {
    this.addTree(
      { ...tree, leafValues: tree.leafValue, flags: tree.missingLeft.map((m) => (m ? FLAG_DEFAULT_LEFT : 0)) },
      output,
      leafScale,
    );
  }

  /** Number of trees so far. */
  get numTrees(): number {
    return this.roots.length;
  }

  /** Compiles the ensemble. */
  build(meta: {
    task: 'regression' | 'classification';
    numClasses: number;
    numOutputs: number;
    transform: EnsembleTransform;
    outputScale: number;
    baseScore: ArrayLike<number>;
  }): TreeEnsemble {
    return new TreeEnsemble({
      ...meta,
      numFeatures: this.numFeatures,
      leafWidth: this.leafWidth,
      baseScore: Float64Array.from(meta.baseScore),
      treeRoots: Int32Array.from(this.roots),
      treeOutput: Int32Array.from(this.outputs),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      flags: Uint8Array.from(this.flags),
      leafValues: Float64Array.from(this.leafValues),
      importanceGain: this.gain.slice(),
      importanceSplit: this.splits.slice(),
      ...(this.covered
        ? { nodeCover: Float64Array.from(this.cover), leafCover: Float64Array.from(this.leafCover) }
        : {}),
    });
  }
}
