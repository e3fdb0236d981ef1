import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { runIrisPipeline, type IrisPipelineResult } from '../src/pipeline.js';

const types = (r: IrisPipelineResult) => r.events.map((e) => e.type).filter((t) => t !== 'lease.acquired');

describe('the Iris pipeline (npm start): daily training run by the controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iris-pipeline-test-'));
  let result: IrisPipelineResult;
  beforeAll(async () => {
    result = await runIrisPipeline({ registryDir: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains the four variants every night and registers the best of each night', () => {
    expect(result.rounds.map((r) => r.version)).toEqual([1, 2, 3]);
    for (const r of result.rounds) {
      expect(r.variants.map((v) => v.name)).toEqual(['deep_forest', 'shallow_wide', 'conservative', 'logistic']);
    }
    const accuracy = result.rounds.map((r) => r.variants.find((v) => v.name === r.best)!.metrics.accuracy!);
    expect(accuracy[0]).toBeGreaterThan(0.7); // sepal only: modest
    expect(accuracy[1]).toBeLessThan(accuracy[0]! - 0.01); // corrupted labels: worse than production
    expect(accuracy[2]).toBeGreaterThanOrEqual(0.93); // clean, all four measurements
  });

  it('the controller deploys v1, stops the corrupted v2 at the offline gate, ramps v3 and promotes it', () => {
    expect(types(result)).toEqual([
      'rollout.deployed', // v1: the first production version
      'candidate.registered',
      'gate.failed', // v2
      'candidate.registered',
      'gate.passed', // v3
      'rollout.started',
      'rollout.ramped',
      'rollout.ramped',
      'rollout.promoted',
    ]);
    const failed = result.events.find((e) => e.type === 'gate.failed')!;
    expect(failed.data.version).toBe(2);
    expect(failed.message).toMatch(/OFFLINE_WORSE — accuracy got worse/);
    expect(result.production).toBe(3);
    expect(result.servedVersions).toEqual([1, 3]); // v2 never served
    expect(result.servedAccuracy).toBeGreaterThanOrEqual(0.93);
  });

  it('leaves a registry whose deployment history is the controller’s alone', async () => {
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const registry = createRegistry({ store: new FsStore({ root: dir }) });
    try {
      const rollout = (await registry.getRollout('iris'))!;
      expect([rollout.production, rollout.candidate]).toEqual([3, undefined]);
      expect(rollout.history!.map((h) => h.action)).toEqual(['deploy', 'start', 'ramp', 'ramp', 'promote']);
      expect(rollout.history!.filter((h) => h.candidate === 3).map((h) => h.candidateWeight)).toEqual([0.1, 0.25, 0.5]);
      expect(rollout.history!.every((h) => h.actor === result.controllerId)).toBe(true);
      expect(await registry.getAlias('iris', 'production')).toBe(3);
      const v2 = await registry.getVersion('iris', 2);
      expect(v2.metrics!.accuracy).toBeLessThan(0.93);
      expect(v2.dataset).toEqual({ name: 'iris-export-2', version: 1 });
    } finally {
      await registry.close();
    }
  });

  it('makes no deployment write of its own (the pipeline only registers versions)', () => {
    const src = readFileSync(new URL('../src/pipeline.ts', import.meta.url), 'utf8');
    // any registry call that changes what serves (alias, rollout, deploy, ramp, promote, rollback)
    const writes =
      /\.(?:set(?:Alias|Rollout)|delete(?:Alias)|deploy|startRollout|rampRollout|promoteCandidate|rollbackCandidate|rollback|updateRolloutState)\(/;
    expect(src).not.toMatch(writes);
    expect(src).toMatch(/registry\.register\(/);
  });

  it('is reproducible: a second run gives the same decisions and figures', async () => {
    const again = await runIrisPipeline();
    try {
      expect(types(again)).toEqual(types(result));
      expect(again.events.map((e) => [e.at, e.message])).toEqual(result.events.map((e) => [e.at, e.message]));
      expect(again.served).toBe(result.served);
    } finally {
      rmSync(again.registryDir, { recursive: true, force: true });
    }
  });
});
