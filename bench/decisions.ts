/**
 * Decision quality of the default evaluator + rollback policy, simulated with known truth:
 * `npm run bench -- decisions [experiments] [seed]` writes bench/results/decisions.json.
 * Each experiment serves batches of 100 requests (20 % to the candidate unless the scenario says
 * otherwise) and applies the policy after every batch, as in production. Ratings are whole stars
 * 1–5 (sd ≈ 1), latency log-normal; the scenarios are listed in `sim/decision-quality.ts`
 * (`DECISION_CASES`), and `sim/evaluate-simulate.test.ts` checks their targets at test size.
 */
import { runDecisionScenarios } from './sim/decision-quality.js';
import { writeResults } from './_lib.js';

const experiments = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 42);
const t0 = process.hrtime.bigint();
const records = runDecisionScenarios({ experiments, seed });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const finite = (x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);
writeResults(
  'decisions',
  records.map(
    (r) =>
      ({
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, finite(v)])),
        seed,
        totalSeconds: Number(seconds.toFixed(1)),
      }) as unknown as { case: string },
  ),
);
