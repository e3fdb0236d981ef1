import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { artifactSha256, decodeArtifact } from '../src/artifact/codec.js';
import { loadModel, type LoadModelOptions } from '../src/model/model.js';
import { createArtifact, type ArtifactInput } from '../src/artifact/model-artifact.js';
import { recomputeDecision, type DecisionRecord } from '../src/policy/rollback-policy.js';

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('artifact and decision entry points on a missing argument', () => {
  it('artifactSha256 names bytes that are not a Uint8Array', () => {
    const err = thrownBy(() => artifactSha256(null as unknown as Uint8Array));
    expect(isModelshipError(err, 'ArtifactError', 'INVALID_ARTIFACT')).toBe(true);
    expect((err as Error).message).toMatch(/artifactSha256: bytes: expected a Uint8Array, got null/);
  });

  it('createArtifact names a missing input', () => {
    const err = thrownBy(() => createArtifact(null as unknown as ArtifactInput));
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/createArtifact: input: expected an object, got null/);
  });

  it('recomputeDecision names a missing record', () => {
    const err = thrownBy(() => recomputeDecision(null as unknown as DecisionRecord));
    expect(isModelshipError(err, 'EvaluationError', 'INVALID_POLICY')).toBe(true);
    expect((err as Error).message).toMatch(/recomputeDecision: record: expected a decision record, got null/);
  });

  it('decodeArtifact and loadModel name bad options instead of crashing or never matching', () => {
    for (const f of [
      () => decodeArtifact(new Uint8Array(64), null as unknown as object),
      () => loadModel(new Uint8Array(64), null as unknown as LoadModelOptions),
    ]) {
      const err = thrownBy(f);
      expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toMatch(/options: expected an object, got null/);
    }
    const err = thrownBy(() => loadModel(new Uint8Array(64), { expectedSha256: 42 as unknown as string }));
    expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/loadModel: expectedSha256: expected 64 hex digits, got number/);
  });
});
