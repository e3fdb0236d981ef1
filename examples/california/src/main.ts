/**
 * The California Housing pipeline end to end (needs `$MODELSHIP_DATA_DIR`).
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
  console.log(
    `${v.name.padEnd(8)} ${v.metrics.rmse!.toFixed(4)}  ${v.metrics.mae!.toFixed(4)}  ${v.metrics.r2!.toFixed(4)}${v.name === result.best ? '  ← best, production' : ''}`,
  );
}
console.log(
  `production: v${result.production}; served ${result.served} requests, ${result.clamped} clamped to [0.15, 5.0]`,
);
const drifted = result.windows.filter((w) => w.verdict === 'drift');
console.log(
  `drift: ${drifted.length} of ${result.windows.length} windows drifted (${drifted.map((w) => `#${w.index}`).join(', ') || 'none'})`,
);
console.log(`registry: ${result.registryDir}`);
console.log(`prediction log: ${result.logPath}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
