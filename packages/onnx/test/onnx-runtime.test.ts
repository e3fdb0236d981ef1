/**
 * ONNX export checked end to end on the three shared data sets: the exported models pass
 * `onnx.checker` (full check) and Python onnxruntime (and onnxruntime-node) predicts the test split
 * within 1e-5 of `loadModel(artifact).predict` (relative for values; the same labels and
 * probabilities within 1e-5 for classifiers), for both operator sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, type FeaturePipelineSpec, type ModelArtifact, type Serial, Table } from '@modelship/core';
import {
  bangaloreFeatureSpec,
  californiaFeatureSpec,
  cleanBangalore,
  irisFeatureSpec,
  loadBangalore,
  loadCalifornia,
  loadIris,
  loadSplit,
  rowsById,
} from '@modelship/datasets';
import { createTrainer, type Split, type VariantSpec } from '@modelship/train';
import { type EnsembleSerial, TreeEnsemble } from '@modelship/trees';
import { requireDataDir } from '../../../test-support/data-dir.js';
import { pythonWith } from '../../../test-support/python.js';
import { type OnnxOpset, type OnnxPrecision, toOnnx } from '../src/index.js';
import { ceil32, floor32 } from '../src/tree-export.js';
import { compare, type Feed, feedOf, type Outputs, oursOn, runNode, runPython } from './harness.js';

const VARIANTS: readonly { opset: OnnxOpset; precision: OnnxPrecision }[] = [
  { opset: 'ml5', precision: 'double' },
  { opset: 'ml3', precision: 'double' },
  { opset: 'ml5', precision: 'float' },
  { opset: 'ml3', precision: 'float' },
];
const TOL = 1e-5;
const python = pythonWith(['onnxruntime', 'numpy', 'onnx']);
const measured: string[] = [];

requireDataDir();

async function train(
  table: Table,
  split: Split,
  task: 'regression' | 'classification',
  features: FeaturePipelineSpec,
  variants: Record<string, VariantSpec>,
): Promise<Map<string, ModelArtifact>> {
  const r = await createTrainer({ task, features, variants, evaluation: { kind: 'holdout', split }, seed: 7 }).fit(
    table,
  );
  const out = new Map<string, ModelArtifact>();
  for (const v of r.variants) out.set(v.name, await r.artifactOf(v.name));
  return out;
}

/**
 * Checks every artifact against Python onnxruntime and onnxruntime-node on `feed`, for both opsets
 * and both precisions; records the figures. Double precision must match on every row; float
 * precision on all but `floatRowsOff` of the rows (a computed feature within one float32 step of a
 * threshold may take the other branch).
 */
async function check(
  dataset: string,
  artifacts: Map<string, ModelArtifact>,
  feed: Feed,
  rows: number,
  floatRowsOff = 0,
): Promise<void> {
  for (const [name, artifact] of artifacts) {
    const ours: Outputs = oursOn(artifact, feed, rows);
    const { outputs, bytes } = runPython(python!, artifact, feed, VARIANTS);
    for (let i = 0; i < VARIANTS.length; i++) {
      const { opset, precision } = VARIANTS[i]!;
      const what = `${dataset} ${name} ${opset} ${precision}`;
      const py = compare(outputs[i]!, ours, TOL);
      const node = compare(await runNode(bytes[i]!, feed, precision === 'double'), ours, TOL);
      measured.push(
        `${what}: ${rows} rows, max ${artifact.task === 'regression' ? 'relative' : 'absolute probability'} diff ` +
          `python ${py.maxDiff.toExponential(2)}, node ${node.maxDiff.toExponential(2)}; rows off ${py.rowsOff} / ${node.rowsOff}` +
          (artifact.task === 'classification'
            ? `; label mismatches ${py.labelMismatches} / ${node.labelMismatches}`
            : ''),
      );
      const allowed = precision === 'double' ? 0 : floatRowsOff;
      expect(py.rowsOff, `${what} rows off (python)`).toBeLessThanOrEqual(allowed);
      expect(node.rowsOff, `${what} rows off (node)`).toBeLessThanOrEqual(allowed);
      if (precision === 'double') {
        expect(py.maxDiff, `${what} (python)`).toBeLessThan(TOL);
        expect(node.maxDiff, `${what} (node)`).toBeLessThan(TOL);
      }
    }
  }
}

if (!python)
  console.warn('SKIPPING the onnxruntime checks of @modelship/onnx: Python onnxruntime, numpy or onnx missing');

