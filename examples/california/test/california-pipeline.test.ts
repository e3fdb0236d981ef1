import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { clampPrice, PRICE_RANGE } from '../src/business-rules.js';
import { findDataDir } from '@modelship/datasets';
import { runCaliforniaPipeline, type CaliforniaPipelineResult } from '../src/pipeline.js';

describe('the California pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'california-pipeline-test-'));
  const logPath = join(dir, 'predictions.jsonl');
  const registryDir = join(dir, 'registry');
  let result: CaliforniaPipelineResult;

  beforeAll(async () => {
    result = await runCaliforniaPipeline({ registryDir, logPath });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compares linear, forest and gbdt on RMSE, MAE and R², and the best is a tree ensemble with R² ≥ 0.80', () => {
    expect(result.variants.map((v) => v.name)).toEqual(['linear', 'forest', 'gbdt']);
    for (const v of result.variants)
      for (const m of ['rmse', 'mae', 'r2']) expect(Number.isFinite(v.metrics[m])).toBe(true);
    expect(['gbdt', 'forest']).toContain(result.best);
    const best = result.variants.find((v) => v.name === result.best)!;
    expect(best.metrics.r2).toBeGreaterThanOrEqual(0.8);
    for (const v of result.variants) {
      expect(v.metrics.r2).toBeLessThanOrEqual(best.metrics.r2!);
      if (v.name !== best.name) expect(v.metrics.rmse).toBeGreaterThan(best.metrics.rmse!);
    }
    expect(result.variants[0]!.metrics.r2).toBeLessThan(0.7); // linear, for contrast
  });

  it('the controller deploys the best as production and stops the runner-up at the offline gate', async () => {
    expect(result.production).toBe(result.version);
    expect(result.events.map((e) => e.type).filter((t) => t !== 'lease.acquired')).toEqual([
      'rollout.deployed',
      'candidate.registered',
      'gate.failed',
    ]);
    expect(result.challenger).toEqual({ name: 'forest', version: result.version + 1 });
    expect(result.events.find((e) => e.type === 'gate.failed')!.message).toMatch(/OFFLINE_WORSE — r2 got worse/);
    const registry = createRegistry({ store: new FsStore({ root: registryDir }) });
    try {
      expect(await registry.getAlias('california-housing', 'production')).toBe(result.version);
      const rollout = (await registry.getRollout('california-housing'))!;
      expect([rollout.production, rollout.candidate]).toEqual([result.version, undefined]);
      // every deployment change is the controller's: the pipeline only registers versions
      expect(rollout.history!.map((h) => [h.action, h.actor])).toEqual([['deploy', result.controllerId]]);
      const v = await registry.getVersion('california-housing', result.version);
      expect(v.metrics!.r2).toBe(result.variants.find((x) => x.name === result.best)!.metrics.r2);
      expect(v.dataset).toEqual({ name: 'california-housing', version: 1 });
      // the trainer's artifact: the data schema's ranges and the drift profile
      const { artifact } = await registry.loadArtifact('california-housing', 'production');
      expect(artifact.schema.columns.total_rooms).toMatchObject({ type: 'numeric', min: 0 });
      expect(Object.keys((artifact.profile as { features: object }).features).sort()).toEqual([
        'housing_median_age',
        'latitude',
        'longitude',
        'median_income',
        'ocean_proximity',
      ]);
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

  it('rejects invalid requests with an error naming the field', () => {
    const { missingField, negativeIncome, negativeRooms, unknownProximity } = result.rejected;
    expect(missingField).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
    expect(missingField.message).toMatch(/median_income.*required/);
    expect(negativeIncome).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
    expect(negativeIncome.message).toMatch(/median_income.*>= 0.*-2\.5/);
    expect(negativeRooms).toMatchObject({ name: 'ValidationError', code: 'INVALID_INPUT' });
    expect(negativeRooms.message).toBe("field 'total_rooms': expected a number >= 0, got -5 (out of range)");
    expect(unknownProximity.message).toMatch(/ocean_proximity.*ON THE MOON/);
  });

  it('clamps every answer to [0.15, 5.0] and logs every prediction as a JSON line', () => {
    const lines = readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(result.served);
    expect(result.served).toBe(2 * 4128);
    let clamped = 0;
    for (const l of lines) {
      expect(l.model).toBe('california-housing');
      expect(l.modelVersion).toBe(result.version);
      expect(l.prediction.value).toBeGreaterThanOrEqual(PRICE_RANGE.min);
      expect(l.prediction.value).toBeLessThanOrEqual(PRICE_RANGE.max);
      if (l.prediction.clamped) {
        clamped++;
        expect(l.prediction.raw).not.toBe(l.prediction.value);
      }
      expect(typeof l.input.median_income).toBe('number');
    }
    expect(clamped).toBe(result.clamped);
    expect(clamped).toBeGreaterThan(0);
    expect(result.servedR2).toBeGreaterThanOrEqual(0.8);
  });

  it('watches drift: no drift on the test stream, median income flagged once it is shifted', () => {
    expect(result.windows).toHaveLength(8);
    for (const w of result.windows.filter((x) => x.shiftedRows === 0)) {
      expect(w.verdict).toBe('no-drift');
      expect(w.drifted).toEqual([]);
    }
    const shifted = result.windows.filter((x) => x.shiftedRows >= 500);
    expect(shifted.length).toBeGreaterThanOrEqual(3);
    for (const w of shifted) {
      expect(w.verdict).toBe('drift');
      expect(w.drifted).toContain('median_income');
      expect(w.drifted).not.toContain('latitude');
    }
  });
});

describe('the business rule', () => {
  it('clamps estimates to the censored range', () => {
    expect(clampPrice(7.2)).toEqual({ value: 5, raw: 7.2, clamped: true });
    expect(clampPrice(-0.3)).toEqual({ value: 0.15, raw: -0.3, clamped: true });
    expect(clampPrice(2.5)).toEqual({ value: 2.5, raw: 2.5, clamped: false });
  });

  it('reads the data from MODELSHIP_DATA_DIR, else ../shared/datasets next to the repository', () => {
    const saved = process.env.MODELSHIP_DATA_DIR;
    try {
      process.env.MODELSHIP_DATA_DIR = '/somewhere/else';
      // a folder that is given but lacks the file is an error naming it, not a reason to look elsewhere
      expect(() => findDataDir('california_housing.csv', { from: import.meta.dirname })).toThrow(
        /no data folder: \/somewhere\/else has no california_housing\.csv/,
      );
      delete process.env.MODELSHIP_DATA_DIR;
      const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
      expect(findDataDir('california_housing.csv', { from: import.meta.dirname })).toBe(
        resolve(repoRoot, '../shared/datasets'),
      );
    } finally {
      if (saved !== undefined) process.env.MODELSHIP_DATA_DIR = saved;
    }
  });

  it('fails loudly, naming the folder, when the data is not there', async () => {
    await expect(runCaliforniaPipeline({ dataDir: '/no/such/folder' })).rejects.toThrow(
      /no data folder: \/no\/such\/folder has no california_housing\.csv/,
    );
  });
});
