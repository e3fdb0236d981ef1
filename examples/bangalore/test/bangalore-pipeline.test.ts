import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { findDataDir } from '@modelship/datasets';
import { runBangalorePipeline, type BangalorePipelineResult } from '../src/pipeline.js';
import { starRating, userFeedback } from '../src/user-feedback.js';

const types = (r: BangalorePipelineResult) => r.events.map((e) => e.type).filter((t) => t !== 'lease.acquired');

describe('the Bangalore pipeline, run by the controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bangalore-pipeline-test-'));
  let result: BangalorePipelineResult;

  beforeAll(async () => {
    result = await runBangalorePipeline({ registryDir: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cleans the listings and uses the shared split', () => {
    expect(result.rows).toEqual({ raw: 13320, clean: 10238, train: 8190, test: 2048 });
  });

  it('trains a linear incumbent and a gbdt challenger; the trainer’s artifacts carry metrics and drift profile', () => {
    const { incumbent, challenger } = result.models;
    expect([incumbent.name, incumbent.version, challenger.name, challenger.version]).toEqual(['linear', 1, 'gbdt', 2]);
    expect(incumbent.metrics.r2).toBeGreaterThanOrEqual(0.85);
    // Trees cannot extrapolate the price of the largest homes: lower R², but a lower MAE and relative error.
    expect(challenger.metrics.r2).toBeLessThan(incumbent.metrics.r2!);
    for (const m of [incumbent, challenger]) {
      expect(m.artifact.metrics.mae).toBe(m.metrics.mae);
      expect(Object.keys((m.artifact.profile as { features: object }).features).sort()).toEqual([
        'bath',
        'bhk',
        'total_sqft',
      ]);
    }
  });

  it('ends with the model whose offline MAE is lower in production: the live decision agrees with the offline comparison', () => {
    const { incumbent, challenger } = result.models;
    const lower = incumbent.metrics.mae! <= challenger.metrics.mae! ? incumbent : challenger;
    expect(result.offlineWinner).toBe(lower.version);
    expect(result.production).toBe(lower.version);
    // online, on the homes each version priced, the relative error orders them the same way
    const other = lower === incumbent ? challenger : incumbent;
    expect(result.onlineMape[lower.version]!).toBeLessThan(result.onlineMape[other.version]!);
    const last = result.decisions.at(-1)!;
    expect(last.applied).toBe(lower === challenger ? 'promoted' : 'rolled-back');
  });

  it('the controller deploys v1, gates v2 on MAE, runs its canary 20 → 50 % and promotes it', async () => {
    expect(types(result)).toEqual([
      'rollout.deployed', // v1: the first production version
      'candidate.registered',
      'gate.passed',
      'rollout.started',
      'rollout.ramped',
      'rollout.promoted',
    ]);
    expect(result.events.find((e) => e.type === 'gate.passed')!.message).toMatch(
      /mae improved from 19\.6\d+ to 17\.3\d+/,
    );
    expect(result.decisions.map((d) => d.applied)).toEqual(['ramped', 'promoted']);
    for (const d of result.decisions) expect(d.reasons.map((r) => r.code)).toContain('COMPOSITE_BETTER');
    const registry = createRegistry({ store: new FsStore({ root: dir }) });
    try {
      const rollout = (await registry.getRollout('bangalore-prices'))!;
      expect([rollout.production, rollout.candidate]).toEqual([2, undefined]);
      expect(rollout.history!.map((h) => h.action)).toEqual(['deploy', 'start', 'ramp', 'promote']);
      expect(rollout.history!.filter((h) => h.candidate === 2).map((h) => h.candidateWeight)).toEqual([0.2, 0.5]);
      // every deployment change is the controller's
      expect(rollout.history!.every((h) => h.actor === result.controllerId)).toBe(true);
      expect(await registry.getAlias('bangalore-prices', 'production')).toBe(2);
    } finally {
      await registry.close();
    }
  });

  it('makes no deployment write of its own (the pipeline only registers versions)', () => {
    const src = readFileSync(new URL('../src/pipeline.ts', import.meta.url), 'utf8');
    const writes =
      /\.(?:set(?:Alias|Rollout)|delete(?:Alias)|deploy|startRollout|rampRollout|promoteCandidate|rollbackCandidate|rollback|updateRolloutState)\(/;
    expect(src).not.toMatch(writes);
    expect(src).toMatch(/registry\.register\(/);
  });

  it('is reproducible (seeded simulation, simulated time): a second run takes the same decisions at the same times', async () => {
    const again = await runBangalorePipeline();
    try {
      expect(again.events.map((e) => [e.at, e.message])).toEqual(result.events.map((e) => [e.at, e.message]));
      expect(again.served).toEqual(result.served);
      expect(again.production).toBe(result.production);
    } finally {
      rmSync(again.registryDir, { recursive: true, force: true });
    }
  });

  it('the drift sink follows production: no drift on the test homes, a mean shift of sqft once it is scaled by 1.3', () => {
    const [plain, shifted] = result.drift;
    expect(result.drift).toHaveLength(2);
    expect(plain!.version).toBe(result.production);
    expect(plain!.drifted).toEqual([]);
    expect(plain!.report.summary.verdict).toBe('no-drift');
    expect(shifted!.drifted).toContain('total_sqft');
    expect(shifted!.drifted).not.toContain('bath');
    expect(shifted!.drifted).not.toContain('bhk');
    const sqft = shifted!.report.features.find((f) => f.feature === 'total_sqft')!;
    expect(sqft.test).toBe('mean-shift');
    expect(sqft.statistic!).toBeGreaterThan(0.2);
    expect(shifted!.text).toMatch(/total_sqft\s+mean-shift.*DRIFT/);
  });
});

describe('user feedback', () => {
  it('gives stars from the relative error, with the actual price', () => {
    expect([0, 0.1, 0.15, 0.3, 0.45, 0.8].map(starRating)).toEqual([5, 5, 4, 3, 2, 1]);
    expect(userFeedback(110, 100)).toEqual({ rating: 5, correct: true, actual: 100 });
    expect(userFeedback(70, 100)).toEqual({ rating: 3, correct: false, actual: 100 });
  });

  it('reads the data from MODELSHIP_DATA_DIR, else ../shared/datasets next to the repository', () => {
    const saved = process.env.MODELSHIP_DATA_DIR;
    try {
      delete process.env.MODELSHIP_DATA_DIR;
      const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
      expect(findDataDir('bengaluru_house_data.csv', { from: import.meta.dirname })).toBe(
        resolve(repoRoot, '../shared/datasets'),
      );
    } finally {
      if (saved !== undefined) process.env.MODELSHIP_DATA_DIR = saved;
    }
  });

  it('fails loudly, naming the folder, when the data is not there', async () => {
    await expect(runBangalorePipeline({ dataDir: '/no/such/folder' })).rejects.toThrow(
      /no data folder: \/no\/such\/folder has no bengaluru_house_data\.csv/,
    );
  });
});
