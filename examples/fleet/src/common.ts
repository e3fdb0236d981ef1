/**
 * What every process of the fleet shares: where the registry (S3), Redis and PostgreSQL are, the
 * model, and the HMAC key that lets any replica take feedback on any replica's answer. Each
 * process gets its configuration as one JSON argument (a real deployment would read it from the
 * environment; see docs/deployment.md) and reports what it does as JSON lines on stdout.
 */
import { createRegistry, type ModelRegistry } from '@modelship/core';
import { S3Store, type S3StoreOptions } from '@modelship/registry-s3';

/** The fleet's shared settings. */
export interface FleetConfig {
  /** The registry's S3 bucket (any S3-compatible endpoint). */
  readonly s3: S3StoreOptions;
  /** Redis: outcomes, the controller lease, the BullMQ queue. */
  readonly redisUrl: string;
  /** The prefix of this fleet's outcome keys in Redis. */
  readonly outcomesPrefix: string;
  /** The BullMQ queue of training jobs. */
  readonly queue: string;
  /** The key that signs request ids: the same on every replica. */
  readonly hmacKey: string;
  /** The model served and managed. */
  readonly model: string;
}

/** The registry over the fleet's S3 bucket, writing as `actor`. */
export function openRegistry(cfg: FleetConfig, actor: string): ModelRegistry {
  return createRegistry({ store: new S3Store(cfg.s3), actor });
}

/** One JSON line on stdout, stamped with the wall clock (every process runs on one clock here). */
export function report(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...data })}\n`);
}

/** The process's configuration: its one JSON argument. */
export function configFromArgv<T>(): T {
  const arg = process.argv[2];
  if (!arg) throw new Error('expected the configuration as one JSON argument');
  return JSON.parse(arg) as T;
}

/** Runs `onLine` for each line of stdin (the test's commands to the process). */
export function onStdinLine(onLine: (line: string) => void | Promise<void>): void {
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) void onLine(l.trim());
  });
}
