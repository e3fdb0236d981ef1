/**
 * Runs exported ONNX models on a table with Python onnxruntime (and `onnx.checker`) and with
 * onnxruntime-node, and compares their outputs with `loadModel(artifact).predict(row)`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, type ModelArtifact, type Table } from '@modelship/core';
import * as ort from 'onnxruntime-node';
import { runPythonJson } from '../../../test-support/python.js';
import { type OnnxExportOptions, toOnnx } from '../src/index.js';

/** One graph input: float values (NaN = missing) or strings, one per row. */
export type Feed = Record<string, { type: 'float'; values: number[] } | { type: 'string'; values: string[] }>;

/** The outputs of one run: regression values, or labels and probabilities (row-major). */
export interface Outputs {
  variable?: number[];
  label?: string[];
  probabilities?: number[];
}

/** The graph inputs of `table`'s rows, typed by the artifact's schema. */
export function feedOf(artifact: ModelArtifact, table: Table): Feed {
  const feed: Feed = {};
  for (const [name, spec] of Object.entries(artifact.schema.columns)) {
    if (spec.role === 'target' || spec.role === 'id' || !table.has(name)) continue;
    const rows = Array.from({ length: table.numRows }, (_, i) => table.row(i)[name]);
    feed[name] =
      spec.type === 'numeric'
        ? { type: 'float', values: rows.map((v) => (typeof v === 'number' ? v : Number.NaN)) }
        : { type: 'string', values: rows.map((v) => String(v)) };
  }
  return feed;
}

/** What `loadModel(artifact).predict` gives for every row of `feed`. */
export function oursOn(artifact: ModelArtifact, feed: Feed, rows: number): Outputs {
  const model = loadModel(artifact);
  const classes = artifact.target.classes ?? [];
  const out: Outputs = artifact.task === 'regression' ? { variable: [] } : { label: [], probabilities: [] };
  for (let i = 0; i < rows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(feed)) {
      const v = f.values[i]!;
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      row[name] = v;
    }
    const p = model.predict(row);
    if (out.variable) out.variable.push(p.value as number);
    else {
      out.label!.push(p.value as string);
      for (const c of classes) out.probabilities!.push(p.probabilities![c]!);
    }
  }
  return out;
}

const PY = `
import json, sys
import numpy as np, onnx, onnxruntime as ort
req = json.load(sys.stdin)
res = []
for m in req['models']:
    onnx.checker.check_model(onnx.load(m['path']), full_check=True)
    sess = ort.InferenceSession(m['path'], providers=['CPUExecutionProvider'])
    feed = {}
    wanted = {i.name for i in sess.get_inputs()}
    for name, f in req['feed'].items():
        if name not in wanted: continue
        if f['type'] == 'float':
            dtype = np.float64 if m['double'] else np.float32
            feed[name] = np.array([np.nan if v is None else v for v in f['values']], dtype=dtype).reshape(-1, 1)
        else:
            feed[name] = np.array(f['values'], dtype=object).reshape(-1, 1)
    names = [o.name for o in sess.get_outputs()]
    outs = dict(zip(names, sess.run(None, feed)))
    r = {}
    if 'variable' in outs: r['variable'] = outs['variable'].astype(np.float64).ravel().tolist()
    if 'label' in outs: r['label'] = [str(s) for s in outs['label'].ravel().tolist()]
    if 'probabilities' in outs: r['probabilities'] = outs['probabilities'].astype(np.float64).ravel().tolist()
    res.append(r)
print(json.dumps(res))
`;

/** Writes `toOnnx(artifact, options)` for every options and runs them in Python onnxruntime (after `onnx.checker`). */
export function runPython(
  python: string,
  artifact: ModelArtifact,
  feed: Feed,
  variants: readonly OnnxExportOptions[],
): { outputs: Outputs[]; bytes: Uint8Array[] } {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-onnx-'));
  const bytes = variants.map((options) => toOnnx(artifact, options));
  const models = bytes.map((b, i) => {
    const path = join(dir, `${artifact.learner.kind}-${variants[i]!.opset}-${variants[i]!.precision}.onnx`);
    writeFileSync(path, b);
    return { path, double: variants[i]!.precision !== 'float' };
  });
  return { outputs: runPythonJson<Outputs[]>(python, PY, { models, feed }), bytes };
}

/** Runs ONNX bytes with onnxruntime-node (numeric inputs as float64 when `double`). */
export async function runNode(bytes: Uint8Array, feed: Feed, double: boolean): Promise<Outputs> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feed)) {
    if (!session.inputNames.includes(name)) continue;
    inputs[name] =
      f.type === 'float'
        ? double
          ? new ort.Tensor('float64', Float64Array.from(f.values), [f.values.length, 1])
          : new ort.Tensor('float32', Float32Array.from(f.values), [f.values.length, 1])
        : new ort.Tensor('string', f.values, [f.values.length, 1]);
  }
  const r = await session.run(inputs);
  await session.release();
  const out: Outputs = {};
  if (r.variable) out.variable = Array.from(r.variable.data as Float32Array);
  if (r.label) out.label = Array.from(r.label.data as string[]);
  if (r.probabilities) out.probabilities = Array.from(r.probabilities.data as Float32Array);
  return out;
}

/**
 * The largest difference of `got` from `want` (relative for values, absolute for probabilities),
 * the label mismatches, and the rows off by more than `tol` or with another label.
 */
export function compare(
  got: Outputs,
  want: Outputs,
  tol: number,
): { maxDiff: number; labelMismatches: number; rowsOff: number } {
  let maxDiff = 0;
  let labelMismatches = 0;
  const off = new Set<number>();
  if (want.variable) {
    want.variable.forEach((w, i) => {
      const d = Math.abs(got.variable![i]! - w) / Math.max(Math.abs(w), 1e-12);
      if (!(d <= maxDiff)) maxDiff = d;
      if (!(d <= tol)) off.add(i);
    });
  } else {
    const k = want.probabilities!.length / want.label!.length;
    want.label!.forEach((l, i) => {
      if (got.label![i] !== l) {
        labelMismatches++;
        off.add(i);
      }
    });
    want.probabilities!.forEach((w, i) => {
      const d = Math.abs(got.probabilities![i]! - w);
      if (!(d <= maxDiff)) maxDiff = d;
      if (!(d <= tol)) off.add(Math.floor(i / k));
    });
  }
  return { maxDiff, labelMismatches, rowsOff: off.size };
}
