/**
 * Artifacts checked whole: an artifact changed and re-sealed (so its digest is valid) either fails
 * to load with an ArtifactError naming the part, or loads and predicts every valid row without
 * throwing. Real artifacts (linear / ridge on a one-hot pipeline, gbdt regression, a logistic and a
 * forest classifier, a binary gbdt) are built here with core's own APIs, then mutated structurally.
 */
import { describe, expect, it } from 'vitest';
import { encodeArtifact, isModelshipError, loadModel, type Model, type ModelArtifact } from '../src/index.js';
import { buildArtifacts, rng, rows } from './mixed-artifacts.js';
import { decodeArtifact, encodeContainer } from '../src/artifact/codec.js';

type Path = (string | number)[];
type Box = Record<string | number, unknown>;

/** A deep copy (typed arrays copied, so a mutation never touches the base artifact). */
function clone<T>(v: T): T {
  if (ArrayBuffer.isView(v)) return (v as unknown as Float64Array).slice() as T;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

/** A deep copy whose top-level fields can be reassigned. */
function draft(a: ModelArtifact): { -readonly [K in keyof ModelArtifact]: ModelArtifact[K] } {
  return clone(a);
}

/** Every path under the parts a prediction uses (not metrics, params, tags…). */
function paths(a: ModelArtifact): { path: Path; value: unknown }[] {
  const out: { path: Path; value: unknown }[] = [];
  const walk = (v: unknown, path: Path): void => {
    out.push({ path, value: v });
    if (ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) v.forEach((x, i) => void walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  for (const k of ['task', 'schema', 'categories', 'target', 'pipeline', 'learner'] as const)
    if (a[k] !== undefined) walk(a[k], [k]);
  return out;
}

function parentOf(root: unknown, path: Path): { box: Box; key: string | number } {
  let box = root as Box;
  for (const k of path.slice(0, -1)) box = box[k] as Box;
  return { box, key: path[path.length - 1]! };
}

const NUMBERS = [0, 1, -1, 2, 0.5, 1e9, -1e308, Number.NaN, Number.POSITIVE_INFINITY, 3, 255, 2 ** 31 - 1];
const STRINGS = ['', 'other', 'city', 'rooms', 'zip', 'numeric', 'onehot', 'hash', 'levels', 'softmax', 'sigmoid'];

/** One structural mutation of `a` (in place); returns its description. */
function mutate(a: ModelArtifact, others: readonly ModelArtifact[], r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const all = paths(a).filter((p) => p.path.length > 1);
  const where = (p: Path): string => p.join('.');
  const op = r();
  if (op < 0.08) {
    // swap a whole part with another artifact's
    const part = pick(['pipeline', 'learner', 'schema', 'target', 'task'] as const);
    const from = pick(others);
    (a as unknown as Box)[part] = clone(from[part]);
    return `swap ${part} from a ${from.learner.kind} ${from.task} artifact`;
  }
  if (op < 0.45) {
    // typed arrays: drop, append, truncate, or set an element
    const arrays = all.filter((p) => ArrayBuffer.isView(p.value));
    const { path, value } = pick(arrays);
    const ta = value as Float64Array;
    const Ctor = ta.constructor as new (n: number) => Float64Array;
    const { box, key } = parentOf(a, path);
    const kind = r();
    if (kind < 0.3) {
      const next = new Ctor(ta.length + 1);
      next.set(ta);
      next[ta.length] = ta[Math.floor(r() * ta.length)] ?? 0;
      box[key] = next;
      return `append to ${where(path)}`;
    }
    if (kind < 0.6 && ta.length > 0) {
      const i = Math.floor(r() * ta.length);
      const next = new Ctor(ta.length - 1);
      next.set(ta.subarray(0, i));
      next.set(ta.subarray(i + 1), i);
      box[key] = next;
      return `drop ${where(path)}[${i}]`;
    }
    if (kind < 0.7) {
      box[key] = ta.slice(0, Math.floor(ta.length / 2));
      return `halve ${where(path)}`;
    }
    if (ta.length === 0) return 'no-op';
    const i = Math.floor(r() * ta.length);
    ta[i] = pick([...NUMBERS, -2, ta.length, ta[i]! + 1]);
    return `set ${where(path)}[${i}] = ${ta[i]}`;
  }
  if (op < 0.62) {
    // a numeric field
    const nums = all.filter((p) => typeof p.value === 'number');
    const { path, value } = pick(nums);
    const { box, key } = parentOf(a, path);
    box[key] = pick([...NUMBERS, (value as number) + 1, (value as number) - 1, (value as number) * 2]);
    return `set ${where(path)} = ${String(box[key])}`;
  }
  if (op < 0.72) {
    // a class list or a levels list: drop, append, rename, duplicate, reverse
    const lists = all.filter(
      (p) => Array.isArray(p.value) && (p.value as unknown[]).every((x) => typeof x === 'string'),
    );
    const { path, value } = pick(lists);
    const list = [...(value as string[])];
    const { box, key } = parentOf(a, path);
    const k = Math.floor(r() * 5);
    if (k === 0) list.pop();
    else if (k === 1) list.push(`extra${Math.floor(r() * 3)}`);
    else if (k === 2 && list.length > 0) list[Math.floor(r() * list.length)] = pick(['renamed', 'other', 'low']);
    else if (k === 3 && list.length > 0) list.push(list[0]!);
    else list.reverse();
    box[key] = list;
    return `${['pop', 'push', 'rename', 'duplicate', 'reverse'][k]} ${where(path)}`;
  }
  if (op < 0.84) {
    // a feature step: spec and state together or apart
    const p = a.pipeline as { spec: { features: Box[] }; steps: Box[] };
    if (typeof p !== 'object' || p === null || !Array.isArray(p.spec?.features)) return 'no-op';
    const i = Math.floor(r() * p.spec.features.length);
    const k = Math.floor(r() * 6);
    if (k === 0) {
      p.spec.features.splice(i, 1);
      p.steps.splice(i, 1);
      return `remove step ${i}`;
    }
    if (k === 1) {
      p.spec.features.push(clone(p.spec.features[i]!));
      p.steps.push(clone(p.steps[i]!));
      return `duplicate step ${i}`;
    }
    if (k === 2) {
      const f = p.spec.features[i]!;
      if ('column' in f) f.column = pick(['city', 'rooms', 'age', 'tag', 'sqft', 'zip', 'price']);
      else f.columns = [pick(['city', 'tag', 'zip', 'rooms'])];
      return `step ${i} reads another column`;
    }
    if (k === 3) {
      const s = p.steps[i]!;
      if (s.type === 'numeric') s.impute = null;
      else if (s.type === 'levels') s.fill = s.fill === null ? 'north' : null;
      return `step ${i} state loses or gains its fill`;
    }
    if (k === 4) {
      const j = Math.floor(r() * p.spec.features.length);
      [p.spec.features[i], p.spec.features[j]] = [p.spec.features[j]!, p.spec.features[i]!];
      return `swap step specs ${i} and ${j}`;
    }
    const f = p.spec.features[i]!;
    if (f.type === 'hash') f.buckets = pick([1, 3, 5, 8]);
    else if (f.type === 'onehot') f.dropLevel = pick(['north', 'south', '2']);
    else f.standardize = !f.standardize;
    return `change step ${i} options`;
  }
  if (op < 0.94) {
    // the input schema
    const cols = a.schema.columns as unknown as Record<string, Box>;
    const names = Object.keys(cols);
    const name = pick(names);
    const k = Math.floor(r() * 6);
    if (k === 0) delete cols[name];
    else if (k === 1) cols[name]!.required = false;
    else if (k === 2) cols[name]!.role = pick(['target', 'id']);
    else if (k === 3) {
      const c = cols[name]!;
      cols[name] = c.type === 'numeric' ? { type: 'categorical' } : { type: 'numeric' };
    } else if (k === 4) cols[pick(['zip', 'price', 'label'])] = { type: pick(['numeric', 'categorical']) };
    else if (cols[name]!.type === 'categorical') cols[name]!.categories = ['north', 'south', 'a'];
    else cols[name]!.max = 4;
    return `schema ${['drop', 'optional', 'role', 'retype', 'add', 'narrow'][k]} ${name}`;
  }
  // strings and kinds: learner kind, transform, task, target kind
  const strs = all.filter((p) => typeof p.value === 'string');
  const { path } = pick(strs);
  const { box, key } = parentOf(a, path);
  box[key] = pick([...STRINGS, 'linear', 'logistic', 'gbdt', 'forest', 'regression', 'classification', 'categorical']);
  return `set ${where(path)} = '${String(box[key])}'`;
}

/** Valid rows for a loaded model's own schema: training-like values, edges, and missing optional values. */
function validRows(model: Model, r: () => number): Record<string, unknown>[] {
  const base = rows(12, 99);
  const out: Record<string, unknown>[] = [];
  for (const row of base) {
    const v: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(model.schema.columns)) {
      if (spec.role === 'target' || spec.role === 'id') continue;
      if (spec.required === false && r() < 0.25) continue;
      if (spec.type === 'categorical') {
        const seen = row[name];
        v[name] = spec.categories
          ? spec.categories[Math.floor(r() * spec.categories.length)]
          : typeof seen === 'string' && r() < 0.8
            ? seen
            : pick(r, ['never-seen', 'north', 'a', '3']);
      } else {
        let x = typeof row[name] === 'number' ? (row[name] as number) : Math.round(r() * 10);
        if (r() < 0.15) x = pick(r, [0, 1, 10_000]);
        if (spec.min !== undefined && x < spec.min) x = spec.min;
        if (spec.max !== undefined && x > spec.max) x = spec.max;
        if (spec.integer) x = Math.round(x);
        if ((spec.max !== undefined && x > spec.max) || (spec.min !== undefined && x < spec.min)) x = spec.min ?? 0;
        v[name] = x;
      }
    }
    out.push(v);
  }
  return out;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Re-seals `a` (a valid digest even when encodeArtifact refuses the content). */
function seal(a: ModelArtifact): Uint8Array {
  try {
    return encodeArtifact(a);
  } catch {
    return encodeContainer(1, a);
  }
}

function rejection(bytes: Uint8Array, via: 'loadModel' | 'decodeArtifact' = 'loadModel'): string {
  try {
    if (via === 'loadModel') loadModel(bytes);
    else decodeArtifact(bytes);
  } catch (err) {
    expect(isModelshipError(err, 'ArtifactError', 'INVALID_ARTIFACT')).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`${via} accepted the artifact`);
}

describe('artifacts checked whole: each part named', async () => {
  const [linear, gbdt, logistic, forest, binary] = await buildArtifacts();
  const width = loadModel(linear!).featureNames.length;

  it('a coefficient more than the pipeline has features', () => {
    const a = draft(linear!);
    const s = a.learner.state as { coef: Float64Array };
    s.coef = Float64Array.of(...s.coef, 0.5);
    expect(rejection(seal(a))).toBe(
      `loadModel: learner.state.coef: expected ${width} features (the pipeline's output width), got ${width + 1}`,
    );
  });

  it('a tree ensemble of another width, a learner of another task, another class count', () => {
    const swapped = { ...clone(linear!), learner: clone(binary!.learner) };
    expect(rejection(seal(swapped))).toMatch(
      /^loadModel: learner\.state: a classification learner, but the artifact's task is regression$/,
    );
    const g = draft(gbdt!);
    (
      g.learner.state as {
        ensemble: { numFeatures: number; importanceGain: Float64Array; importanceSplit: Float64Array };
      }
    ).ensemble.numFeatures += 1;
    const e = (g.learner.state as { ensemble: { importanceGain: Float64Array; importanceSplit: Float64Array } })
      .ensemble;
    e.importanceGain = Float64Array.of(...e.importanceGain, 0);
    e.importanceSplit = Float64Array.of(...e.importanceSplit, 0);
    expect(rejection(seal(g))).toBe(
      `loadModel: learner.state.ensemble.numFeatures: expected ${width} features (the pipeline's output width), got ${width + 1}`,
    );
    const f = draft(forest!);
    (f.learner.state as { task: string }).task = 'regression';
    f.task = 'regression';
    expect(rejection(seal(f))).toMatch(/target\.kind: expected 'numeric' for regression/);
  });

  it('learner states inconsistent in themselves', () => {
    const l = draft(logistic!);
    const s = l.learner.state as { center: Float64Array };
    s.center = s.center.slice(1);
    expect(rejection(seal(l))).toMatch(/logistic: state\.center: expected \d+ values \(numFeatures\), got \d+/);
    const g = draft(gbdt!);
    (g.learner.state as { task: string }).task = 'classification';
    expect(rejection(seal(g))).toMatch(
      /gbdt: state\.ensemble\.task: is 'regression' but state\.task is 'classification'/,
    );
    const b = draft(binary!);
    (b.learner.state as { ensemble: { transform: string } }).ensemble.transform = 'softmax';
    expect(rejection(seal(b))).toMatch(
      /gbdt: state\.ensemble\.numOutputs: expected one output per class \(2\) with 'softmax', got 1/,
    );
    const lv = draft(forest!);
    (lv.learner.state as { ensemble: { leafValues: Float64Array } }).ensemble.leafValues[0] = Number.NaN;
    expect(rejection(seal(lv))).toMatch(/forest: state\.ensemble\.leafValues\[0\]: expected a finite number, got NaN/);
  });

  it('class labels that do not match the learner or the pipeline', () => {
    const c = draft(logistic!);
    c.target = { ...c.target, classes: ['high', 'low', 'mid', 'top'] };
    expect(rejection(seal(c), 'decodeArtifact')).toMatch(
      /^decodeArtifact: target\.classes: \['high', 'low', 'mid', 'top'\] do not match the pipeline's target classes \['high', 'low', 'mid'\]/,
    );
    // without a target in the pipeline, the learner's class count is what the labels must match
    const p = draft(logistic!);
    (p.pipeline as { spec: { target?: unknown }; target: unknown }).spec.target = undefined;
    (p.pipeline as { target: unknown }).target = null;
    p.target = { ...p.target, classes: ['a', 'b'] };
    expect(rejection(seal(p))).toMatch(
      /^loadModel: learner\.state\.numClasses: expected 2 classes \(target\.classes \['a', 'b'\]\), got 3$/,
    );
    const f = draft(forest!);
    (f.pipeline as { spec: { target?: unknown }; target: unknown }).spec.target = undefined;
    (f.pipeline as { target: unknown }).target = null;
    f.target = { ...f.target, classes: ['a', 'b', 'c', 'd'] };
    expect(rejection(seal(f))).toMatch(/^loadModel: learner\.state\.ensemble\.numClasses: expected 4 classes/);
  });

  it('an input schema that does not give the pipeline what it reads (decodeArtifact already says so)', () => {
    const cases: [(cols: Record<string, Record<string, unknown>>) => void, RegExp][] = [
      [
        (c) => delete c.city,
        /^decodeArtifact: schema\.columns\.city: missing; the pipeline reads it \(pipeline\.spec\.features\[3\] \(onehot\)\)$/,
      ],
      [
        (c) => void (c.sqft = { type: 'categorical' }),
        /^decodeArtifact: schema\.columns\.sqft: is categorical, but the pipeline reads it as a number \(pipeline\.spec\.derive\[0\] \(log1p 'log_sqft'\)\)$/,
      ],
      [
        (c) => void (c.rooms = { type: 'numeric', required: false }),
        /^decodeArtifact: schema\.columns\.rooms: is optional \(required: false\), but the pipeline has no fill for a missing value \(pipeline\.spec\.features\[1\] \(numeric\)\)$/,
      ],
      [
        (c) => void (c.city = { type: 'categorical', role: 'id' }),
        /^decodeArtifact: schema\.columns\.city: has role 'id', not a feature/,
      ],
    ];
    for (const [change, message] of cases) {
      const a = draft(linear!);
      change(a.schema.columns as unknown as Record<string, Record<string, unknown>>);
      const bytes = seal(a);
      expect(rejection(bytes, 'decodeArtifact')).toMatch(message);
      expect(rejection(bytes)).toMatch(message);
    }
    // optional columns the pipeline imputes (age) or hashes (tag) are fine
    const ok = loadModel(linear!);
    expect(() => ok.predict({ city: 'north', sqft: 900, rooms: 2 })).not.toThrow();
  });

  it('a pipeline whose steps are not its spec', () => {
    const a = draft(linear!);
    const p = a.pipeline as { steps: unknown[] };
    p.steps = p.steps.slice(1);
    expect(rejection(seal(a), 'decodeArtifact')).toMatch(
      /^decodeArtifact: pipeline: cannot be loaded: FeaturePipeline\.fromJSON: expected 6 step states, got 5/,
    );
  });

  it('artifacts whose pipeline is not a modelship feature pipeline still decode (loadModel rejects them)', () => {
    const a = { ...clone(linear!), pipeline: { kind: 'test-pipeline' } };
    expect(decodeArtifact(encodeArtifact(a)).pipeline).toEqual({ kind: 'test-pipeline' });
    expect(rejection(encodeArtifact(a))).toMatch(/^loadModel: pipeline: cannot be loaded/);
  });
});

describe('artifacts checked whole: re-sealed mutations', () => {
  it('1,200 seeded mutations: each is rejected at load with an ArtifactError, or loads and predicts every valid row', async () => {
    const bases = await buildArtifacts();
    // the unmutated artifacts load and predict (the check rejects nothing real)
    for (const b of bases) {
      const m = loadModel(encodeArtifact(b));
      for (const row of validRows(m, rng(5))) expect(() => m.predict(row)).not.toThrow();
    }
    const r = rng(20261123);
    const N = 1200;
    let loaded = 0;
    let rejected = 0;
    let resealedRaw = 0;
    let nonFinite = 0;
    let predictions = 0;
    const failedAfterLoad: string[] = [];
    const badErrors: string[] = [];
    const rejectedBy = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const b = bases[i % bases.length]!;
      const a = clone(b);
      const ops = 1 + (r() < 0.25 ? 1 : 0) + (r() < 0.08 ? 1 : 0);
      const what: string[] = [];
      for (let j = 0; j < ops; j++)
        what.push(
          mutate(
            a,
            bases.filter((x) => x !== b),
            r,
          ),
        );
      let bytes: Uint8Array;
      try {
        bytes = encodeArtifact(a);
      } catch {
        // encodeArtifact refuses it: seal it anyway (valid digest), as an adversary would
        bytes = encodeContainer(1, a);
        resealedRaw++;
      }
      let model: Model;
      try {
        model = loadModel(bytes);
      } catch (err) {
        rejected++;
        if (!isModelshipError(err, 'ArtifactError', 'INVALID_ARTIFACT'))
          badErrors.push(`${what.join(' + ')}: ${(err as Error).name} ${(err as Error).message}`);
        const msg = (err as Error).message;
        const m = /^(?:loadModel|decodeArtifact): (?:the artifact's )?([\w-]+)/.exec(msg);
        const part = m?.[1] ?? (/^invalid model artifact/.test(msg) ? 'content (zod)' : 'container');
        rejectedBy.set(part, (rejectedBy.get(part) ?? 0) + 1);
        continue;
      }
      loaded++;
      for (const row of validRows(model, r)) {
        try {
          const p = model.predict(row);
          predictions++;
          if (typeof p.value === 'number' ? !Number.isFinite(p.value) : !model.classes?.includes(p.value)) nonFinite++;
        } catch (err) {
          failedAfterLoad.push(`${what.join(' + ')}: ${(err as Error).message} on ${JSON.stringify(row)}`);
          break;
        }
      }
    }
    const summary = {
      mutations: N,
      loaded,
      rejected,
      resealedWithoutEncodeArtifact: resealedRaw,
      loadedThenFailed: failedAfterLoad.length,
      predictions,
      nonFiniteOrUnknownPredictions: nonFinite,
      rejectedBy: Object.fromEntries([...rejectedBy].sort((x, y) => y[1] - x[1])),
    };
    console.log(JSON.stringify(summary));
    expect(failedAfterLoad).toEqual([]);
    expect(badErrors).toEqual([]);
    expect(loaded + rejected).toBe(N);
    // both outcomes are exercised
    expect(loaded).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
