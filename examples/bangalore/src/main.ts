/**
 * The Bangalore home-prices pipeline end to end, run by the lifecycle controller (`npm run
 * start:bangalore`; data from `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the repository).
 * Usage: `npm start -w @modelship-examples/bangalore [-- --registry DIR] [--candidate forest]`.
 */
import { runBangalorePipeline } from './pipeline.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const candidate = arg('--candidate');
if (candidate !== undefined && candidate !== 'gbdt' && candidate !== 'forest') {
  console.error(`--candidate: expected gbdt or forest, got ${candidate}`);
  process.exit(2);
}
const t0 = performance.now();
const result = await runBangalorePipeline({
  registryDir: arg('--registry'),
  candidate,
  log: (line) => console.log(line),
});
console.log('');
for (const m of [result.models.incumbent, result.models.challenger]) {
  console.log(
    `v${m.version} (${m.name.padEnd(6)}): test MAE ${m.metrics.mae!.toFixed(2)} lakhs, R² ${m.metrics.r2!.toFixed(4)}, MAPE ${(m.metrics.mape! * 100).toFixed(1)} %${m.version === result.offlineWinner ? '  ← lower offline MAE' : ''}`,
  );
}
for (const d of result.decisions) {
  console.log(`decision: ${d.applied} v${d.candidate} — ${d.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`);
}
console.log(
  `production now v${result.production}${result.production === result.offlineWinner ? ' (agrees with the offline MAE comparison)' : ' (DISAGREES with the offline MAE comparison)'}`,
);
console.log(`drift: ${result.drift.map((d) => `${d.window} → ${d.drifted.join(', ') || 'none'}`).join('; ')}`);
console.log(`registry: ${result.registryDir}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
