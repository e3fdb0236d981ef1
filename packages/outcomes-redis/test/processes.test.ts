import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisOutcomeStore } from '../src/index.js';
import { freshPrefix, withRedis } from './redis.js';

const fixture = fileURLToPath(new URL('./fixtures/recorder.mjs', import.meta.url));

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return { proc, lines, exited };
}

const last = (c: Child, tag: string): number[] | undefined => {
  const l = c.lines.findLast((x) => x.startsWith(`${tag} `));
  return l?.split(' ').slice(1).map(Number);
};

// the built dist in separate OS processes (npm test builds first; `npx tsup` in this package alone)
withRedis('replica processes', (server) => {
  describe('replicas in separate processes, one killed with SIGKILL', () => {
    beforeAll(() => server.start(), 30_000);
    afterAll(() => server.destroy());

    it('the merged counts equal what the survivors flushed plus what the killed one flushed before it died', async () => {
      const prefix = freshPrefix();
      const n = 20_000; // (prediction, feedback) pairs per replica: 2 records each
      const maxBuffered = 50_000;
      const kids = [0, 1, 2].map((i) => start([server.url, prefix, `r${i}`, String(n), String(maxBuffered)]));
      const victim = kids[0]!;
      // kill it mid-way, once it has recorded a third of its outcomes
      await new Promise<void>((res, rej) => {
        const t = setInterval(() => {
          const s = last(victim, 's');
          if (s && s[0]! >= n / 3) {
            clearInterval(t);
            victim.proc.kill('SIGKILL');
            res();
          } else if (victim.proc.exitCode !== null) {
            clearInterval(t);
            rej(new Error('the victim finished before it could be killed'));
          }
        }, 2);
      });
      const seen = last(victim, 's')!; // its last report before death (it may have done a little more)
      await victim.exited;
      expect(victim.proc.signalCode).toBe('SIGKILL');
      for (const k of kids.slice(1)) expect(await k.exited).toBe(0);

      const reader = createRedisOutcomeStore({ url: server.url, prefix });
      const agg = await reader.aggregates('m');
      await reader.close();
      // survivors: everything, exactly (2 records per pair, nothing dropped)
      for (const [i, k] of kids.slice(1).entries()) {
        expect(last(k, 'done')).toEqual([2 * n, 0]);
        const v = agg.variants[`r${i + 1}`]!;
        expect(v.requests).toBe(n);
        expect(v.feedback.count).toBe(n);
        expect(v.latency.count).toBe(n);
      }
      // the killed one: whole batches only (each pair is in one batch), at least what it saw acknowledged,
      // and it lost at most its unflushed buffer (bounded by maxBuffered)
      const killed = agg.variants.r0!;
      const [recordedSeen, droppedSeen, flushedSeen, bufferedSeen] = seen as [number, number, number, number];
      expect(droppedSeen).toBe(0);
      expect(killed.requests).toBe(killed.feedback.count);
      expect(killed.latency.count).toBe(killed.requests);
      const inRedis = 2 * killed.requests;
      expect(inRedis).toBeGreaterThanOrEqual(flushedSeen);
      expect(inRedis).toBeLessThan(2 * n);
      const lostAtLeast = 2 * recordedSeen - inRedis; // a lower bound of what it lost
      expect(lostAtLeast).toBeLessThanOrEqual(bufferedSeen); // at most its unflushed buffer…
      expect(bufferedSeen).toBeLessThanOrEqual(maxBuffered); // …which is bounded
      expect(2 * recordedSeen - flushedSeen).toBe(bufferedSeen); // its own accounting of the buffer
      // the merged total: survivors + the killed one's flushed records
      const total = Object.values(agg.variants).reduce((s, v) => s + v.requests, 0);
      expect(total).toBe(2 * n + killed.requests);
      console.info(
        `killed replica: recorded ≥ ${recordedSeen} pairs, ${killed.requests} in Redis, ≤ ${bufferedSeen / 2} pairs buffered at its last report`,
      );
    }, 120_000);
  });
});
