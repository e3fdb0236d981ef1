/**
 * Real artifacts built with core's own APIs, shared by the whole-artifact check and the
 * explanation tests: a mixed table (a skewed one-hot city, a derived log column, missing ages, a
 * hashed tag) and five fitted models on it — linear and gbdt regression, a logistic and a forest
 * classifier (3 classes), a binary gbdt.
 */
import {
  createArtifact,
  createFeaturePipeline,
  Table,
  type FeaturePipelineSpec,
  type ModelArtifact,
  type Schema,
} from '../src/index.js';
import { createLearner } from '../src/learners/index.js';

/** mulberry32: the same seed gives the same fuzz run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ['north', 'south', 'east', 'west', 'centre', 'port', 'hill', 'lake'];
const TAGS = ['a', 'b', 'c', 'd', 'e'];

export function rows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const city = CITIES[Math.floor(r() ** 1.7 * CITIES.length)]!;
    const sqft = 300 + Math.round(r() * 3000);
    const rooms = 1 + Math.floor(r() * 5);
    const age = r() < 0.1 ? null : Math.round(r() * 60);
    const tag = r() < 0.2 ? null : TAGS[Math.floor(r() * TAGS.length)]!;
    const price = 20 + sqft * 0.05 + rooms * 7 - (age ?? 30) * 0.3 + CITIES.indexOf(city) * 4 + (r() - 0.5) * 10;
    const score = price + (r() - 0.5) * 40;
    const label = score < 120 ? 'low' : score < 170 ? 'mid' : 'high';
    out.push({ city, sqft, rooms, age, tag, price, label, big: sqft > 1800 ? 'yes' : 'no' });
  }
  return out;
}

const schema: Schema = {
  columns: {
    city: { type: 'categorical' },
    sqft: { type: 'numeric', min: 1 },
    rooms: { type: 'numeric', min: 0, integer: true },
    age: { type: 'numeric', required: false },
    tag: { type: 'categorical', required: false },
  },
};

const features: FeaturePipelineSpec['features'] = [
  { type: 'numeric', column: 'log_sqft', standardize: true, impute: { strategy: 'median' } },
  { type: 'numeric', column: 'rooms', standardize: true },
  { type: 'numeric', column: 'age', impute: { strategy: 'median' }, standardize: true },
  { type: 'onehot', column: 'city', minFrequency: 8 },
  { type: 'onehot', column: 'rooms', unseen: 'zeros' },
  { type: 'hash', columns: ['tag'], buckets: 4 },
];
const derive: FeaturePipelineSpec['derive'] = [{ name: 'log_sqft', op: 'log1p', column: 'sqft' }];

export async function buildArtifacts(): Promise<ModelArtifact[]> {
  const table = Table.fromRows(rows(400, 1));
  const regression = createFeaturePipeline({ derive, features, target: { column: 'price', kind: 'numeric' } }).fit(
    table,
  );
  const multiclass = createFeaturePipeline({ derive, features, target: { column: 'label', kind: 'class' } }).fit(table);
  const binary = createFeaturePipeline({
    features: features.filter((f) => f.type !== 'hash' && !(f.type === 'numeric' && f.column === 'log_sqft')),
    target: { column: 'big', kind: 'class' },
  }).fit(table);
  const make = async (
    pipeline: typeof regression,
    kind: string,
    params: Record<string, number>,
    task: 'regression' | 'classification',
  ): Promise<ModelArtifact> => {
    const classes = pipeline.targetClasses;
    const learner = createLearner(kind, params, task);
    await learner.fit(pipeline.transform(table), pipeline.transformTarget(table), {
      seed: 3,
      ...(classes ? { numClasses: classes.length } : {}),
    });
    return createArtifact({
      task,
      schema,
      target: {
        name: task === 'regression' ? 'price' : classes!.length === 2 ? 'big' : 'label',
        kind: task === 'regression' ? 'numeric' : 'categorical',
        ...(classes ? { classes: [...classes] } : {}),
      },
      pipeline: pipeline.toJSON() as never,
      learner: learner.toState(),
      metrics: {},
      params: { learner: kind },
      fingerprint: 'f'.repeat(64),
      dataset: { rows: table.numRows },
      createdAt: '2026-11-23T12:00:00.000Z',
    });
  };
  return [
    await make(regression, 'linear', { alpha: 1 }, 'regression'),
    await make(regression, 'gbdt', { rounds: 15, maxLeaves: 8 }, 'regression'),
    await make(multiclass, 'logistic', {}, 'classification'),
    await make(multiclass, 'forest', { trees: 8, maxDepth: 5 }, 'classification'),
    await make(binary, 'gbdt', { rounds: 10, maxLeaves: 6 }, 'classification'),
  ];
}
