/**
 * Drift statistics on 1,000,000 vs 1,000,000 values, on the exact samples scipy/numpy used:
 * run `../shared/peer/run.sh drift` first (it dumps them to /tmp/peer_drift and writes
 * $PEER_OUT/py_drift.json); each record carries scipy's time and value from that run.
 *   ks-1e6, wasserstein-1e6       two-sample on raw values (radix sort + merge)
 *   psi-profile-1e6               1e6 live values binned against a stored 10-bin profile, then PSI
 *   psi-raw-1e6                   PSI from the raw reference sample (what the numpy peer does)
 *   chi2-profile-1e6, js-profile-1e6  1e6 live category codes counted against a stored profile
 */
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
import { median, peerResults, writeResults, type BenchRecord } from './_lib.js';

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

const records: BenchRecord[] = [];
function record(
  name: string,
  t: { seconds: number; minSeconds: number },
  peerName: string | undefined,
  value: number,
  pValue?: number,
): void {
  const p = peerName ? pc(peerName) : undefined;
  const pv = p?.value;
  const peerStat = typeof pv === 'number' ? pv : pv?.statistic;
  const seconds = t.seconds;
  const rec: BenchRecord = { case: name, seconds, minSeconds: t.minSeconds, n: ref.length };
  if (p) {
    rec.peerCase = peerName;
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
record('psi-profile-1e6', psiP, 'psi_10bin_quantile', psiP.result);
const psiR = await medianSeconds(() => psiFromSamples(ref, cur, 10).psi, repeats);
record('psi-raw-1e6', psiR, 'psi_10bin_quantile', psiR.result);

const catProfile = profileCategorical(refCat);
// scipy's categories are the codes 0…49 in order; the profile orders them by frequency.
const chi = await medianSeconds(() => {
  const { counts } = countCategories(catProfile, curCat);
  let total = 0;
  for (const c of counts) total += c;
  const expected = catProfile.proportions.map((p) => p * total);
  return chiSquare(counts, expected);
}, repeats);
record('chi2-profile-1e6', chi, 'chisquare_50cat_incl_bincount_2x1e6', chi.result.statistic, chi.result.pValue);
const js = await medianSeconds(
  () => jensenShannon(catProfile.proportions, countCategories(catProfile, curCat).counts),
  repeats,
);
record('js-profile-1e6', js, undefined, js.result);

const loadAvg = (await import('node:os')).loadavg()[0]!.toFixed(1);
for (const r of records)
  r.note = `median (and min) of ${repeats} runs after a warm-up, on a shared 2-core machine under load (1-min load average ${loadAvg}); peer = scipy/numpy figures of ../shared/peer/run.sh drift run just before, same samples`;
writeResults('drift', records);
