import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isModelshipError } from '@modelship/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createPredictionLog, type LoggedPrediction, type PredictionRecord } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'ms-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rec = (i: number): PredictionRecord => ({
  requestId: `r${i}`,
  time: 1_800_000_000_000 + i,
  model: 'm',
  variant: 'production',
  modelVersion: 1,
  latencyMs: 0.5,
  prediction: i * 2,
  input: { x: i },
});

/** An idempotent sink (keyed by request id) whose flush fails while `down`. */
function keyedSink() {
  const rows = new Map<string, LoggedPrediction>();
  let buffered: LoggedPrediction[] = [];
  const state = { down: false, writes: 0 };
  return {
    rows,
    state,
    write(records: readonly LoggedPrediction[]) {
      state.writes += records.length;
      buffered.push(...records);
    },
    async flush() {
      if (state.down) throw new Error('database down');
      for (const r of buffered) rows.set(r.requestId, r);
      buffered = [];
    },
  };
}

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

describe('the prediction log journal', () => {
  it('keeps segments while a sink cannot flush, deletes them once it can, and a restart replays what was left', async () => {
    const dir = join(root, 'a');
    const sink = keyedSink();
    sink.state.down = true;
    const log = createPredictionLog({ capacity: 0, sinks: [sink], journal: { dir, segmentMs: 10 } });
    for (let i = 0; i < 500; i++) log.record(rec(i));
    await new Promise((r) => setTimeout(r, 60));
    expect(segments(dir).length).toBeGreaterThan(0); // kept: nothing is durable yet
    expect(sink.rows.size).toBe(0);
    // the process "dies" (closing with a sink that cannot flush keeps the journal)
    await log.close();
    expect(existsSync(join(dir, 'journal.lock'))).toBe(false);
    expect(segments(dir).length).toBeGreaterThan(0);

    const fresh = keyedSink();
    const again = createPredictionLog({ capacity: 0, sinks: [fresh], journal: { dir, segmentMs: 10 } });
    for (let i = 500; i < 600; i++) again.record(rec(i));
    await new Promise((r) => setTimeout(r, 80));
    expect(again.replayed).toBe(500);
    expect([...fresh.rows.keys()].sort()).toEqual(Array.from({ length: 600 }, (_, i) => `r${i}`).sort());
    expect(fresh.rows.get('r7')).toEqual({ ...rec(7) }); // the row as the sink first got it
    expect(segments(dir)).toEqual([]); // everything durable: nothing kept
    await again.close();
  });

  it('refuses a folder another live process holds, and names the field', () => {
    const dir = join(root, 'b');
    const a = createPredictionLog({ sinks: [keyedSink()], journal: { dir } });
    // a lock held by a live process (the parent of this one)
    rmSync(join(dir, 'journal.lock'));
    writeFileSync(join(dir, 'journal.lock'), String(process.ppid));
    let err: unknown;
    try {
      createPredictionLog({ sinks: [keyedSink()], journal: { dir } });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'RouterError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/journal\.dir: .* is in use by process \d+/);
    expect(() => createPredictionLog({ journal: { dir: join(root, 'c') } })).toThrow(
      /journal: needs at least one sink/,
    );
    expect(() => createPredictionLog({ sinks: [keyedSink()], journal: { dir: '' } })).toThrow(/journal/);
    void a.close();
  });

  // the built dist in a separate OS process (npm test builds first)
  it('a process killed with SIGKILL loses no record it answered: the next start replays every one', async () => {
    const dir = join(root, 'killed');
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/journal-writer.mjs', import.meta.url)), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const answered: string[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      answered.push(...parts);
    });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (answered.length >= 20_000) {
          clearInterval(t);
          child.kill('SIGKILL');
          res();
        }
      }, 5);
    });
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    const sink = keyedSink();
    const log = createPredictionLog({ capacity: 0, sinks: [sink], journal: { dir } });
    await new Promise((r) => setTimeout(r, 300));
    // everything it answered (and perhaps a few it recorded but had not yet printed)
    for (const id of answered) expect(sink.rows.has(id)).toBe(true);
    expect(log.replayed).toBeGreaterThanOrEqual(answered.length);
    expect(sink.rows.size).toBe(log.replayed);
    await log.close();
  }, 60_000);
});
