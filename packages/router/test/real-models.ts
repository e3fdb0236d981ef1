import {
  createRegistry,
  MemoryStore,
  numericColumn,
  Table,
  type ModelArtifact,
  type ModelRegistry,
} from '@modelship/core';
import { modelArtifactCodec } from '@modelship/core/registry';
import { createTrainer } from '@modelship/train';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';

/**
 * A real linear model trained by core's trainer on synthetic data `y = slope·x + 1` (x in 1…50),
 * so that the version that answered can be read off its prediction.
 */
export async function trainLine(slope: number): Promise<ModelArtifact> {
  const xs = Array.from({ length: 200 }, (_, i) => 1 + (i % 50) + (i % 7) / 10);
  const table = Table.fromColumns([
    numericColumn('x', xs),
    numericColumn(
      'y',
      xs.map((x, i) => slope * x + 1 + ((i % 3) - 1) * 1e-3),
    ),
  ]);
  const r = await createTrainer({
    task: 'regression',
    features: { features: [{ type: 'numeric', column: 'x' }], target: { column: 'y', kind: 'numeric' } },
    variants: { ols: { learner: 'linear' } },
  }).fit(table);
  return r.artifact;
}

/** A real Iris classifier (core's logistic learner). */
export async function trainIris(params: Record<string, number | boolean> = {}): Promise<ModelArtifact> {
  const r = await createTrainer({
    task: 'classification',
    features: irisFeatureSpec({ standardize: true }),
    variants: { logistic: { learner: 'logistic', params } },
  }).fit(loadIris());
  return r.artifact;
}

/** Core's registry over a MemoryStore with the artifact codec, holding `artifacts` as versions 1, 2, … */
export async function artifactRegistry(
  name: string,
  artifacts: readonly ModelArtifact[],
): Promise<ModelRegistry<ModelArtifact>> {
  const registry = createRegistry<ModelArtifact>({ store: new MemoryStore(), artifactCodec: modelArtifactCodec });
  for (const a of artifacts) await registry.register(name, a);
  return registry;
}

/** A real Iris classifier of the gbdt learner (explainable by TreeSHAP). */
export async function trainIrisGbdt(): Promise<ModelArtifact> {
  const r = await createTrainer({
    task: 'classification',
    features: irisFeatureSpec({ standardize: false }),
    variants: { gbdt: { learner: 'gbdt', params: { rounds: 20, maxLeaves: 8, minSamplesLeaf: 5 } } },
  }).fit(loadIris());
  return r.artifact;
}
