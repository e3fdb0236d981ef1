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
import { medianSeconds, peerResults, writeResults, type BenchRecord } from './_lib.js';

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
const repeats = Number(process.env.BENCH_REPEATS ?? 5);

const records: BenchRecord[] = [];
function record(name: string, seconds: number, peerName: string | undefined, value: number, pValue?: number): void {
  const p = peerName ? pc(peerName) : undefined;
  const pv = p?.value;
  const peerStat = typeof pv === 'number' ? pv : pv?.statistic;
  const rec: BenchRecord = { case: name, seconds, n: ref.length };
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
record('ks-1e6', ks.seconds, 'ks_2samp', ks.result.statistic, ks.result.pValue);
const w = await medianSeconds(() => wasserstein(ref, cur), repeats);
record('wasserstein-1e6', w.seconds, 'wasserstein_distance', w.result);

const numProfile = profileNumeric(ref, 10);
const psiP = await medianSeconds(() => {
  const { counts } = countBins(numProfile, cur);
  const total = cur.length;
  return psi(numProfile.binProportions, counts.map((c) => c / total));
}, repeats);
record('psi-profile-1e6', psiP.seconds, 'psi_10bin_quantile', psiP.result);
const psiR = await medianSeconds(() => psiFromSamples(ref, cur, 10).psi, repeats);
record('psi-raw-1e6', psiR.seconds, 'psi_10bin_quantile', psiR.result);

const catProfile = profileCategorical(refCat);
// scipy's categories are the codes 0…49 in order; the profile orders them by frequency.
const chi = await medianSeconds(() => {
  const { counts } = countCategories(catProfile, curCat);
  let total = 0;
  for (const c of counts) total += c;
  const expected = catProfile.proportions.map((p) => p * total);
  return chiSquare(counts, expected);
}, repeats);
record('chi2-profile-1e6', chi.seconds, 'chisquare_50cat_incl_bincount_2x1e6', chi.result.statistic, chi.result.pValue);
const js = await medianSeconds(() => jensenShannon(catProfile.proportions, countCategories(catProfile, curCat).counts), repeats);
record('js-profile-1e6', js.seconds, undefined, js.result);

for (const r of records) r.note = 'medians of ' + repeats + ' runs on a shared 2-core machine under load; peer figures from the same machine';
writeResults('drift', records);
