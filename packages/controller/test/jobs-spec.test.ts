import { createRegistry, decodeArtifact, isModelshipError, MemoryStore } from '@modelship/core';
import { describe, expect, it } from 'vitest';
import { parseTrainingSpec, runTraining, trainingSpecSchema } from '../src/jobs/index.js';
import type { TrainingSpec } from '../src/types.js';

const irisYaml = `
model: iris
data: { kind: dataset, name: iris }
dataset: { name: iris }
task: classification
target: species
features:
  features:
    - { type: numeric, column: sepal_length }
    - { type: numeric, column: sepal_width }
    - { type: numeric, column: petal_length }
    - { type: numeric, column: petal_width }
variants:
  rf: { learner: forest-mljs, params: { nEstimators: 10 } }
  logit: { learner: logistic }
selectBy: accuracy
seed: 7
`;

function thrown(f: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parseTrainingSpec', () => {
  it('parses YAML and JSON into the same spec', () => {
    const y = parseTrainingSpec(irisYaml);
    expect(y.data).toEqual({ kind: 'dataset', name: 'iris' });
    expect(y.variants.rf).toEqual({ learner: 'forest-mljs', params: { nEstimators: 10 } });
    expect(parseTrainingSpec(JSON.stringify(y))).toEqual(y);
    expect(parseTrainingSpec(JSON.stringify(y), 'yaml')).toEqual(y);
    expect(parseTrainingSpec(y)).toEqual(y);
    expect(trainingSpecSchema.safeParse(y).success).toBe(true);
  });

  it('names the field of a wrong type', () => {
    const e = thrown(() => parseTrainingSpec(irisYaml.replace('rf: { learner: forest-mljs', 'rf: { learner: 3')));
    expect(isModelshipError(e, 'ControllerError', 'INVALID_OPTIONS')).toBe(true);
    expect(e.message).toContain('spec.variants.rf.learner: expected a string, received number');
    expect(e.details?.field).toBe('spec.variants.rf.learner');
  });

  it('names unknown fields, bad enums, missing fields and bad syntax', () => {
    expect(thrown(() => parseTrainingSpec(`${irisYaml}\nbogus: 1\n`)).message).toMatch(/spec: unknown field "bogus"/);
    expect(thrown(() => parseTrainingSpec(irisYaml.replace('name: iris }', 'name: mnist }'))).message).toMatch(
      /spec\.data\.name: expected one of "california", "bangalore", "iris"/,
    );
    expect(thrown(() => parseTrainingSpec(irisYaml.replace('target: species', ''))).message).toMatch(
      /spec\.target: expected a string, received undefined/,
    );
    const bad = thrown(() => parseTrainingSpec('{ "model": ', 'json'));
    expect(isModelshipError(bad, 'ControllerError', 'INVALID_OPTIONS')).toBe(true);
    expect(bad.message).toMatch(/spec: not valid JSON/);
    expect(thrown(() => parseTrainingSpec('model: [unclosed')).message).toMatch(/spec: not valid YAML/);
  });
});

describe('runTraining (in this thread)', () => {
  it('trains Iris and registers a tagged version with dataset lineage', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const lines: string[] = [];
    const fractions: number[] = [];
    const spec: TrainingSpec = { ...parseTrainingSpec(irisYaml), profileColumns: ['petal_length', 'petal_width'] };
    const r = await runTraining(spec, {
      registry,
      jobId: 'job-1',
      trigger: 'schedule',
      onLog: (l) => lines.push(l),
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(r.version).toBe(1);
    expect(r.reused).toBe(false);
    expect(r.metrics.accuracy).toBeGreaterThan(0.8);
    const v = await registry.getVersion('iris', 1);
    expect(v.tags).toEqual({ job: 'job-1', trigger: 'schedule' });
    expect(v.dataset).toEqual({ name: 'iris', version: 1 });
    expect((await registry.getDataset('iris', 1)).rowCount).toBe(150);
    expect(lines.some((l) => l.startsWith('loaded 150 rows'))).toBe(true);
    expect(lines.some((l) => l.startsWith('best variant:'))).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    const { bytes } = await registry.load('iris', 1);
    const profile = decodeArtifact(bytes).profile as { features?: Record<string, unknown> } | undefined;
    expect(Object.keys(profile?.features ?? {}).sort()).toEqual(['petal_length', 'petal_width']);
    // the same job id again: the version it registered is found, not registered twice
    const again = await runTraining(spec, { registry, jobId: 'job-1' });
    expect(again).toMatchObject({ version: 1, reused: true });
    expect(await registry.listVersions('iris')).toHaveLength(1);
  });
});
