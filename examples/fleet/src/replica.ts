/**
 * A serving replica: follows the rollout record on S3, answers `/predict` and `/feedback` over
 * HTTP, records outcomes in Redis (feedback acknowledged only once Redis has it) and, as the
 * no-new-infrastructure alternative, in a memory store published to the registry every
 * `snapshotIntervalMs`; logs every prediction to PostgreSQL through a local write-ahead journal.
 *
 * Run: `node --import tsx src/replica.ts '<ReplicaConfig as JSON>'`. stdin `stats` prints its
 * counters; SIGTERM drains and stops.
 */
import { closeGracefully, createServingRouter } from '@modelship/adapters-express';
import { createMemoryOutcomeStore } from '@modelship/core';
import { createOutcomePublisher } from '@modelship/core/outcomes';
import { createRedisOutcomeStore } from '@modelship/outcomes-redis';
import { createPostgresSink } from '@modelship/prediction-log-sql/postgres';
import { createModelRouter } from '@modelship/router';
import express from 'express';
import { createHistogram } from 'node:perf_hooks';
import { configFromArgv, type FleetConfig, onStdinLine, openRegistry, report } from './common.js';
import { teeOutcomes } from './tee-outcomes.js';

/** A replica's settings. */
export interface ReplicaConfig extends FleetConfig {
  /** The replica's name (stable across restarts; its incarnation adds the pid). */
  readonly id: string;
  /** Its HTTP port on 127.0.0.1. */
  readonly port: number;
  /** PostgreSQL for the prediction log; absent: no prediction log. */
  readonly pgUrl?: string;
  /** The journal folder of the prediction log (this replica's own; survives a restart). */
  readonly journalDir?: string;
  /** How often the rollout record is polled (ms). */
  readonly pollIntervalMs: number;
  /** How often the outcome snapshot is published to the registry (ms). */
  readonly snapshotIntervalMs: number;
}

const cfg = configFromArgv<ReplicaConfig>();
const incarnation = `${cfg.id}-${process.pid}`;
const registry = openRegistry(cfg, incarnation);

const redis = createRedisOutcomeStore({ url: cfg.redisUrl, prefix: cfg.outcomesPrefix, replica: incarnation });
const local = createMemoryOutcomeStore();
const publisher = createOutcomePublisher({
  store: registry.store,
  outcomes: local,
  replica: incarnation,
  intervalMs: cfg.snapshotIntervalMs,
}).start();

const sink = cfg.pgUrl ? createPostgresSink({ connectionString: cfg.pgUrl }) : undefined;
if (sink) await sink.migrate();

const router = createModelRouter({
  registry,
  model: cfg.model,
  hmacKey: cfg.hmacKey,
  outcomeStore: teeOutcomes(redis, local),
  durableFeedback: true,
  pollIntervalMs: cfg.pollIntervalMs,
  logCapacity: 0,
  ...(sink ? { sinks: [sink], journal: { dir: cfg.journalDir ?? `.journal-${cfg.id}`, segmentMs: 500 } } : {}),
});
router.on('modelSwapped', (e) =>
  report('swapped', {
    replica: cfg.id,
    production: e.rollout.production,
    candidate: e.rollout.candidate ?? null,
    weight: e.rollout.weights.candidate ?? 0,
  }),
);
await router.ready();

const serving = createServingRouter({ router, registry });
await serving.ready();
const app = express();
app.disable('x-powered-by');
// the request path's own time, from the handler's start to the response's end (ns)
const requestPath = createHistogram();
app.use((_req, res, next) => {
  res.setHeader('x-replica', cfg.id);
  const t0 = process.hrtime.bigint();
  res.once('finish', () => requestPath.record(Math.max(1, Number(process.hrtime.bigint() - t0))));
  next();
});
app.use(serving);
const server = app.listen(cfg.port, '127.0.0.1', () => report('ready', { replica: cfg.id, pid: process.pid }));

const stats = () => ({
  replica: cfg.id,
  incarnation,
  sink: sink?.stats(),
  journal: { replayed: router.log.replayed, dropped: router.log.dropped, failed: router.log.failed },
  redis: redis.stats(),
  requestPathMs: {
    count: requestPath.count,
    p50: requestPath.percentile(50) / 1e6,
    p99: requestPath.percentile(99) / 1e6,
  },
});
onStdinLine(async (line) => {
  if (line === 'stats') report('stats', stats());
  else if (line === 'reset-latency') {
    requestPath.reset();
    report('reset', { replica: cfg.id });
  } else if (line === 'publish') {
    await publisher.publish();
    report('published', { replica: cfg.id });
  }
});

process.once('SIGTERM', async () => {
  await closeGracefully(server, { routers: [serving, router], timeoutMs: 5000 });
  await publisher.close();
  await redis.close(); // the router closed the prediction log (and its sink) above
  report('stopped', stats());
  await registry.close();
  process.exit(0);
});
