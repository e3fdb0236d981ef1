/**
 * Drift statistics on 1,000,000 vs 1,000,000 values, on the exact samples scipy/numpy used:
 * run `../shared/peer/run.sh drift` first (it dumps them to /tmp/peer_drift and writes
 * $PEER_OUT/py_drift.json); each record carries scipy's time and value from that run.
 *   ks-1e6, wasserstein-1e6       two-sample on raw values (radix sort + merge)
 *   psi-profile-1e6               1e6 live values binned against a stored 10-bin profile, then PSI,
 *                                 beside numpy doing the same work (stored decile edges and reference
 *                                 proportions; searchsorted + bincount of the live values), timed here
 *                                 through the peer venv ($PEER_VENV) on the same samples
 *   psi-raw-1e6                   PSI from the raw samples, beside numpy's psi_10bin_quantile (raw to raw)
 *   chi2-profile-1e6              live category codes counted against a stored profile, beside numpy's
 *                                 bincount of the live codes + scipy chisquare (same work, timed here)
 *   js-profile-1e6                the same counts, then Jensen–Shannon (no peer)
 * Everything on one thread (OMP_NUM_THREADS=1 for the Python child as for run.sh's PEER_THREADS=1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chiSquare,
  countBins,
  countCategories,
  jensenShannon,
  ksTwoSample,
  profileCategorical,
  profileNumeric,
  psi,
  psiFromSamples,
  wasserstein,
} from '@modelship/drift';
import { loadAverage, median, peerResults, writeResults, type BenchRecord } from './_lib.js';

const dir = process.env.PEER_DRIFT_DIR ?? '/tmp/peer_drift';
const files = ['ref.f64', 'cur.f64', 'ref_cat.i32', 'cur_cat.i32'];
if (!files.every((f) => existsSync(join(dir, f)))) {
  console.error(`${dir} lacks the peer samples: run ../shared/peer/run.sh drift first`);
  process.exit(2);
}
const load = (f: string) => {
  const b = readFileSync(join(dir, f));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const ref = new Float64Array(load('ref.f64'));
const cur = new Float64Array(load('cur.f64'));
const refCat = new Int32Array(load('ref_cat.i32'));
const curCat = new Int32Array(load('cur_cat.i32'));
const peer = peerResults('drift');
const pc = (name: string) => peer?.cases?.[name] as { median_s: number; value: any } | undefined;
const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));
const repeats = Number(process.env.BENCH_REPEATS ?? 7);
const loadAtStart = loadAverage();

/** Median and fastest wall time of `repeats` runs (after one warm-up run), and the last result. */
async function medianSeconds<T>(fn: () => T, n: number): Promise<{ seconds: number; minSeconds: number; result: T }> {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: median(times), minSeconds: Math.min(...times), result };
}

/**
 * numpy/scipy doing what a stored profile lets us do: the reference is summarised once (decile edges
 * and bin proportions, category proportions: not timed, like our profile), then only the live sample
 * is binned and compared. Median and min of `repeats` runs after a warm-up, on one thread.
 */
function numpyProfileTimings(): Record<string, { median_s: number; min_s: number; value: number }> | string {
  const py = join(process.env.PEER_VENV ?? '/tmp/modelship-peer-venv', 'bin', 'python');
  if (!existsSync(py)) return `no ${py}: run ../shared/peer/setup.sh`;
  const code = `
import json, sys, time
import numpy as np
from scipy import stats
d, n = sys.argv[1], int(sys.argv[2])
ref = np.fromfile(d + "/ref.f64", dtype="<f8"); cur = np.fromfile(d + "/cur.f64", dtype="<f8")
ref_cat = np.fromfile(d + "/ref_cat.i32", dtype="<i4"); cur_cat = np.fromfile(d + "/cur_cat.i32", dtype="<i4")
EPS = 1e-6
edges = np.quantile(ref, np.linspace(0, 1, 11)[1:-1])
rp = np.clip(np.bincount(np.searchsorted(edges, ref, side="right"), minlength=10) / len(ref), EPS, None)
cat_p = np.bincount(ref_cat, minlength=50) / len(ref_cat)
def psi():
    c = np.clip(np.bincount(np.searchsorted(edges, cur, side="right"), minlength=10) / len(cur), EPS, None)
    return float(np.sum((c - rp) * np.log(c / rp)))
def chi():
    obs = np.bincount(cur_cat, minlength=50).astype(np.float64)
    return float(stats.chisquare(obs, cat_p * obs.sum()).statistic)
out = {}
for name, fn in {"psi_profile": psi, "chisquare_profile": chi}.items():
    v = fn(); ts = []
    for _ in range(n):
        t0 = time.perf_counter(); v = fn(); ts.append(time.perf_counter() - t0)
    out[name] = {"median_s": float(np.median(ts)), "min_s": min(ts), "value": v}
print(json.dumps(out))
`;
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync(py, ['-c', code, dir, String(repeats)], { encoding: 'utf8', env });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return `numpy profile timing failed: ${r.stderr}`;
  }
}
const npProfile = numpyProfileTimings();
if (typeof npProfile === 'string') console.error(npProfile);
const npCase = (name: string) =>
  typeof npProfile === 'string' || !npProfile[name]
    ? undefined
    : { median_s: npProfile[name]!.median_s, value: npProfile[name]!.value };

