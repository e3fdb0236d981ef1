import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { afterAll, describe, it } from 'vitest';
import { describeJobRunner } from '../../../test-support/job-runner-conformance.js';
import { RedisServer, redisAvailable, requireRedis } from '../../../test-support/redis-server.js';
import { createBullmqJobRunner } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'modelship-bullmq-conf-'));
const redis = new RedisServer();
let started: Promise<void> | undefined;
let seq = 0;

afterAll(async () => {
  await redis.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

if (redisAvailable) {
  // the same cases as the embedded runner's: a runner here, one worker in a child process
  describeJobRunner('createBullmqJobRunner + a createBullmqWorker process', async () => {
    started ??= redis.start();
    await started;
    const queue = `conformance-${++seq}`;
    const root = join(tmp, queue);
    const registry = createRegistry({ store: new FsStore({ root }) });
    const runner = createBullmqJobRunner({ connection: redis.url, queue, registry, backoff: { initialMs: 50 } });
    const proc = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, REDIS_URL: redis.url, QUEUE: queue, REGISTRY_ROOT: root, WORKER_ID: `w-${seq}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((res) => proc.once('exit', () => res()));
    await new Promise<void>((res, rej) => {
      proc.once('exit', (code) => rej(new Error(`worker exited with code ${code}`)));
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        if (line.includes('"ready"')) res();
      });
    });
    return {
      runner,
      registry,
      close: async () => {
        await runner.close();
        proc.kill('SIGKILL');
        await exited;
      },
    };
  });
} else {
  if (requireRedis) throw new Error('MODELSHIP_REQUIRE_REDIS=1 but redis-server is not on the PATH');
  describe('JobRunner conformance: createBullmqJobRunner', () => {
    it.skip('SKIPPED: redis-server is not on the PATH', () => {});
  });
}
