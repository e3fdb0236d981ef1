import { open, type FileHandle } from 'node:fs/promises';
import { RouterError } from './errors.js';
import type { LoggedPrediction, PredictionSink } from './prediction-log.js';

/** Options of {@link createJsonLinesSink}. */
export interface JsonLinesSinkOptions {
  /** The file to append to (created if absent). */
  readonly path: string;
}

/** JSON replacer that writes typed arrays as arrays and bigints as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * A sink that appends one JSON object per line to a file. Batches from the log are joined
 * into one write; writes never overlap; the file is opened on the first batch.
 *
 * @example
 * ```ts
 * const sink = createJsonLinesSink({ path: '/var/log/modelship/predictions.jsonl' });
 * ```
 */
export function createJsonLinesSink(options: JsonLinesSinkOptions): PredictionSink {
  if (typeof options?.path !== 'string' || options.path.length === 0) {
    throw new RouterError(
      'INVALID_OPTIONS',
      `invalid JSON-lines sink options: path: expected a non-empty file path, received ${JSON.stringify(options?.path)}`,
      {
        operation: 'createJsonLinesSink',
        details: { field: 'path' },
      },
    );
  }
  let handle: Promise<FileHandle> | undefined;
  // Settles when every write so far has; never rejects, so one failed batch cannot fail the next.
  let chain: Promise<void> = Promise.resolve();
  const file = (): Promise<FileHandle> => (handle ??= open(options.path, 'a'));
  /** Forgets the file after a failure, so that the next batch opens it again (e.g. once its directory is back). */
  const drop = (failed: Promise<FileHandle> | undefined): void => {
    if (handle !== failed) return;
    handle = undefined;
    failed?.then((h) => h.close()).catch(() => {});
  };
  return {
    write(records: readonly LoggedPrediction[]): Promise<void> {
      let text = '';
      for (const r of records) text += JSON.stringify(r, replacer) + '\n';
      const done = chain.then(async () => {
        const h = file();
        try {
          await (await h).appendFile(text, 'utf8');
        } catch (err) {
          drop(h);
          throw err;
        }
      });
      chain = done.catch(() => {});
      return done;
    },
    async flush(): Promise<void> {
      await chain;
      const h = handle;
      if (!h) return;
      try {
        await (await h).datasync();
      } catch (err) {
        drop(h);
        throw err;
      }
    },
    async close(): Promise<void> {
      await chain;
      if (handle) {
        const h = await handle;
        handle = undefined;
        await h.close();
      }
    },
  };
}

/**
 * A sink that hands every batch to a function (which may return a promise).
 *
 * @example
 * ```ts
 * const sink = createCallbackSink((batch) => {
 *   queue.push(...batch);
 * });
 * ```
 */
export function createCallbackSink(fn: (records: readonly LoggedPrediction[]) => void | Promise<void>): PredictionSink {
  if (typeof fn !== 'function') {
    throw new RouterError(
      'INVALID_OPTIONS',
      `invalid callback sink: fn: expected a function of a batch of records, received ${typeof fn}`,
      { operation: 'createCallbackSink', details: { field: 'fn' } },
    );
  }
  return { write: (records) => fn(records) };
}
