/** Deterministic pseudo-random bytes (xorshift32) for test artifacts. */
export function testBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** True when two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  );
}

/** A settable clock for deterministic history tests. */
export function manualClock(start = Date.UTC(2026, 0, 1)): {
  now: () => number;
  set: (t: number) => void;
  advance: (ms: number) => number;
} {
  let t = start;
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => (t += ms) };
}

/** Runs `fn`, returning the error it throws (or failing when it does not throw). */
export async function caught(
  fn: () => Promise<unknown>,
): Promise<{ name: string; code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as { name: string; code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected the call to throw, but it resolved');
}
