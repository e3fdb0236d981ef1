import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { TreesError } from './errors.js';
import type { TreesMatrix } from './matrix.js';
import { decodeSerial, encodeSerial } from './serial-codec.js';
import type { GrownTree } from './grow-types.js';

/** A progress report emitted after each tree (forest) or round (boosting) is durably added. */
export interface TrainingProgress {
  /** `'gbdt'` or `'forest'`. */
  readonly learner: 'gbdt' | 'forest';
  /** Rounds or trees completed. */
  readonly completed: number;
  /** Rounds or trees planned. */
  readonly total: number;
  /** Validation loss after this round (boosting with a validation set). */
  readonly validationLoss?: number;
  /** True when the step was replayed from a checkpoint rather than trained. */
  readonly resumed?: boolean;
}

/** Where and how often training writes a checkpoint it can resume from. */
export interface CheckpointOptions {
  /** The checkpoint file (binary; written atomically: a temporary file, then a rename). */
  readonly path: string;
  /** Write after every `every` rounds or trees (default 10). */
  readonly every?: number;
}

/** Calls a progress listener; a listener that throws never breaks training. */
export function emitProgress(listener: ((p: TrainingProgress) => void) | undefined, p: TrainingProgress): void {
  if (!listener) return;
  try {
    listener(p);
  } catch {
    // a failing listener must not break training
  }
}

/** FNV-1a over the bytes of the inputs and the JSON of the options: identifies one training job. */
export function fingerprint(
  x: TreesMatrix,
  y: ArrayLike<number>,
  options: unknown,
  extra: ArrayLike<number>[] = [],
): string {
  let h = 0x811c9dc5;
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  };
  mix(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  const yy = Float64Array.from(y);
  mix(new Uint8Array(yy.buffer));
  for (const e of extra) mix(new Uint8Array(Float64Array.from(e).buffer));
  mix(new TextEncoder().encode(`${x.rows}x${x.cols}:${JSON.stringify(options)}`));
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Reads a checkpoint written for the same job (same fingerprint and kind), or undefined. */
export function readCheckpoint<T extends { fingerprint: string; kind: string }>(
  path: string,
  kind: string,
  fp: string,
): T | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: T;
  try {
    parsed = decodeSerial(new Uint8Array(readFileSync(path))) as T;
  } catch (cause) {
    throw new TreesError('CHECKPOINT', `checkpoint ${path}: cannot be read (not a checkpoint, or truncated)`, {
      operation: 'resume',
      cause,
    });
  }
  if (parsed?.kind !== kind || parsed.fingerprint !== fp) {
    throw new TreesError(
      'CHECKPOINT',
      `checkpoint ${path}: was written for a different training job (data or options differ)`,
      {
        operation: 'resume',
        details: { expected: fp, received: parsed?.fingerprint },
      },
    );
  }
  return parsed;
}

/** Writes a checkpoint atomically (a temporary file, then a rename), in the binary serial codec. */
export function writeCheckpoint(path: string, state: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeSerial(state));
  renameSync(tmp, path);
}

/** A grown tree as typed arrays, for checkpoints. */
export function packTree(t: GrownTree): Record<string, unknown> {
  return {
    feature: Int32Array.from(t.feature),
    bin: Int32Array.from(t.bin),
    threshold: Float64Array.from(t.threshold),
    missingLeft: Uint8Array.from(t.missingLeft, (m) => (m ? 1 : 0)),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    gain: Float64Array.from(t.gain),
    leafValue: Float64Array.from(t.leafValue),
    ...(t.cover && t.leafCover ? { cover: Float64Array.from(t.cover), leafCover: Float64Array.from(t.leafCover) } : {}),
    root: t.root,
  };
}

/** The inverse of {@link packTree}. */
export function unpackTree(p: Record<string, unknown>): GrownTree {
  const a = (k: string) => Array.from(p[k] as ArrayLike<number>);
  return {
    feature: a('feature'),
    bin: a('bin'),
    threshold: a('threshold'),
    missingLeft: a('missingLeft').map((m) => m === 1),
    left: a('left'),
    right: a('right'),
    gain: a('gain'),
    leafValue: a('leafValue'),
    ...(p.cover && p.leafCover ? { cover: a('cover'), leafCover: a('leafCover') } : {}),
    leafStart: [],
    leafEnd: [],
    root: p.root as number,
  };
}

/** Per-row weights from `sampleWeight` × class weights (`'balanced'`: n / (classes × count)). */
export function rowWeights(
  y: ArrayLike<number>,
  operation: string,
  sampleWeight?: ArrayLike<number>,
  classWeights?: readonly number[] | 'balanced',
  classCounts?: Float64Array,
): Float64Array {
  const n = y.length;
  const w = new Float64Array(n).fill(1);
  if (sampleWeight) {
    if (sampleWeight.length !== n) {
      throw new TreesError('INVALID_INPUT', `sampleWeight: expected ${n} weights, got ${sampleWeight.length}`, {
        operation,
      });
    }
    for (let i = 0; i < n; i++) {
      const v = sampleWeight[i]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new TreesError('INVALID_INPUT', `sampleWeight[${i}]: expected a finite number ≥ 0, got ${v}`, {
          operation,
        });
      }
      w[i] = v;
    }
  }
  if (classWeights !== undefined) {
    if (!classCounts) throw new TreesError('INVALID_OPTIONS', 'classWeights: only for classification', { operation });
    const K = classCounts.length;
    let cw: number[];
    if (classWeights === 'balanced') cw = Array.from(classCounts, (c) => (c > 0 ? n / (K * c) : 0));
    else {
      if (classWeights.length !== K || classWeights.some((v) => !(v > 0) || !Number.isFinite(v))) {
        throw new TreesError('INVALID_OPTIONS', `classWeights: expected ${K} finite numbers > 0 or 'balanced'`, {
          operation,
        });
      }
      cw = [...classWeights];
    }
    for (let i = 0; i < n; i++) w[i]! *= cw[y[i]!]!;
  }
  return w;
}

/** Throws a clear INVALID_OPTIONS error unless `value` is a number in `[min, max]` (integer if asked). */
export function checkNumber(
  operation: string,
  name: string,
  value: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new TreesError(
      'INVALID_OPTIONS',
      `${name}: expected ${integer ? 'an integer' : 'a number'} in ${min}…${max}, got ${String(value)}`,
      {
        operation,
      },
    );
  }
  return value;
}

/** Picks `k` of `0…n-1` without replacement, in ascending order. */
export function sampleSorted(n: number, k: number, rng: { nextFloat(): number }, out: Int32Array): number {
  let chosen = 0;
  for (let i = 0; i < n && chosen < k; i++) {
    if (rng.nextFloat() * (n - i) < k - chosen) out[chosen++] = i;
  }
  return chosen;
}
