import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { artifactSha256, decodeArtifact, encodeArtifact, encodeContainer } from '../src/artifact/codec.js';
import { ARTIFACT_FORMAT_VERSION, createArtifact, type ModelArtifact } from '../src/artifact/model-artifact.js';

function sample(overrides: Partial<Parameters<typeof createArtifact>[0]> = {}): ModelArtifact {
  return createArtifact({
    task: 'classification',
    schema: { columns: { a: { type: 'numeric', min: 0 }, city: { type: 'categorical', required: false } } },
    target: { name: 'label', kind: 'categorical', classes: ['no', 'yes'] },
    pipeline: {
      kind: 'test-pipeline',
      means: Float64Array.of(1.5, Number.NaN, -0, Number.POSITIVE_INFINITY),
      $weird: 'dollar key',
    },
    learner: {
      kind: 'linear',
      params: { alpha: 0 },
      state: {
        coef: Float64Array.of(0.1, 0.2, 1 / 3),
        intercept: -0,
        codes: Int32Array.of(-1, 7),
        small: Uint8Array.of(1, 2, 3),
      },
    },
    metrics: { accuracy: 0.9, rocAuc: Number.NaN },
    params: { variant: 'shallow', seed: 42 },
    fingerprint: 'f'.repeat(64),
    dataset: { name: 'unit', rows: 10 },
    createdAt: '2026-11-23T12:00:00.000Z',
    tags: { owner: 'learn' },
    ...overrides,
  });
}

function expectArtifactError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
    expect.unreachable('expected an ArtifactError');
  } catch (err) {
    expect(isModelshipError(err, 'ArtifactError', code)).toBe(true);
    expect((err as Error).message).toMatch(message);
  }
}

describe('artifact codec', () => {
  it('round-trips typed arrays bit for bit, including NaN, -0 and Infinity', () => {
    const a = sample();
    const b = decodeArtifact(encodeArtifact(a));
    const pipe = b.pipeline as { means: Float64Array; $weird: string };
    expect(pipe.means).toBeInstanceOf(Float64Array);
    expect(
      Buffer.from(pipe.means.buffer).equals(Buffer.from((a.pipeline as { means: Float64Array }).means.buffer)),
    ).toBe(true);
    expect(pipe.$weird).toBe('dollar key');
    const st = b.learner.state as { coef: Float64Array; intercept: number; codes: Int32Array; small: Uint8Array };
    expect(Array.from(st.coef)).toEqual([0.1, 0.2, 1 / 3]);
    expect(Object.is(st.intercept, -0)).toBe(true);
    expect(st.codes).toEqual(Int32Array.of(-1, 7));
    expect(st.small).toEqual(Uint8Array.of(1, 2, 3));
    expect(Number.isNaN(b.metrics.rocAuc)).toBe(true);
    expect(b.formatVersion).toBe(ARTIFACT_FORMAT_VERSION);
    expect(b.tags).toEqual({ owner: 'learn' });
  });

  it('gives the same bytes (and sha256) for the same content, whatever the key order', () => {
    const a = sample();
    const reordered = { ...Object.fromEntries(Object.entries(a).reverse()) } as unknown as ModelArtifact;
    const b1 = encodeArtifact(a);
    const b2 = encodeArtifact(reordered);
    expect(Buffer.from(b1).equals(Buffer.from(b2))).toBe(true);
    expect(artifactSha256(b1)).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(encodeArtifact(decodeArtifact(b1))).equals(Buffer.from(b1))).toBe(true);
  });

  it('detects one changed byte anywhere after the version field (INTEGRITY)', () => {
    const bytes = encodeArtifact(sample());
    for (const pos of [20, 60, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const t = bytes.slice();
      t[pos]! ^= 0x01;
      expectArtifactError(() => decodeArtifact(t), 'INTEGRITY', /tampered|sha256/);
    }
  });

  it('checks the expected sha256 a registry recorded', () => {
    const bytes = encodeArtifact(sample());
    expect(decodeArtifact(bytes, { expectedSha256: artifactSha256(bytes) }).task).toBe('classification');
    expectArtifactError(() => decodeArtifact(bytes, { expectedSha256: '0'.repeat(64) }), 'INTEGRITY', /expected 0{64}/);
  });

  it('rejects an unknown format version, naming it and the supported ones', () => {
    const future = encodeContainer(99, { ...sample(), formatVersion: 99 });
    expectArtifactError(
      () => decodeArtifact(future),
      'UNSUPPORTED_VERSION',
      /format version 99 is not supported; this build reads version\(s\) 1/,
    );
  });

  it('rejects bytes that are not an artifact, and valid bytes whose content breaks the schema', () => {
    expectArtifactError(() => decodeArtifact(new Uint8Array(0)), 'INVALID_ARTIFACT', /only 0 bytes/);
    expectArtifactError(
      () =>
        decodeArtifact(
          new TextEncoder().encode('{"task":"regression"} plus some padding text to pass the minimum size check'),
        ),
      'INVALID_ARTIFACT',
      /magic/,
    );
    const noTask = { ...sample() } as Record<string, unknown>;
    delete noTask.task;
    expectArtifactError(() => decodeArtifact(encodeContainer(1, noTask)), 'INVALID_ARTIFACT', /task/);
  });

  it('refuses to store code or class instances', () => {
    const withFn = { ...sample(), pipeline: { f: (() => 1) as unknown as string } };
    expectArtifactError(() => encodeArtifact(withFn), 'INVALID_ARTIFACT', /pipeline\.f/);
    const withDate = { ...sample(), pipeline: { d: new Date() as unknown as string } };
    expectArtifactError(() => encodeArtifact(withDate), 'INVALID_ARTIFACT', /pipeline\.d/);
  });

  it('validates what createArtifact is given, naming the field', () => {
    try {
      sample({ target: { name: 'label', kind: 'categorical' } });
      expect.unreachable();
    } catch (err) {
      expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toMatch(/target\.classes/);
    }
  });
});
