/**
 * `@modelship/onnx`: export of a trained modelship model — the fitted feature pipeline and the
 * learner (`gbdt`, `forest`, `linear`, `logistic`) — to ONNX, with `ai.onnx.ml` trees
 * (`TreeEnsemble`, opset 5, or `TreeEnsembleRegressor`, opset 3). No protobuf dependency.
 *
 * @module
 */
export { toOnnx } from './to-onnx.js';
export type { OnnxExportOptions, OnnxOpset, OnnxPrecision } from './to-onnx.js';
export { OnnxError } from './errors.js';
export type { OnnxErrorCode } from './errors.js';
