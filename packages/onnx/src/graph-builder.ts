/** A small builder of ONNX graphs: fresh value names, initializers and nodes. */
import { type Attribute, DataType, type DataTypeCode, type Node, type Tensor, type ValueInfo } from './onnx-proto.js';

/** The `ai.onnx.ml` operator domain. */
export const ML_DOMAIN = 'ai.onnx.ml';

/** Collects the nodes, initializers, inputs and outputs of one graph. */
export class GraphBuilder {
  /** Nodes in topological order. */
  readonly nodes: Node[] = [];
  /** Constant tensors. */
  readonly initializers: Tensor[] = [];
  /** Graph inputs. */
  readonly inputs: ValueInfo[] = [];
  /** Graph outputs. */
  readonly outputs: ValueInfo[] = [];
  readonly #used = new Set<string>();

  /** A value name not used yet, from `base` (sanitised). */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.#used.has(name); i++) name = `${clean}_${i}`;
    this.#used.add(name);
    return name;
  }

  /** Declares a graph input named exactly `name` (a column name may hold any character). */
  input(name: string, elemType: DataTypeCode, shape: readonly (number | string)[], docString?: string): string {
    this.#used.add(name);
    this.inputs.push({ name, elemType, shape, ...(docString !== undefined ? { docString } : {}) });
    return name;
  }

  /** Declares `value` as a graph output named `name` (through an Identity node when the names differ). */
  output(value: string, name: string, elemType: DataTypeCode, shape: readonly (number | string)[]): void {
    if (value !== name) {
      this.#used.add(name);
      this.nodes.push({
        opType: 'Identity',
        domain: '',
        name: `${name}_out`,
        inputs: [value],
        outputs: [name],
        attributes: [],
      });
    }
    this.outputs.push({ name, elemType, shape });
  }

  /** A constant tensor (an initializer); returns its value name. */
  constant(base: string, dataType: DataTypeCode, dims: readonly number[], values: Tensor['values']): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dataType, dims, values });
    return name;
  }

  /** A double scalar-vector constant of shape `[values.length]`. */
  doubles(base: string, values: ArrayLike<number>): string {
    return this.constant(base, DataType.DOUBLE, [values.length], values);
  }

  /** An int64 vector constant. */
  int64s(base: string, values: ArrayLike<number>): string {
    return this.constant(base, DataType.INT64, [values.length], values);
  }

  /** Adds a node with one output; returns the output's value name. */
  node(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = [], domain = ''): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, domain, name: `${out}_node`, inputs, outputs: [out], attributes });
    return out;
  }

  /** Casts `value` to `to`. */
  cast(value: string, to: DataTypeCode): string {
    return this.node('Cast', [value], [{ name: 'to', type: 'int', value: to }]);
  }
}
