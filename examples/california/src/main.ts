/**
 * The California Housing pipeline end to end, run by the lifecycle controller (`npm run
 * start:california`; data from `$MODELSHIP_DATA_DIR`, else `../shared/datasets` next to the repository).
 * Usage: `npm start -w @modelship-examples/california [-- --registry DIR] [--log FILE]`.
 */
import { runCaliforniaPipeline } from './pipeline.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const t0 = performance.now();
const result = await runCaliforniaPipeline({
  registryDir: arg('--registry'),
  logPath: arg('--log'),
  log: (line) => console.log(line),
});
console.log('');
console.log('variant  RMSE    MAE     R²');
for (const v of result.variants) {
  const note =
    v.name === result.best
      ? `  ← best, v${result.version}`
      : v.name === result.challenger.name
        ? `  ← challenger v${result.challenger.version}`
        : '';
  console.log(
    `${v.name.padEnd(8)} ${v.metrics.rmse!.toFixed(4)}  ${v.metrics.mae!.toFixed(4)}  ${v.metrics.r2!.toFixed(4)}${note}`,
  );
}
console.log(
  `production: v${result.production}; served ${result.served} requests, ${result.clamped} clamped to [0.15, 5.0]`,
);
console.log(`rejected: total_rooms −5 → ${result.rejected.negativeRooms.message.split('\n').join(' ')}`);
const drifted = result.windows.filter((w) => w.verdict === 'drift');
console.log(
  `drift: ${drifted.length} of ${result.windows.length} windows drifted (${drifted.map((w) => `#${w.index}`).join(', ') || 'none'})`,
);
console.log(`registry: ${result.registryDir}`);
console.log(`prediction log: ${result.logPath}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
