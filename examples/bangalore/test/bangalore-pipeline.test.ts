import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { runBangalorePipeline, type BangalorePipelineResult } from '../src/pipeline.js';
import { starRating, userFeedback } from '../src/user-feedback.js';

const dataDir = process.env.MODELSHIP_DATA_DIR;

describe('the Bangalore pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bangalore-pipeline-test-'));
  let result: BangalorePipelineResult;

  beforeAll(async () => {
    if (!dataDir)
      throw new Error(
        'MODELSHIP_DATA_DIR is not set: the Bangalore pipeline test needs the shared datasets folder (bengaluru_house_data.csv, splits/)',
      );
    result = await runBangalorePipeline({ registryDir: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cleans the listings and uses the shared split', () => {
    expect(result.rows).toEqual({ raw: 13320, clean: 10238, train: 8190, test: 2048 });
  });

  it('trains a linear production model (R² ≥ 0.85) and a gbdt candidate on the same test rows', () => {
    const { production, candidate } = result.models;
    expect(production.name).toBe('linear');
    expect(production.metrics.r2).toBeGreaterThanOrEqual(0.85);
    expect(candidate.name).toBe('gbdt');
    // Trees cannot extrapolate the price of the largest homes: lower R², but lower MAE and relative error.
    expect(candidate.metrics.r2).toBeGreaterThan(0.5);
    expect(candidate.metrics.r2).toBeLessThan(production.metrics.r2!);
    expect(candidate.testPredictions.length).toBe(2048);
  });

  it('splits the traffic 80/20 by unit', () => {
    const total = result.served.production + result.served.candidate;
    expect(total).toBe(2048);
    expect(Math.abs(result.served.candidate / total - 0.2)).toBeLessThan(0.03);
    expect(result.evaluation.srm?.mismatch).toBe(false);
  });

  it('takes a decision whose composite ordering matches the models’ error ordering', () => {
    const { production, candidate } = result.models;
    const { decision, evaluation } = result;
    expect(['promote', 'continue', 'rollback']).toContain(decision.action);
    expect(decision.reasons.length).toBeGreaterThan(0);
    const compositeSaysCandidate = evaluation.composite.delta! > 0;
    // Ratings come from the relative error: the composite must order the models as their relative error does,
    // offline (every test row) and online (the rows each variant served).
    expect(compositeSaysCandidate).toBe(candidate.metrics.mape! < production.metrics.mape!);
    expect(compositeSaysCandidate).toBe(result.onlineMape.candidate < result.onlineMape.production);
    if (decision.action === 'promote') expect(evaluation.composite.ci![0]).toBeGreaterThan(0);
    if (decision.action === 'rollback') expect(compositeSaysCandidate).toBe(false);
    // The composite is 0.7 × rating/5 + 0.3 × latency score, from the router's aggregates.
    const c = evaluation.variants.candidate!;
    expect(evaluation.composite.candidate).toBeCloseTo(
      0.7 * (c.ratingMean! / 5) + 0.3 * Math.max(0, (5000 - c.latencyMean!) / 5000),
      6,
    );
  });

  it('applies the decision through the registry and records it in the alias history', async () => {
    const { production, candidate } = result.models;
    const registry = createRegistry({ store: new FsStore({ root: dir }) });
    try {
      const prodHistory = await registry.aliasHistory('bangalore-prices', 'production');
      const candHistory = await registry.aliasHistory('bangalore-prices', 'candidate');
      const rollout = (await registry.getRollout('bangalore-prices'))!;
      expect(prodHistory[0]!.to).toBe(production.version);
      expect(candHistory[0]!.to).toBe(candidate.version);
      const action = result.decision.action;
      if (action === 'promote') {
        expect(prodHistory.map((h) => h.to)).toEqual([production.version, candidate.version]);
        expect(prodHistory[1]!.reason).toMatch(/policy promote: COMPOSITE_BETTER/);
        expect(candHistory.at(-1)!.action).toBe('delete');
        expect(rollout.production).toBe(candidate.version);
        expect(rollout.candidate).toBeUndefined();
      } else if (action === 'rollback') {
        expect(prodHistory.map((h) => h.to)).toEqual([production.version]);
        expect(candHistory.at(-1)!.action).toBe('delete');
        expect(candHistory.at(-1)!.reason).toMatch(/policy rollback/);
        expect(rollout.production).toBe(production.version);
        expect(rollout.candidate).toBeUndefined();
      } else {
        expect(prodHistory).toHaveLength(1);
        expect(candHistory).toHaveLength(1);
        expect(rollout.weights).toEqual({ production: 0.8, candidate: 0.2 });
      }
      expect(result.after.aliases.production).toBe(rollout.production);
    } finally {
      await registry.close();
    }
  });

  it('sees no drift on the unshifted test rows and a mean shift of sqft when it is scaled by 1.3', () => {
    const [plain, shifted] = result.drift;
    expect(plain.drifted).toEqual([]);
    expect(plain.report.summary.verdict).toBe('no-drift');
    expect(shifted.drifted).toContain('total_sqft');
    expect(shifted.drifted).not.toContain('bath');
    expect(shifted.drifted).not.toContain('bhk');
    const sqft = shifted.report.features.find((f) => f.feature === 'total_sqft')!;
    expect(sqft.test).toBe('mean-shift');
    expect(sqft.statistic!).toBeGreaterThan(0.2);
    expect(shifted.text).toMatch(/total_sqft\s+mean-shift.*DRIFT/);
  });

  it('is deterministic: a second run gives the same figures', async () => {
    const again = await runBangalorePipeline();
    expect(again.served).toEqual(result.served);
    expect(again.evaluation.composite.delta).toBe(result.evaluation.composite.delta);
    expect(again.decision.action).toBe(result.decision.action);
    expect(again.models.candidate.metrics).toEqual(result.models.candidate.metrics);
    rmSync(again.registryDir, { recursive: true, force: true });
  });
});

describe('user feedback', () => {
  it('gives stars from the relative error', () => {
    expect([0, 0.1, 0.15, 0.3, 0.45, 0.8].map(starRating)).toEqual([5, 5, 4, 3, 2, 1]);
    expect(userFeedback(110, 100)).toEqual({ rating: 5, correct: true, actual: 100 });
    expect(userFeedback(70, 100)).toEqual({ rating: 3, correct: false, actual: 100 });
  });

  it('fails loudly without the data', async () => {
    const saved = process.env.MODELSHIP_DATA_DIR;
    delete process.env.MODELSHIP_DATA_DIR;
    try {
      await expect(runBangalorePipeline()).rejects.toThrow(/set MODELSHIP_DATA_DIR/);
    } finally {
      if (saved !== undefined) process.env.MODELSHIP_DATA_DIR = saved;
    }
  });
});
