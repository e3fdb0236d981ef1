import { decodeArtifact, encodeArtifact } from '../artifact/codec.js';
import type { ModelArtifact } from '../artifact/model-artifact.js';
import type { JsonValue } from './records.js';
import type { ArtifactCodec } from './registry-options.js';

/** Keeps the JSON-representable part of a value (typed arrays and non-finite numbers are dropped). */
function jsonOnly(v: unknown): JsonValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (ArrayBuffer.isView(v)) return undefined;
  if (Array.isArray(v)) return v.map((x) => jsonOnly(x) ?? null);
  if (typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const j = jsonOnly(x);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  return undefined;
}

/**
 * The default codec: modelship's {@link ModelArtifact} format (`encodeArtifact` /
 * `decodeArtifact`). `describe` supplies the artifact's finite metrics, params (JSON part) and training
 * data fingerprint, so `register(name, artifact)` records them without repeating them.
 */
export const modelArtifactCodec: ArtifactCodec<ModelArtifact> = {
  encode: (artifact) => encodeArtifact(artifact),
  decode: (bytes, options) => decodeArtifact(bytes, options),
  describe: (artifact) => ({
    metrics: Object.fromEntries(Object.entries(artifact.metrics).filter(([, v]) => Number.isFinite(v))),
    params: (jsonOnly(artifact.params) ?? {}) as Record<string, JsonValue>,
    fingerprint: artifact.fingerprint,
  }),
};
