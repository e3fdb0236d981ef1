/**
 * A child process for the multi-process tests: builds a store from a module export, waits for
 * `go` on stdin (so every child acts at the same moment), runs one task and prints
 * `result <json>`. Run as built JS: `node dist/process-worker.js '<config json>'`.
 */
import { createInterface } from 'node:readline';
import { createRegistry, type Store } from '@modelship/core';
import { testBytes } from './bytes.js';

/** A task for one worker process. */
export type WorkerTask =
  | { kind: 'register'; name: string; size: number; seed: number; worker: number }
  | { kind: 'setAlias'; name: string; alias: string; version: number; expect: number | null; worker: number }
  | { kind: 'crash-register'; name: string; size: number; seed: number; at: 'blob' | 'commit' }
  | { kind: 'deploy-loop'; name: string; versions: number };

/** The worker's configuration (argv[2], JSON). */
export interface WorkerConfig {
  /** Module specifier of the store package (e.g. `@modelship/registry-fs`). */
  storeModule: string;
  /** The exported store class. */
  storeExport: string;
  /** Options passed to the store's constructor. */
  storeOptions: unknown;
  /** What to do. */
  task: WorkerTask;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const mod = (await import(config.storeModule)) as Record<string, new (o: unknown) => Store>;
  const store = new mod[config.storeExport]!(config.storeOptions);
  const task = config.task;
  const hang = (): Promise<never> => {
    process.stdout.write('mid\n');
    setInterval(() => {}, 1 << 30);
    return new Promise<never>(() => {});
  };
  const registry = createRegistry<Uint8Array>({
    store,
    actor: `worker-${process.pid}`,
    ...(task.kind === 'crash-register'
      ? {
          hooks:
            task.at === 'blob'
              ? {
                  blobChunkWritten: (written: number, total: number) =>
                    written >= total / 2 && written < total ? hang() : undefined,
                }
              : { beforeVersionCommit: () => hang() },
        }
      : {}),
  });
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) if (line.trim() === 'go') break;
  rl.close();
  try {
    let result: unknown;
    if (task.kind === 'deploy-loop') {
      // Deployment changes forever (start → ramp → ramp → promote | rollback), until killed.
      let n = 0;
      for (;;) {
        const r = await registry.getRollout(task.name);
        if (!r) throw new Error('deploy-loop: no rollout');
        if (r.candidate === undefined) {
          const candidate = (r.production % task.versions) + 1;
          await registry.startRollout(task.name, { candidate, steps: [0.05, 0.2, 0.5] });
        } else if (r.ramp && r.ramp.stepIndex < r.ramp.steps.length - 1) {
          await registry.rampRollout(task.name);
        } else if (n % 2 === 0) {
          await registry.promoteCandidate(task.name, { reason: `loop ${n}` });
        } else {
          await registry.rollbackCandidate(task.name, { reason: `loop ${n}` });
        }
        if (n++ === 0) process.stdout.write('mid\n');
      }
    }
    if (task.kind === 'register' || task.kind === 'crash-register') {
      const v = await registry.register(task.name, testBytes(task.size, task.seed), {
        tags: { seed: String(task.seed) },
      });
      result = { ok: true, version: v.version, sha256: v.sha256 };
    } else {
      const e = await registry.setAlias(task.name, task.alias, task.version, {
        expect: task.expect,
        reason: `worker ${task.worker}`,
      });
      result = { ok: true, seq: e.seq, to: e.to };
    }
    process.stdout.write(`result ${JSON.stringify(result)}\n`);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    process.stdout.write(`result ${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message })}\n`);
  }
  await registry.close();
  process.exit(0);
}

void main();
