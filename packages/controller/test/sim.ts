/** Shared pieces of the controller's tests: synthetic data, a trained linear model, a traffic simulator. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Table, type ModelRegistry, type OutcomeStore } from '@modelship/core';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { createTrainer } from '@modelship/train';

/** One minute in ms. */
export const MINUTE = 60_000;

/** y = slope·x + N(0, noise²), x ~ U(0, 10) + shift, seeded. */
export function rows(n: number, seed: number, slope = 3, shift = 0, noise = 1): Array<{ x: number; y: number }> {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const x = u() * 10 + shift;
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    out.push({ x, y: slope * x + noise * z });
  }
  return out;
}

/** The artifact of a linear model fitted on `data`. */
export async function trainOn(data: Array<{ x: number; y: number }>) {
  const trainer = createTrainer({
    task: 'regression',
    target: 'y',
    features: { features: [{ type: 'numeric', column: 'x' }] },
    variants: { linear: { learner: 'linear' } },
    evaluation: { kind: 'holdout', testFraction: 0.2 },
  });
  return (await trainer.fit(Table.fromRows(data))).artifact;
}

/** A router over `registry` with a deterministic latency timer (so two runs record the same outcomes). */
export function simRouter(registry: ModelRegistry, outcomes: OutcomeStore, now: () => number): ModelRouter {
  let t = 0;
  return createModelRouter({
    registry,
    model: 'sim',
    hmacKey: 'controller-test-key',
    outcomeStore: outcomes,
    clock: now,
    timer: () => (t += 0.02),
    logCapacity: 0,
    pollIntervalMs: 20,
  });
}

/** `perMinute` users ask and send the actual value (y = 3x + noise), spread over one minute of `clock`. */
export async function sendMinute(
  router: ModelRouter,
  clock: { t: number },
  perMinute: number,
  seed: number,
  shift = 0,
): Promise<void> {
  const truth = rows(perMinute, seed, 3, shift);
  for (let i = 0; i < truth.length; i++) {
    clock.t += Math.floor(MINUTE / perMinute);
    const r = router.predict<{ value: number }>({ x: truth[i]!.x }, { unit: `u-${seed}-${i}` });
    await router.feedback(r.requestId, { actual: truth[i]!.y });
  }
  await new Promise((res) => setImmediate(res));
}

/** The built controller-child script. */
export const CHILD = fileURLToPath(new URL('./fixtures/controller-child.mjs', import.meta.url));

/** A controller child process with line-based waits. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  next(prefix: string, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts a controller child with `config` (see fixtures/controller-child.mjs). */
export function startChild(config: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  let seen = 0;
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      res({ code, signal });
    }),
  );
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    send: (line) => proc.stdin!.write(`${line}\n`),
    async next(prefix, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        while (seen < lines.length) {
          const l = lines[seen++]!;
          if (l.startsWith(prefix)) return l;
        }
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(`child exited (${proc.exitCode ?? proc.signalCode}): ${err.slice(-1500)}`);
        if (Date.now() > end) throw new Error(`timed out waiting for "${prefix}"; stderr: ${err.slice(-1500)}`);
        await new Promise<void>((res) => {
          waiters.push(res);
          setTimeout(res, 100);
        });
      }
    },
  };
}