const records: BenchRecord[] = [];
function record(
  name: string,
  t: { seconds: number; minSeconds: number },
  peerName: string | undefined,
  value: number,
  pValue?: number,
  work = 'raw to raw',
  peerCase?: { median_s: number; value: any },
): void {
  const p = peerCase ?? (peerName ? pc(peerName) : undefined);
  const pv = p?.value;
  const peerStat = typeof pv === 'number' ? pv : pv?.statistic;
  const seconds = t.seconds;
  const rec: BenchRecord = { case: name, work, threads: 1, seconds, minSeconds: t.minSeconds, n: ref.length };
  if (p) {
    rec.peerCase = peerName;
    rec.peerThreads = 1;
    rec.peerSeconds = p.median_s;
    rec.speedup = p.median_s / seconds;
  }
  rec.statistic = value;
  if (peerStat !== undefined) {
    rec.peerStatistic = peerStat;
    rec.statisticRelDiff = rel(value, peerStat);
  }
  if (pValue !== undefined) {
    rec.pValue = pValue;
    if (pv?.pvalue !== undefined) rec.peerPValue = pv.pvalue;
  }
  records.push(rec);
}

const ks = await medianSeconds(() => ksTwoSample(ref, cur), repeats);
record('ks-1e6', ks, 'ks_2samp', ks.result.statistic, ks.result.pValue);
const w = await medianSeconds(() => wasserstein(ref, cur), repeats);
record('wasserstein-1e6', w, 'wasserstein_distance', w.result);

const numProfile = profileNumeric(ref, 10);
const psiP = await medianSeconds(() => {
  const { counts } = countBins(numProfile, cur);
  const total = cur.length;
  return psi(
    numProfile.binProportions,
    counts.map((c) => c / total),
  );
}, repeats);
record(
  'psi-profile-1e6',
  psiP,
  'numpy searchsorted + bincount of the live values against stored decile edges, then PSI (bench/drift.ts, peer venv)',
  psiP.result,
  undefined,
  'profile to profile: the reference summarised once (not timed), the live sample binned and compared',
  npCase('psi_profile'),
);
const psiR = await medianSeconds(() => psiFromSamples(ref, cur, 10).psi, repeats);
record(
  'psi-raw-1e6',
  psiR,
  'psi_10bin_quantile',
  psiR.result,
  undefined,
  'raw to raw: reference deciles, both samples binned, PSI',
);

const catProfile = profileCategorical(refCat);
// scipy's categories are the codes 0…49 in order; the profile orders them by frequency.
const chi = await medianSeconds(() => {
  const { counts } = countCategories(catProfile, curCat);
  let total = 0;
  for (const c of counts) total += c;
  const expected = catProfile.proportions.map((p) => p * total);
  return chiSquare(counts, expected);
}, repeats);
record(
  'chi2-profile-1e6',
  chi,
  'numpy bincount of the live codes + scipy chisquare against stored reference proportions (bench/drift.ts, peer venv)',
  chi.result.statistic,
  chi.result.pValue,
  'profile to profile: reference proportions stored (not timed), the live codes counted and tested',
  npCase('chisquare_profile'),
);
const js = await medianSeconds(
  () => jensenShannon(catProfile.proportions, countCategories(catProfile, curCat).counts),
  repeats,
);
record('js-profile-1e6', js, undefined, js.result, undefined, 'profile to profile (no peer)');

for (const r of records)
  r.note = `median (and min) of ${repeats} runs after a warm-up, one thread each side, on a shared 2-core machine (1-min/5-min/15-min load average ${loadAtStart} at start, ${loadAverage()} at the end); peer = scipy/numpy of ../shared/peer/run.sh drift (PEER_THREADS=1) run just before, or timed here through the peer venv where peerCase says so; same samples`;
writeResults('drift', records);
