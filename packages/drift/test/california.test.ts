/**
 * Must-show 2: California Housing, the shared split's training rows as the reference and its
 * test rows as the live stream. Features: the eight scikit-learn features (peer common.py
 * california_features; AveBedrms left missing where total_bedrooms is blank) plus the
 * categorical ocean_proximity. 200 random windows of 1,000 test rows go through a tumbling
 * count monitor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProfile, createDriftMonitor, type DriftReport, type ReferenceProfile } from '../src/index.js';
import { mulberry32 } from './helpers.js';

const dataDir = process.env.MODELSHIP_DATA_DIR;

type Row = Record<string, number | string | null>;

function californiaRows(dir: string): Row[] {
  const raw = parse(readFileSync(join(dir, 'california_housing.csv'), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
  return raw.map((r) => {
    const hh = num(r.households)!;
    const bedrooms = num(r.total_bedrooms);
    return {
      MedInc: num(r.median_income),
      HouseAge: num(r.housing_median_age),
      AveRooms: num(r.total_rooms)! / hh,
      AveBedrms: bedrooms === null ? null : bedrooms / hh,
      Population: num(r.population),
      AveOccup: num(r.population)! / hh,
      Latitude: num(r.latitude),
      Longitude: num(r.longitude),
      ocean_proximity: r.ocean_proximity ?? null,
    };
  });
}

/** Runs 200 windows of 1,000 rows drawn without replacement from `live`, through one monitor. */
function runWindows(profile: ReferenceProfile, live: Row[], transform: (r: Row) => Row, seed: number): DriftReport[] {
  const monitor = createDriftMonitor({ profile, window: { kind: 'count', size: 1000, mode: 'tumbling' } });
  const reports: DriftReport[] = [];
  monitor.on('windowClosed', (r) => reports.push(r));
  const rand = mulberry32(seed);
  const idx = live.map((_, i) => i);
  for (let w = 0; w < 200; w++) {
    for (let i = 0; i < 1000; i++) {
      const j = i + Math.floor(rand() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      monitor.observe(transform(live[idx[i]!]!));
    }
  }
  return reports;
}

describe('California Housing: training rows as reference, test rows as the live stream', () => {
  let profile: ReferenceProfile;
  let test: Row[];

  beforeAll(() => {
    if (!dataDir || !existsSync(join(dataDir, 'california_housing.csv'))) {
      throw new Error(
        `MODELSHIP_DATA_DIR is not set or has no california_housing.csv (got ${dataDir ?? 'unset'}): this test needs the shared data`,
      );
    }
    const rows = californiaRows(dataDir);
    const split = JSON.parse(readFileSync(join(dataDir, 'splits', 'california_housing.json'), 'utf8')) as {
      train: number[];
      test: number[];
    };
    const train = split.train.map((i) => rows[i]!);
    test = split.test.map((i) => rows[i]!);
    profile = buildProfile(train, {
      features: {
        MedInc: 'numeric',
        HouseAge: 'numeric',
        AveRooms: 'numeric',
        AveBedrms: 'numeric',
        Population: 'numeric',
        AveOccup: 'numeric',
        Latitude: 'numeric',
        Longitude: 'numeric',
        ocean_proximity: 'categorical',
      },
    });
  });

  it('stores a compact profile (kilobytes, not rows) that chooses Wasserstein / Jensen–Shannon for a 16,512-row reference', () => {
    const bytes = JSON.stringify(profile).length;
    expect(bytes).toBeLessThan(250_000);
    const r = runWindows(profile, test, (x) => x, 1)[0]!;
    expect(r.features.find((f) => f.feature === 'MedInc')!.test).toBe('wasserstein');
    expect(r.features.find((f) => f.feature === 'ocean_proximity')!.test).toBe('jensenshannon');
  });

  it('raises dataset drift in at most 5 % of 200 unshifted windows of 1,000 rows', () => {
    const reports = runWindows(profile, test, (x) => x, 42);
    expect(reports).toHaveLength(200);
    const drifted = reports.filter((r) => r.summary.datasetDrift).length;
    expect(reports.every((r) => r.summary.verdict !== 'insufficient-data')).toBe(true);
    expect(drifted / reports.length).toBeLessThanOrEqual(0.05);
    // Nor feature alarms (the default missing-rate and new-category checks included): the verdict stays no-drift.
    const alarms = reports.filter((r) => r.summary.featureAlarms.length > 0).length;
    expect(alarms / reports.length).toBeLessThanOrEqual(0.05);
    expect(reports.filter((r) => r.summary.verdict === 'drift').length / reports.length).toBeLessThanOrEqual(0.05);
    console.info(`California no-shift windows: dataset drift ${drifted}/200, feature alarms ${alarms}/200`);
  });

  it('flags median_income in at least 95 % of 200 windows when it is multiplied by 1.2', () => {
    const reports = runWindows(profile, test, (x) => ({ ...x, MedInc: (x.MedInc as number) * 1.2 }), 7);
    expect(reports).toHaveLength(200);
    const flagged = reports.filter((r) => r.features.find((f) => f.feature === 'MedInc')!.drifted).length;
    expect(flagged / reports.length).toBeGreaterThanOrEqual(0.95);
    // One feature of nine does not make dataset drift, but at × 1.2 it raises a feature alarm.
    const alarmed = reports.filter((r) => r.summary.featureAlarms.includes('MedInc')).length;
    expect(alarmed / reports.length).toBeGreaterThanOrEqual(0.95);
    console.info(`California MedInc × 1.2: drifted in ${flagged}/200 windows, feature alarm in ${alarmed}/200`);
    // Only that feature moved: the other features stay quiet in nearly every window.
    const others = reports.flatMap((r) => r.features.filter((f) => f.feature !== 'MedInc' && f.drifted));
    expect(others.length / (200 * 8)).toBeLessThanOrEqual(0.05);
  });
});
