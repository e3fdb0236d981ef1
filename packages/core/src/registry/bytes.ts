import { createHash, randomBytes } from 'node:crypto';
import { RegistryError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The sha256 of `bytes` as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** JSON-encodes a record to bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Decodes a JSON record, throwing `STORE_FAILURE` naming the key when it is not JSON. */
export function decodeJson<T>(bytes: Uint8Array, key: string, operation: string): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new RegistryError('STORE_FAILURE', `${operation}: stored record "${key}" is not valid JSON`, {
      operation,
      details: { key },
      cause,
    });
  }
}

/** A random id for one registry call. */
export function randomId(): string {
  return randomBytes(9).toString('base64url');
}