describe.skipIf(!python)(
  'ONNX export run by onnxruntime, within 1e-5 of loadModel().predict on the test splits',
  () => {
    afterAll(() => {
      if (measured.length > 0) console.log(`ONNX export, measured:\n  ${measured.join('\n  ')}`);
    });

    describe('California Housing (test split: 4,128 rows)', () => {
      let table: Table;
      let split: Split;
      let test: Table;
      beforeAll(() => {
        table = loadCalifornia();
        split = loadSplit('california_housing');
        test = table.select(split.test);
      });
      // the example's view: derived ratios (one with missing values, imputed), standardised, and a one-hot with a reference level
      const spec = (): FeaturePipelineSpec => {
        const base = californiaFeatureSpec({ standardize: true });
        return {
          ...base,
          derive: [
            ...(base.derive ?? []),
            { name: 'BedrmsPerRoom', op: 'ratio', numerator: 'total_bedrooms', denominator: 'total_rooms' },
          ],
          features: [
            ...base.features,
            { type: 'numeric', column: 'BedrmsPerRoom', impute: { strategy: 'median' } },
            { type: 'onehot', column: 'ocean_proximity', dropLevel: '<1H OCEAN' },
          ],
        };
      };

      it('regression: gbdt, forest and linear', async () => {
        const artifacts = await train(table, split, 'regression', spec(), {
          gbdt: { learner: 'gbdt', params: { rounds: 150 } },
          forest: { learner: 'forest', params: { trees: 20, maxDepth: 12 } },
          linear: { learner: 'linear' },
        });
        await check('california', artifacts, feedOf(artifacts.get('gbdt')!, test), test.numRows, 20);
      });

      it('binary classification (above / below the median value): gbdt (sigmoid) and logistic', async () => {
        const s = spec();
        const artifacts = await train(
          table,
          split,
          'classification',
          {
            ...s,
            target: { column: 'median_house_value', kind: 'quantile', quantiles: [0.5], labels: ['low', 'high'] },
          },
          { gbdt: { learner: 'gbdt', params: { rounds: 100 } }, logistic: { learner: 'logistic' } },
        );
        await check('california-binary', artifacts, feedOf(artifacts.get('gbdt')!, test), test.numRows, 20);
      });
    });

    it('Bangalore (test split, one-hot location with unseen locations): linear, gbdt and forest', async () => {
      const clean = cleanBangalore(loadBangalore());
      const ids = loadSplit('bengaluru_house_data');
      const split = { train: rowsById(clean, ids.train), test: rowsById(clean, ids.test) };
      const artifacts = await train(clean, split, 'regression', bangaloreFeatureSpec(), {
        linear: { learner: 'linear' },
        gbdt: { learner: 'gbdt', params: { rounds: 150 } },
        forest: { learner: 'forest', params: { trees: 20 } },
      });
      const test = clean.select(split.test);
      const feed = feedOf(artifacts.get('linear')!, test);
      // three rows at a location never seen in training: all location columns zero, as ours
      const loc = feed.location!;
      expect(loc.type).toBe('string');
      for (const f of Object.values(feed)) (f.values as unknown[]).push(...f.values.slice(0, 3));
      loc.values.splice(-3, 3, 'Atlantis', 'Nowhere', '');
      await check('bangalore', artifacts, feed, test.numRows + 3, 10);
    });

    describe('Iris (test split: 30 rows)', () => {
      let artifacts: Map<string, ModelArtifact>;
      let test: Table;
      beforeAll(async () => {
        const iris = loadIris();
        const split = loadSplit('iris');
        test = iris.select(split.test);
        artifacts = await train(iris, split, 'classification', irisFeatureSpec(), {
          logistic: { learner: 'logistic' },
          gbdt: { learner: 'gbdt', params: { rounds: 60 } },
          forest: { learner: 'forest', params: { trees: 30 } },
        });
      });

      it('logistic, gbdt (softmax) and forest (averaged probabilities): the same classes', async () => {
        await check('iris', artifacts, feedOf(artifacts.get('gbdt')!, test), test.numRows);
      });

      it('every split decides as ours at its float32 edges (inputs at and just above each rounded-down threshold)', async () => {
        for (const name of ['gbdt', 'forest']) {
          const artifact = artifacts.get(name)!;
          const ens = TreeEnsemble.fromSerial((artifact.learner.state as { ensemble: unknown }).ensemble);
          const base = feedOf(artifact, test.select([0]));
          const columns = Object.keys(base);
          const feed: Feed = Object.fromEntries(columns.map((c) => [c, { type: 'float', values: [] as number[] }]));
          const seen = new Set<string>();
          for (let n = 0; n < ens.feature.length && seen.size < 400; n++) {
            const f = ens.feature[n]!;
            const t32 = floor32(ens.threshold[n]!);
            const key = `${f}:${t32}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const above = new Float32Array([t32]);
            new Int32Array(above.buffer)[0]! += t32 >= 0 ? 1 : -1;
            for (const x of [t32, above[0]!]) {
              columns.forEach((c, j) => {
                (feed[c]!.values as number[]).push(j === f ? x : (base[c]!.values[0] as number));
              });
            }
          }
          const rows = seen.size * 2;
          // the pipeline is raw numeric columns in input order, so feature f is column f
          expect(artifact.pipeline).toMatchObject({ spec: { features: columns.map((column) => ({ column })) } });
          await check(`iris-edges`, new Map([[name, artifact]]), feed, rows);
        }
      });

      it('imported XGBoost-style splits (fround(x) < t) and LightGBM zero-as-missing splits', async () => {
        const artifact = artifacts.get('gbdt')!;
        const serial = (artifact.learner.state as unknown as { ensemble: EnsembleSerial }).ensemble;
        // every node tested as XGBoost does: fround(x) < t (flag 4), NaN still following the default direction
        const xgb: EnsembleSerial = { ...serial, flags: serial.flags.map((f) => f | 4) };
        const ens = TreeEnsemble.fromSerial(xgb);
        const exported: ModelArtifact = {
          ...artifact,
          learner: { ...artifact.learner, state: { task: 'classification', ensemble: xgb as unknown as Serial } },
        };
        const base = feedOf(artifact, test.select([0]));
        const columns = Object.keys(base);
        const feed: Feed = Object.fromEntries(columns.map((c) => [c, { type: 'float', values: [] as number[] }]));
        const ulp = (v: number, dir: 1 | -1): number => {
          const b = new Float64Array([v]);
          new BigInt64Array(b.buffer)[0]! += BigInt(v >= 0 ? dir : -dir);
          return b[0]!;
        };
        for (let n = 0; n < ens.feature.length; n++) {
          const t = ens.threshold[n]!;
          const c = ceil32(t);
          const p = floor32(c === t ? c - Math.abs(c) * 1e-7 : t);
          const m = p + (c - p) / 2; // the float32 rounding boundary between p and c
          for (const x of [p, c, m, ulp(m, 1), ulp(m, -1), t]) {
            columns.forEach((col, j) => {
              (feed[col]!.values as number[]).push(j === ens.feature[n] ? x : (base[col]!.values[0] as number));
            });
          }
        }
        const rows = feed[columns[0]!]!.values.length;
        const want: Outputs = { label: [], probabilities: [] };
        for (let i = 0; i < rows; i++) {
          const pr = ens.predictProbaRow(Float64Array.from(columns, (col) => feed[col]!.values[i] as number));
          let best = 0;
          for (let k = 1; k < pr.length; k++) if (pr[k]! > pr[best]!) best = k;
          want.label!.push(artifact.target.classes![best]!);
          want.probabilities!.push(...pr);
        }
        const { outputs, bytes } = runPython(python!, exported, feed, VARIANTS);
        for (let i = 0; i < VARIANTS.length; i++) {
          for (const got of [outputs[i]!, await runNode(bytes[i]!, feed, VARIANTS[i]!.precision === 'double')]) {
            const d = compare(got, want, TOL);
            expect(d.rowsOff, `${VARIANTS[i]!.opset} ${VARIANTS[i]!.precision}: ${rows} rows`).toBe(0);
          }
        }
        // a LightGBM split where zero counts as missing (flag 2) has no ONNX form
        const lgb: EnsembleSerial = { ...serial, flags: serial.flags.map((f, i) => (i === 0 ? f | 2 : f)) };
        const err = (() => {
          try {
            toOnnx({
              ...artifact,
              learner: { ...artifact.learner, state: { task: 'classification', ensemble: lgb as unknown as Serial } },
            });
          } catch (e) {
            return e as { code?: string; message: string };
          }
          return undefined;
        })();
        expect(err?.code).toBe('NOT_EXPORTABLE');
        expect(err?.message).toContain('zero as missing');
      });

      it('a missing value (NaN) follows each node’s default direction, as in the compiled ensemble', async () => {
        for (const name of ['gbdt', 'forest']) {
          const artifact = artifacts.get(name)!;
          const ens = TreeEnsemble.fromSerial((artifact.learner.state as { ensemble: unknown }).ensemble);
          const feed = feedOf(artifact, test);
          const columns = Object.keys(feed);
          // column j missing on the rows i with i % 4 === j
          for (const [j, c] of columns.entries())
            feed[c]!.values = (feed[c]!.values as number[]).map((v, i) => (i % 4 === j ? Number.NaN : v));
          const want: Outputs = { label: [], probabilities: [] };
          const classes = artifact.target.classes!;
          for (let i = 0; i < test.numRows; i++) {
            const p = ens.predictProbaRow(Float64Array.from(columns, (c) => feed[c]!.values[i] as number));
            let best = 0;
            for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
            want.label!.push(classes[best]!);
            want.probabilities!.push(...p);
          }
          const { outputs, bytes } = runPython(python!, artifact, feed, VARIANTS);
          for (let i = 0; i < VARIANTS.length; i++) {
            for (const got of [outputs[i]!, await runNode(bytes[i]!, feed, VARIANTS[i]!.precision === 'double')]) {
              const d = compare(got, want, TOL);
              expect(d.labelMismatches).toBe(0);
              expect(d.maxDiff).toBeLessThan(TOL);
            }
          }
        }
      });
    });
    it('every exportable step: log1p, product and ratio columns (x/0 → missing), each imputation, rare and unseen levels', async () => {
      const random = createRandom(11);
      const rnd = (): number => random.next();
      const cities = ['a', 'b', 'c', 'd'];
      const rows = Array.from({ length: 500 }, (_, i) => {
        const u = rnd();
        const city = u < 0.45 ? 'a' : u < 0.9 ? 'b' : u < 0.915 ? 'c' : 'd';
        const x = i % 20 === 0 ? Number.NaN : i % 37 === 0 ? 0 : 10 * rnd();
        const z = 1 + 4 * rnd();
        const fx = Number.isNaN(x) ? 5 : x;
        const y = 2 * Math.log1p(fx) + 0.3 * fx * z + cities.indexOf(city) + 0.1 * rnd();
        return { city, x, z, y };
      });
      const table = Table.fromRows(rows);
      const ids = Int32Array.from({ length: 500 }, (_, i) => i);
      const split = { train: ids.filter((i) => i % 5 !== 0), test: ids.filter((i) => i % 5 === 0) };
      const derive: FeaturePipelineSpec['derive'] = [
        { name: 'lx', op: 'log1p', column: 'x' },
        { name: 'xz', op: 'product', columns: ['x', 'z'] },
        { name: 'zx', op: 'ratio', numerator: 'z', denominator: 'x' },
      ];
      const numeric: FeaturePipelineSpec['features'] = [
        { type: 'numeric', column: 'lx', impute: { strategy: 'mean' }, standardize: true },
        { type: 'numeric', column: 'xz', impute: { strategy: 'median' } },
        { type: 'numeric', column: 'zx', impute: { strategy: 'constant', value: 0 } },
        { type: 'numeric', column: 'z', standardize: true },
      ];
      const test = table.select(split.test);
      for (const onehot of [
        { type: 'onehot', column: 'city', minFrequency: 10 }, // 'c' is rare: it and unseen values go to 'other'
        { type: 'onehot', column: 'city', minFrequency: 10, unseen: 'zeros', dropLevel: 'a' },
      ] as const) {
        const artifacts = await train(
          table,
          split,
          'regression',
          { derive, features: [...numeric, onehot], target: { column: 'y', kind: 'numeric' } },
          { linear: { learner: 'linear' }, gbdt: { learner: 'gbdt', params: { rounds: 40 } } },
        );
        const feed = feedOf(artifacts.get('linear')!, test);
        for (const f of Object.values(feed)) (f.values as unknown[]).push(...f.values.slice(0, 4));
        (feed.city!.values as string[]).splice(-4, 4, 'c', 'zzz', 'c', '');
        expect(feed.x!.values.some((v) => Number.isNaN(v))).toBe(true);
        await check(`synthetic (unseen: ${onehot.unseen ?? 'other'})`, artifacts, feed, test.numRows + 4, 5);
      }
    });
  },
);
