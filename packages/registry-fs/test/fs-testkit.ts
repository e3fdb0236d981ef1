import { createHash } from 'node:crypto';
import type { Logger } from '@modelship/core';

/** One call a {@link recordingLogger} received. */
interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger that keeps every entry, to assert what was logged. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

/** The errno codes of the errors logged at error level (from `{ err }`'s `details.errno`). */
export function loggedErrnos(entries: LogEntry[]): string[] {
  return entries
    .filter((e) => e.level === 'error')
    .map((e) => (e.obj.err as { details?: { errno?: string } } | undefined)?.details?.errno ?? '');
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/**
 * Retries `op` every 10 ms until it succeeds and returns how long that took (ms), measured from
 * the call; rethrows the last error after `limitMs`.
 */
export async function msUntilSuccess(op: () => Promise<unknown>, limitMs = 10_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    try {
      await op();
      return performance.now() - t0;
    } catch (err) {
      if (performance.now() - t0 > limitMs) throw err;
      await sleep(10);
    }
  }
}

/** How long one call of `op` takes (ms). */
export async function msOf(op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

/** The sha256 (hex) of some bytes. */
export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The registry's key of a blob. */
export function blobKey(sha256: string): string {
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** Distinct artifact bytes for a label. */
export function bytesOf(label: string, size = 64): Uint8Array {
  const out = new Uint8Array(size);
  const seed = createHash('sha256').update(label).digest();
  for (let i = 0; i < size; i++) out[i] = seed[i % seed.length]! ^ (i & 0xff);
  return out;
}
