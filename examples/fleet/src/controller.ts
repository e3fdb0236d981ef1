/**
 * A lifecycle controller: reads the merged outcomes from Redis, holds (or waits for) the Redis
 * lease, runs the canary ramp and the promote / roll back decision on the rollout record in S3,
 * and submits retraining jobs to BullMQ workers. Run two or more: one leads, the others take over
 * within a lease when it dies.
 *
 * Run: `node --import tsx src/controller.ts '<ControllerProcessConfig as JSON>'`. stdin `retrain`
 * starts a retraining (on the leader). Every controller event is printed as a JSON line.
 */
import { createController, type ModelConfig } from '@modelship/controller';
import { createBullmqJobRunner } from '@modelship/jobs-bullmq';
import { createRedisLease, createRedisOutcomeStore } from '@modelship/outcomes-redis';
import { configFromArgv, type FleetConfig, onStdinLine, openRegistry, report } from './common.js';

/** A controller process's settings. */
export interface ControllerProcessConfig extends FleetConfig {
  /** The controller's id (the lease holder). */
  readonly id: string;
  /** Loop interval (ms). */
  readonly intervalMs: number;
  /** Lease duration (ms). */
  readonly leaseMs: number;
  /** How the model is run (ramp, policy, training spec…). */
  readonly modelConfig: ModelConfig;
}

const cfg = configFromArgv<ControllerProcessConfig>();
const registry = openRegistry(cfg, cfg.id);
const outcomes = createRedisOutcomeStore({ url: cfg.redisUrl, prefix: cfg.outcomesPrefix, replica: cfg.id });
const lease = createRedisLease({ url: cfg.redisUrl, id: cfg.id, durationMs: cfg.leaseMs });
const jobs = createBullmqJobRunner({ connection: cfg.redisUrl, queue: cfg.queue, registry });
const controller = createController({
  registry,
  outcomes,
  lease,
  jobs,
  id: cfg.id,
  intervalMs: cfg.intervalMs,
  models: { [cfg.model]: cfg.modelConfig },
});
controller.on('event', (e) =>
  report('controller', {
    controller: cfg.id,
    type: e.type,
    model: e.model,
    eventAt: e.at,
    data: e.data,
    message: e.message,
  }),
);
controller.start();
report('ready', { controller: cfg.id, pid: process.pid });

onStdinLine(async (line) => {
  if (line === 'retrain') {
    try {
      const jobId = await controller.retrain(cfg.model);
      report('retrain', { controller: cfg.id, jobId: jobId ?? null });
    } catch (err) {
      report('retrain-failed', { controller: cfg.id, error: (err as Error).message });
    }
  }
});

process.once('SIGTERM', async () => {
  await controller.close();
  await jobs.close();
  await lease.close();
  await outcomes.close();
  await registry.close();
  process.exit(0);
});
