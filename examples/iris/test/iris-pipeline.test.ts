import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { runIrisPipeline, type IrisPipelineResult } from '../src/pipeline.js';

describe('the Iris pipeline (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iris-pipeline-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let result: IrisPipelineResult;

  it('trains the variants and keeps the best, with accuracy ≥ 0.93', async () => {
    result = await runIrisPipeline({ registryDir: dir });
    expect(result.variants.map((v) => v.name)).toEqual(['deep_forest', 'shallow_wide', 'conservative', 'logistic']);
    for (const v of result.variants) expect(v.metrics.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(result.servedAccuracy).toBeGreaterThanOrEqual(0.93);
  });

  it('rolls back the worse latest version and promotes the good one', () => {
    const [bad, good] = result.gates;
    expect(bad!.decision.action).toBe('rollback');
    expect(bad!.decision.reasons.some((r) => r.code === 'OFFLINE_WORSE')).toBe(true);
    expect(bad!.productionAfter).toBe(1);
    expect(good!.decision.action).toBe('promote');
    expect(good!.productionAfter).toBe(3);
    expect(result.production).toBe(3);
  });

  it('hot-reloads the served model on every move of production', () => {
    expect(result.servedVersions).toEqual([1, 2, 1, 3]);
  });

  it('leaves a registry whose history explains every move', async () => {
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const registry = createRegistry({ store: new FsStore({ root: dir }) });
    const history = await registry.aliasHistory('iris', 'production');
    expect(history.map((h) => h.to)).toEqual([1, 2, 1, 3]);
    expect(history.map((h) => h.action)).toEqual(['set', 'set', 'rollback', 'set']);
    expect(history.every((h) => h.actor === 'iris-pipeline')).toBe(true);
    expect(history[2]!.reason).toMatch(/offline gate/);
    const v2 = await registry.getVersion('iris', 2);
    expect(v2.metrics!.accuracy).toBeLessThan(0.93);
    await registry.close();
  });
});
