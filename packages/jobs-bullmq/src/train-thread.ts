/**
 * The training thread of a BullMQ worker (built as `dist/train-thread.js` and `.cjs`): trains the
 * spec in `workerData` with the controller's `trainFromSpec` and posts progress, log lines and
 * the encoded artifact to the worker's main thread, which registers it. Training off the main
 * thread keeps the worker's event loop free to renew the job's lock and watch for cancellation.
 *
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { trainFromSpec } from '@modelship/controller';
import type { ThreadInput, ThreadMessage } from './protocol.js';

const PROGRESS_EVERY_MS = 100;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train-thread: not started as a worker thread');
  const input = workerData as ThreadInput;
  const post = (m: ThreadMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  let lastAt = 0;
  let lastFraction = Number.NEGATIVE_INFINITY;
  try {
    const trained = await trainFromSpec(input.spec, {
      artifactTags: { job: input.jobId, trigger: input.trigger },
      onLog: (line) => post({ type: 'log', line }),
      onProgress: (progress) => {
        const now = Date.now();
        if (progress.fraction < 1 && progress.fraction - lastFraction < 0.01 && now - lastAt < PROGRESS_EVERY_MS)
          return;
        lastAt = now;
        lastFraction = progress.fraction;
        post({ type: 'progress', fraction: progress.fraction });
      },
    });
    const { bytes } = trained;
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
    post({ type: 'done', trained: { ...trained, bytes: owned } }, [owned.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err as { message?: unknown; name?: unknown; code?: unknown };
    post({
      type: 'error',
      message: typeof e?.message === 'string' ? e.message : String(err),
      ...(typeof e?.name === 'string' ? { name: e.name } : {}),
      ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    });
  }
}

void main();
