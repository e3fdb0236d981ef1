/**
 * The fitted feature pipeline as ONNX preprocessing: one graph input per source column (float
 * or double for numeric, string for categorical, shape `[N, 1]`), derived columns, imputation and
 * standardisation in double precision, one-hot through `LabelEncoder` + `Equal`, concatenated
 * into one `[N, numFeatures]` double tensor.
 */
import type { InputSchema } from '@modelship/core/artifact';
import type { DerivedColumnSpec, FeaturePipelineState, FeatureStepSpec, StepState } from '@modelship/core/features';
import { OnnxError } from './errors.js';
import { type GraphBuilder, ML_DOMAIN } from './graph-builder.js';
import { DataType } from './onnx-proto.js';

/** What the preprocessing graph produced. */
export interface PipelineGraph {
  /** The double tensor `[N, width]` of features, in the pipeline's column order. */
  readonly features: string;
  /** Number of feature columns. */
  readonly width: number;
}

const OP = 'toOnnx';

function notExportable(step: string, why: string): never {
  throw new OnnxError('NOT_EXPORTABLE', `toOnnx: ${step} cannot be exported to ONNX: ${why}`, {
    operation: OP,
    details: { step },
  });
}

function derivedInputs(d: DerivedColumnSpec): readonly string[] {
  return d.op === 'ratio' ? [d.numerator, d.denominator] : d.op === 'product' ? d.columns : [d.column];
}

/** Adds the preprocessing of `state` to `g`; inputs are declared in the order of the schema's columns. */
export function exportPipeline(
  g: GraphBuilder,
  state: FeaturePipelineState,
  schema: InputSchema,
  numericType: typeof DataType.FLOAT | typeof DataType.DOUBLE,
): PipelineGraph {
  const { spec, steps } = state;
  const derive = spec.derive ?? [];
  const derivedNames = new Set(derive.map((d) => d.name));
  // the input columns read, and how
  const reads = new Map<string, 'numeric' | 'categorical'>();
  for (const d of derive) for (const n of derivedInputs(d)) if (!derivedNames.has(n)) reads.set(n, 'numeric');
  spec.features.forEach((f) => {
    if (f.type === 'numeric' && !derivedNames.has(f.column)) reads.set(f.column, 'numeric');
    if (f.type === 'onehot' && !derivedNames.has(f.column)) reads.set(f.column, 'categorical');
  });
  const columns = Object.keys(schema.columns);
  const order = [...reads.keys()].sort((a, b) => columns.indexOf(a) - columns.indexOf(b));
  const inputs = new Map<string, string>();
  for (const name of order) {
    const declared = schema.columns[name]?.type;
    const kind = reads.get(name)!;
    if (kind === 'categorical' && declared === 'numeric') {
      notExportable(
        `the one-hot step of '${name}'`,
        'it encodes a numeric column as text (ONNX receives it as a number); one-hot categorical columns only',
      );
    }
    const type = kind === 'numeric' ? numericType : DataType.STRING;
    inputs.set(
      name,
      g.input(
        name,
        type,
        ['N', 1],
        kind === 'numeric' ? `numeric column '${name}' (NaN = missing)` : `categorical column '${name}'`,
      ),
    );
  }
  const doubles = new Map<string, string>();
  const numericValue = (name: string): string => {
    let v = doubles.get(name);
    if (v === undefined) {
      v = numericType === DataType.DOUBLE ? inputs.get(name)! : g.cast(inputs.get(name)!, DataType.DOUBLE);
      doubles.set(name, v);
    }
    return v;
  };
  // derived columns, in order (later ones may read earlier ones); a non-finite result is missing
  let nan: string | undefined;
  const nanConst = (): string => {
    nan ??= g.doubles('nan', [Number.NaN]);
    return nan;
  };
  for (const d of derive) {
    const ins = derivedInputs(d).map(numericValue);
    let y: string;
    if (d.op === 'ratio') y = g.node('Div', [ins[0]!, ins[1]!]);
    else if (d.op === 'log1p') y = g.node('Log', [g.node('Add', [ins[0]!, g.doubles('one', [1])])]);
    else y = ins.slice(1).reduce((acc, v) => g.node('Mul', [acc, v]), ins[0]!);
    doubles.set(d.name, g.node('Where', [g.node('IsInf', [y]), nanConst(), y]));
  }
  const parts: string[] = [];
  let width = 0;
  spec.features.forEach((f, i) => {
    const s = steps[i]!;
    const out = exportStep(g, f, s, i, numericValue, (n) => inputs.get(n), derivedNames);
    if (out.width > 0) parts.push(out.value);
    width += out.width;
  });
  const features = parts.length === 1 ? parts[0]! : g.node('Concat', parts, [{ name: 'axis', type: 'int', value: 1 }]);
  return { features, width };
}

function exportStep(
  g: GraphBuilder,
  f: FeatureStepSpec,
  s: StepState,
  i: number,
  numericValue: (name: string) => string,
  stringInput: (name: string) => string | undefined,
  derivedNames: ReadonlySet<string>,
): { value: string; width: number } {
  const where = `features[${i}] (${f.type}${'column' in f ? ` '${f.column}'` : ` '${f.columns.join("', '")}'`})`;
  if (f.type === 'numeric' && s.type === 'numeric') {
    let v = numericValue(f.column);
    if (s.impute !== null) v = g.node('Where', [g.node('IsNaN', [v]), g.doubles('impute', [s.impute]), v]);
    if (f.standardize === true)
      v = g.node('Div', [g.node('Sub', [v, g.doubles('mean', [s.mean])]), g.doubles('scale', [s.scale])]);
    return { value: v, width: 1 };
  }
  if (f.type === 'onehot' && s.type === 'levels') {
    if (derivedNames.has(f.column)) notExportable(where, 'it one-hot encodes a derived (numeric) column as text');
    const input = stringInput(f.column)!;
    const index = new Map<string, number>();
    let w = 0;
    for (const l of s.levels) index.set(l, l === f.dropLevel ? -1 : w++);
    const otherIdx = s.otherLevel === null ? -1 : index.get(s.otherLevel)!;
    for (const r of s.rare) index.set(r, otherIdx);
    const unseenIdx = (f.unseen ?? 'other') === 'other' ? otherIdx : -1;
    if (w === 0) return { value: '', width: 0 };
    const keys = [...index.keys()];
    const codes = g.node(
      'LabelEncoder',
      [input],
      [
        { name: 'keys_strings', type: 'strings', value: keys },
        { name: 'values_int64s', type: 'ints', value: keys.map((k) => index.get(k)!) },
        { name: 'default_int64', type: 'int', value: unseenIdx },
      ],
      ML_DOMAIN,
    );
    const range = g.int64s(
      'levels',
      Array.from({ length: w }, (_, j) => j),
    );
    return { value: g.cast(g.node('Equal', [codes, range]), DataType.DOUBLE), width: w };
  }
  if (f.type === 'hash' || (f.type === 'cross' && (f.encoding ?? 'hash') === 'hash'))
    notExportable(where, 'feature hashing (FNV-1a of the value text) has no ONNX operator');
  if (f.type === 'cross')
    notExportable(where, 'a one-hot cross joins the columns’ value texts, which the export does not build');
  return notExportable(where, `its fitted state '${s.type}' does not match the step`);
}
