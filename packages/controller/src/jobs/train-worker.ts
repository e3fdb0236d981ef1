/**
 * The training worker thread of the embedded job runner (built as `dist/jobs/train-worker.js` and
 * `.cjs`): trains the spec in `workerData` with {@link trainFromSpec} and posts progress, log lines
 * and, at the end, the encoded artifact (its buffer transferred, not copied) to the main thread,
 * which registers it. Registering in the main thread works for every store (memory, file system,
 * S3): a worker cannot share the registry object.
 *
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { trainFromSpec } from './run-training.js';

const PROGRESS_EVERY_MS = 100;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train-worker: not started as a worker thread');
  const input = workerData as WorkerInput;
  const post = (m: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  let lastProgressAt = 0;
  let lastFraction = Number.NEGATIVE_INFINITY;
  try {
    const trained = await trainFromSpec(input.spec, {
      artifactTags: { job: input.jobId, trigger: input.trigger },
      onLog: (line) => post({ type: 'log', line }),
      onProgress: (progress) => {
        // throttled, but a step of 1 % or more always goes through (the worker's event loop is
        // blocked while a learner fits, so a trailing timer would fire too late)
        const now = Date.now();
        const step = progress.fraction - lastFraction >= 0.01;
        if (progress.fraction < 1 && !step && now - lastProgressAt < PROGRESS_EVERY_MS) return;
        lastProgressAt = now;
        lastFraction = progress.fraction;
        post({ type: 'progress', progress });
      },
    });
    const { bytes } = trained;
    // a fresh, exactly-sized buffer so that it can be transferred whatever bytes is a view of
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
