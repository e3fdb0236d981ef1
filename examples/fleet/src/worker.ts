/**
 * A training worker: takes jobs from the BullMQ queue, trains from the job's spec in a worker
 * thread, and registers the version in S3 — exactly once per job, even when a worker dies
 * mid-job and another one takes the job over.
 *
 * Run: `node --import tsx src/worker.ts '<WorkerConfig as JSON>'`. Job events are printed as JSON lines.
 */
import { createBullmqWorker } from '@modelship/jobs-bullmq';
import { configFromArgv, type FleetConfig, openRegistry, report } from './common.js';

/** A worker's settings. */
export interface WorkerConfig extends FleetConfig {
  /** The worker's id. */
  readonly id: string;
  /** How long a job's lock lasts without renewal before another worker may take it (ms). */
  readonly lockDurationMs: number;
}

const cfg = configFromArgv<WorkerConfig>();
const registry = openRegistry(cfg, cfg.id);
const worker = createBullmqWorker({
  connection: cfg.redisUrl,
  queue: cfg.queue,
  registry,
  workerId: cfg.id,
  lockDurationMs: cfg.lockDurationMs,
  stalledIntervalMs: Math.max(200, Math.floor(cfg.lockDurationMs / 3)),
});
for (const type of ['jobStarted', 'jobSucceeded', 'jobFailed', 'jobCancelled'] as const)
  worker.on(type, (e: object) => report(type, { worker: cfg.id, ...e }));
await worker.waitUntilReady();
report('ready', { worker: cfg.id, pid: process.pid });

process.once('SIGTERM', async () => {
  await worker.close();
  await registry.close();
  process.exit(0);
});
