/**
 * The Bangalore home-prices pipeline end to end (needs `$MODELSHIP_DATA_DIR`).
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
const { production: p, candidate: c } = result.models;
console.log('');
console.log(
  `production v${p.version} (${p.name}): R² ${p.metrics.r2!.toFixed(4)}, MAPE ${(p.metrics.mape! * 100).toFixed(1)} %`,
);
console.log(
  `candidate  v${c.version} (${c.name}): R² ${c.metrics.r2!.toFixed(4)}, MAPE ${(c.metrics.mape! * 100).toFixed(1)} %`,
);
console.log(`decision: ${result.decision.action} — ${result.decision.reasons.map((r) => r.message).join('; ')}`);
console.log(`production now v${result.after.aliases.production}`);
console.log(
  `drift: unshifted → ${result.drift[0].drifted.join(', ') || 'none'}; sqft × 1.3 → ${result.drift[1].drifted.join(', ') || 'none'}`,
);
console.log(`registry: ${result.registryDir}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
