/**
 * `@modelship/core/artifact`: the model artifact format (data only, sealed by sha256), its codec,
 * and the model runtime that loads an artifact and predicts.
 *
 * @module @modelship/core/artifact
 */
export {
  ARTIFACT_FORMAT_VERSION,
  SUPPORTED_ARTIFACT_VERSIONS,
  createArtifact,
  modelArtifactSchema,
} from './model-artifact.js';
export type { ModelArtifact, ArtifactInput, InputSchema, TargetInfo, DatasetInfo } from './model-artifact.js';
export { encodeArtifact, decodeArtifact, artifactSha256, ARTIFACT_MAGIC } from './codec.js';
export type { DecodeArtifactOptions } from './codec.js';
export { loadModel, Model } from '../model/model.js';
export type { Prediction, LoadModelOptions } from '../model/model.js';
