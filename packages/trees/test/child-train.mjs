// Child process for checkpoint.test.ts: trains from the BUILT package (dist/) so that the test
// can really kill a running training. Usage:
//   node child-train.mjs <gbdt|forest> <checkpoint path|none> <output file> <ms to sleep per step>
import { writeFileSync } from 'node:fs';
import { encodeSerial, trainForest, trainGbdt } from '../dist/index.js';

const [kind, ckpt, out, slow] = process.argv.slice(2);
let s = 12345;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
const n = 3000;
const cols = 5;
const data = new Float64Array(n * cols);
const y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < cols; j++) data[i * cols + j] = rnd() < 0.05 ? NaN : rnd();
  y[i] = 2 * (data[i * cols] || 0) + Math.sin(6 * (data[i * cols + 1] || 0)) + 0.1 * rnd();
}
const x = { data, rows: n, cols };
const sleep = new Int32Array(new SharedArrayBuffer(4));
const common = {
  seed: 7,
  onProgress: (p) => {
    process.stdout.write(`progress ${p.completed}${p.resumed ? ' resumed' : ''}\n`);
    if (Number(slow) > 0) Atomics.wait(sleep, 0, 0, Number(slow));
  },
  ...(ckpt === 'none' ? {} : { checkpoint: { path: ckpt, every: 5 } }),
};
const res =
  kind === 'gbdt'
    ? trainGbdt(x, y, { rounds: 60, subsample: 0.8, colsample: 0.8, ...common })
    : trainForest(x, y, { trees: 40, maxFeatures: 'sqrt', ...common });
writeFileSync(out, Buffer.from(encodeSerial(res.model.toSerial())));
process.stdout.write(`done resumed=${res.resumedIterations}\n`);
