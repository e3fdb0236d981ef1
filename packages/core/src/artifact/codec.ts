import { createHash } from 'node:crypto';
import { ArtifactError, ValidationError } from '../errors.js';
import { canonicalJson, revive, type PayloadBuilder } from './canonical.js';
import {
  ARTIFACT_FORMAT_VERSION,
  SUPPORTED_ARTIFACT_VERSIONS,
  validateArtifact,
  type ModelArtifact,
} from './model-artifact.js';
import { checkPipelineFits, isFeaturePipelineState, restorePipeline } from './whole-check.js';

/** The 8 magic bytes that open every encoded artifact: `0x89 "MSHIP" \r \n`. */
export const ARTIFACT_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x4d, 0x53, 0x48, 0x49, 0x50, 0x0d, 0x0a);
const PREFIX = 16; // magic (8) + version (u32 LE) + header length (u32 LE)
const DIGEST = 32;

/** sha256 (lowercase hex) of encoded artifact bytes: the identity a registry stores and checks. */
export function artifactSha256(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new ArtifactError(
      'INVALID_ARTIFACT',
      `artifactSha256: bytes: expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`,
      { operation: 'artifactSha256' },
    );
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Encodes an artifact into its canonical bytes: magic, format version, the canonical JSON
 * header (keys sorted), the typed-array payload (little-endian, 8-byte aligned) and a trailing
 * sha256 of everything before it. The same artifact always gives the same bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeArtifact(artifact);
 * const sha = artifactSha256(bytes);
 * const again = decodeArtifact(bytes, { expectedSha256: sha });
 * ```
 */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const version = artifact?.formatVersion ?? ARTIFACT_FORMAT_VERSION;
  if (!SUPPORTED_ARTIFACT_VERSIONS.includes(version)) {
    throw new ArtifactError(
      'UNSUPPORTED_VERSION',
      `cannot encode artifact format version ${version}; supported: ${SUPPORTED_ARTIFACT_VERSIONS.join(', ')}`,
      {
        operation: 'encodeArtifact',
        details: { found: version, supported: [...SUPPORTED_ARTIFACT_VERSIONS] },
      },
    );
  }
  // encoding first names the path of any value that is not data (a function, a Date…)
  const bytes = encodeContainer(version, { ...artifact, formatVersion: version });
  validateArtifact({ ...artifact, formatVersion: version }, 'encodeArtifact');
  return bytes;
}

/** Writes the binary container for any header value (exported for tests of other versions). */
export function encodeContainer(version: number, header: unknown): Uint8Array {
  const payload: PayloadBuilder = { chunks: [], size: 0 };
  const json = new TextEncoder().encode(canonicalJson(header, payload));
  const headerEnd = PREFIX + json.length;
  const payloadStart = (headerEnd + 7) & ~7;
  const total = payloadStart + payload.size + DIGEST;
  const out = new Uint8Array(total);
  out.set(ARTIFACT_MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, version, true);
  dv.setUint32(12, json.length, true);
  out.set(json, PREFIX);
  let o = payloadStart;
  for (const c of payload.chunks) {
    out.set(c, o);
    o += c.length;
  }
  out.set(
    createHash('sha256')
      .update(out.subarray(0, total - DIGEST))
      .digest(),
    total - DIGEST,
  );
  return out;
}

/** Throws ValidationError `INVALID_OPTIONS` unless `options` is an object whose `expectedSha256`, when given, is 64 hex digits. */
export function checkExpectedSha256(options: { expectedSha256?: string } | null | undefined, operation: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${operation}: options: expected an object, got ${options === null ? 'null' : typeof options}`,
      { operation, details: { field: 'options' } },
    );
  }
  const sha = options.expectedSha256;
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha))) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${operation}: expectedSha256: expected 64 hex digits, got ${typeof sha === 'string' ? `'${sha.slice(0, 70)}'` : typeof sha}`,
      {
        operation,
        details: { field: 'expectedSha256' },
      },
    );
  }
}

/** Options of {@link decodeArtifact}. */
export interface DecodeArtifactOptions {
  /** The sha256 (hex) the bytes must have, e.g. as recorded by a registry; default unchecked. */
  expectedSha256?: string;
}

function fail(
  code: 'INTEGRITY' | 'INVALID_ARTIFACT' | 'UNSUPPORTED_VERSION',
  message: string,
  details?: Record<string, unknown>,
): never {
  throw new ArtifactError(code, message, { operation: 'decodeArtifact', details });
}

/**
 * Decodes and verifies artifact bytes: checks the magic, the format version (ArtifactError
 * `UNSUPPORTED_VERSION` naming the version found and the supported ones), the embedded sha256
 * and `expectedSha256` (ArtifactError `INTEGRITY`), then validates the content with zod
 * (`INVALID_ARTIFACT`) and, when the pipeline is a modelship feature pipeline, that it loads and
 * fits the input schema and the target (`INVALID_ARTIFACT` naming the part; the learner is checked
 * by `loadModel`). Only JSON parsing is used; nothing in the bytes is executed.
 */
export function decodeArtifact(bytes: Uint8Array, options: DecodeArtifactOptions = {}): ModelArtifact {
  checkExpectedSha256(options, 'decodeArtifact');
  if (!(bytes instanceof Uint8Array)) fail('INVALID_ARTIFACT', 'decodeArtifact expects a Uint8Array of artifact bytes');
  if (bytes.length < PREFIX + DIGEST || !ARTIFACT_MAGIC.every((b, i) => bytes[i] === b)) {
    fail(
      'INVALID_ARTIFACT',
      `not a modelship artifact: ${bytes.length < PREFIX + DIGEST ? `only ${bytes.length} bytes` : 'the magic bytes do not match'}`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (!SUPPORTED_ARTIFACT_VERSIONS.includes(version)) {
    fail(
      'UNSUPPORTED_VERSION',
      `artifact format version ${version} is not supported; this build reads version(s) ${SUPPORTED_ARTIFACT_VERSIONS.join(', ')}`,
      {
        found: version,
        supported: [...SUPPORTED_ARTIFACT_VERSIONS],
      },
    );
  }
  if (options.expectedSha256 !== undefined) {
    const actual = artifactSha256(bytes);
    if (actual !== options.expectedSha256.toLowerCase()) {
      fail('INTEGRITY', `artifact sha256 is ${actual}, expected ${options.expectedSha256}`, {
        expected: options.expectedSha256,
        actual,
      });
    }
  }
  const bodyEnd = bytes.length - DIGEST;
  const digest = createHash('sha256').update(bytes.subarray(0, bodyEnd)).digest();
  for (let i = 0; i < DIGEST; i++) {
    if (digest[i] !== bytes[bodyEnd + i])
      fail(
        'INTEGRITY',
        'artifact bytes do not match their embedded sha256: the artifact is corrupt or was tampered with',
      );
  }
  const headerLength = dv.getUint32(12, true);
  if (PREFIX + headerLength > bodyEnd)
    fail('INVALID_ARTIFACT', `artifact header length ${headerLength} exceeds the file`);
  const payloadStart = (PREFIX + headerLength + 7) & ~7;
  if (payloadStart > bodyEnd) fail('INVALID_ARTIFACT', 'artifact payload starts past the end of the file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)),
    );
  } catch (cause) {
    throw new ArtifactError('INVALID_ARTIFACT', `artifact header is not valid JSON: ${(cause as Error).message}`, {
      operation: 'decodeArtifact',
      cause,
    });
  }
  let artifact: ModelArtifact;
  try {
    artifact = validateArtifact(revive(parsed, bytes.subarray(payloadStart, bodyEnd)), 'decodeArtifact');
  } catch (cause) {
    if (cause instanceof ArtifactError) throw cause;
    // e.g. a RangeError from absurdly deep nesting: still a clear error, never a crash
    throw new ArtifactError('INVALID_ARTIFACT', `artifact content cannot be read: ${(cause as Error).message}`, {
      operation: 'decodeArtifact',
      cause,
    });
  }
  if (artifact.formatVersion !== version) {
    fail(
      'INVALID_ARTIFACT',
      `artifact header says format version ${artifact.formatVersion} but the container says ${version}`,
    );
  }
  // the parts that need no learner kind: a modelship feature pipeline must load and fit the schema and target
  if (isFeaturePipelineState(artifact.pipeline))
    checkPipelineFits(artifact, restorePipeline(artifact, 'decodeArtifact'), 'decodeArtifact');
  return artifact;
}
