import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isModelshipError } from '@modelship/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlitePredictionQuery, createSqliteSink, sqliteSchemaSql } from '../src/sqlite.js';
import { lineRouter, logged, loopDelay, serve, until } from './fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'modelship-sqlite-'));
  dirs.push(d);
  return d;
};
const mounted: string[] = [];
afterAll(() => {
  for (const d of mounted.splice(0)) execFileSync('umount', ['-l', d], { stdio: 'pipe' });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('SQLite sink (better-sqlite3)', () => {
  it('throws INVALID_OPTIONS naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'path'],
      [{ path: '' }, 'path'],
      [{ path: join(tempDir(), 'a.db'), batchSize: 0 }, 'batchSize'],
      [{ path: join(tempDir(), 'a.db'), table: 'x y' }, 'table'],
      [{ path: join(tempDir(), 'a.db'), flushIntervalMs: -1 }, 'flushIntervalMs'],
      [{ path: join(tempDir(), 'a.db'), logger: 'console' }, 'logger'],
    ];
    for (const [options, field] of cases) {
      const err = thrown(() => createSqliteSink(options as never));
      expect(isModelshipError(err, 'PredictionLogSqlError', 'INVALID_OPTIONS'), String(err)).toBe(true);
      expect(err.message).toContain(field);
      expect((err as { details?: { field?: string } }).details?.field).toBe(field);
    }
    expect(sqliteSchemaSql()).toContain('PRIMARY KEY (request_id, variant, shadow)');
  });

  it('stores every prediction a router answered exactly once (WAL), and the query API reads them back', async () => {
    const path = join(tempDir(), 'predictions.db');
    const sink = createSqliteSink({ path, flushIntervalMs: 20 });
    const router = await lineRouter([sink]);
    const served = serve(router, 600);
    await router.close();
    expect(sink.stats()).toMatchObject({ buffered: 0, written: 600, dropped: 0, failedFlushes: 0 });

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(
      raw.prepare('SELECT count(DISTINCT request_id) AS d, count(*) AS n FROM modelship_predictions').get(),
    ).toEqual({
      d: 600,
      n: 600,
    });
    raw.close();

    const q = createSqlitePredictionQuery({ path });
    for (const s of served.slice(0, 50)) {
      const rows = await q.byRequestId(s.requestId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ requestId: s.requestId, variant: s.variant, model: 'line', shadow: false });
      expect((rows[0]!.prediction as { value: number }).value).toBeCloseTo(s.value, 9);
    }
    const recent = await q.recent({ model: 'line', limit: 7 });
    expect(recent).toHaveLength(7);
    for (let i = 1; i < recent.length; i++) expect(recent[i - 1]!.time).toBeGreaterThanOrEqual(recent[i]!.time);

    const production = served.filter((s) => s.variant === 'production').map((s) => s.requestId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await q.range({
        model: 'line',
        variant: 'production',
        from: new Date(0),
        to: Date.now() + 60_000,
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.rows.map((r) => r.requestId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...production].sort());
    expect((await q.range({ model: 'line', from: 0, to: 1 })).rows).toEqual([]);
    const bad = await q.range({ model: 'line', from: 0, to: 1, limit: 0 }).catch((e: unknown) => e);
    expect(isModelshipError(bad, 'PredictionLogSqlError', 'INVALID_OPTIONS')).toBe(true);
    expect((bad as Error).message).toMatch(/limit/);
    await q.close();
    const closed = await q.recent().catch((e: unknown) => e);
    expect(isModelshipError(closed, 'PredictionLogSqlError', 'CLOSED')).toBe(true);
  });

  it('a duplicate batch inserts nothing twice; rows round-trip with fallback, shadow and error fields', async () => {
    const path = join(tempDir(), 'dup.db');
    const sink = createSqliteSink({ path, flushIntervalMs: 10 });
    const batch = Array.from({ length: 30 }, (_, i) => logged(i));
    sink.write(batch);
    sink.write(batch);
    sink.write([
      logged(1, { variant: 'shadow', shadow: true, prediction: undefined, error: 'boom' }),
      logged(2, { fallback: { from: 'candidate', fromVersion: 2, reason: 'timeout' }, variant: 'production' }),
    ]);
    await sink.close();
    const q = createSqlitePredictionQuery({ path });
    const rows = await q.recent({ limit: 1000 });
    expect(rows).toHaveLength(31);
    const one = await q.byRequestId('req-000001');
    expect(one.map((r) => [r.variant, r.shadow])).toEqual([
      ['candidate', false],
      ['shadow', true],
    ]);
    expect(one[1]).toMatchObject({ prediction: null, error: 'boom' });
    expect(one[0]!.input).toEqual({ x: 1, tags: [1, 1.5] });
    const [two] = await q.byRequestId('req-000002');
    expect(two!.fallback).toBeUndefined(); // req-000002 production row existed first: the fallback duplicate is ignored
    await q.close();
  });

  it('while another connection holds the file locked: no request fails, rows stay buffered within the bound, drops are counted, the rest lands after', async () => {
    const path = join(tempDir(), 'locked.db');
    const sink = createSqliteSink({ path, flushIntervalMs: 20, retryInitialMs: 20, retryMaxMs: 100, maxBuffered: 300 });
    const router = await lineRouter([sink]);
    serve(router, 100);
    await router.log.flush();
    expect(sink.stats().written).toBe(100);

    const locker = new Database(path);
    locker.exec('BEGIN EXCLUSIVE');
    const during = serve(router, 200, 100);
    await until(() => sink.stats().failedFlushes > 0, 5000, 'a failed (busy) flush');
    const overflow = serve(router, 250, 300);
    await until(() => sink.stats().buffered + sink.stats().dropped === 450, 5000, 'rows handed over');
    expect(sink.stats()).toMatchObject({ buffered: 300, dropped: 150, written: 100 });
    expect(sink.stats().lastError).toMatch(/locked|busy/i);
    locker.exec('COMMIT');
    locker.close();
    await until(() => sink.stats().buffered === 0, 10_000, 'the buffer to drain');
    expect(sink.stats()).toMatchObject({ written: 400, dropped: 150 });
    const q = createSqlitePredictionQuery({ path });
    for (const s of [...during, ...overflow.slice(0, 100)]) expect(await q.byRequestId(s.requestId)).toHaveLength(1);
    for (const s of overflow.slice(100, 110)) expect(await q.byRequestId(s.requestId)).toHaveLength(0);
    await q.close();
    await router.close();
  });

  it('a read-only file (on a read-only mount) throws OPEN_FAILED when the sink is created, naming the file', async (ctx) => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) ctx.skip(); // root ignores chmod: a read-only tmpfs needs root
    const dir = tempDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
    } catch (err) {
      console.warn(`SKIPPING the read-only SQLite test: mount -t tmpfs not permitted: ${String(err).split('\n')[0]}`);
      ctx.skip();
    }
    mounted.push(dir);
    const path = join(dir, 'ro.db');
    const sink = createSqliteSink({ path });
    sink.write([logged(1)]);
    await sink.close();
    execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
    const err = thrown(() => createSqliteSink({ path }));
    expect(isModelshipError(err, 'PredictionLogSqlError', 'OPEN_FAILED'), String(err)).toBe(true);
    expect(err.message).toContain(path);
    // a WAL file on read-only media cannot be read either (SQLite needs its -shm file): a typed error too
    const q = createSqlitePredictionQuery({ path });
    const failed = await q.recent().catch((e: unknown) => e);
    expect(isModelshipError(failed, 'PredictionLogSqlError', 'QUERY_FAILED'), String(failed)).toBe(true);
    await q.close();
    execFileSync('mount', ['-o', 'remount,rw', dir], { stdio: 'pipe' });
    const back = createSqlitePredictionQuery({ path });
    expect((await back.recent()).map((r) => r.requestId)).toEqual(['req-000001']);
    await back.close();
    const missing = thrown(() => createSqlitePredictionQuery({ path: join(dir, 'absent.db') }));
    expect(isModelshipError(missing, 'PredictionLogSqlError', 'OPEN_FAILED')).toBe(true);
  });

  it('costs the request path little: write() per row, and how long one batch transaction blocks', async () => {
    const path = join(tempDir(), 'cost.db');
    const n = 100_000;
    const sink = createSqliteSink({ path, maxBuffered: n, flushIntervalMs: 60_000 });
    const rec = [logged(1)];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink.write(rec);
    const usPerWrite = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    await sink.close();

    // How long one batch's transaction blocks the event loop: the sink's own timer writes 50-row
    // batches (its default) while a 1 ms ticker measures the event-loop delay.
    const timed = createSqliteSink({ path, flushIntervalMs: 5 });
    const ticks = async (withRows: boolean): Promise<void> => {
      for (let b = 0; b < 200; b++) {
        if (withRows) timed.write(Array.from({ length: 50 }, (_, i) => logged(10_000 + b * 50 + i)));
        await new Promise((r) => setTimeout(r, 6));
      }
      await timed.flush();
    };
    const bulkRows = Array.from({ length: 20_000 }, (_, i) => logged(500_000 + i));
    const cpu0 = process.cpuUsage();
    timed.write(bulkRows);
    await timed.flush();
    const cpu = process.cpuUsage(cpu0);
    const bulkCpuUsPerRow = +((cpu.user + cpu.system) / bulkRows.length).toFixed(2);
    const idle = await loopDelay(() => ticks(false));
    const writing = await loopDelay(() => ticks(true));
    expect(timed.stats()).toMatchObject({ written: 30_000, dropped: 0 });
    await timed.close();
    const report = {
      usPerWrite: +usPerWrite.toFixed(3),
      bulkCpuUsPerRow,
      loopDelayIdleMs: idle,
      loopDelayWritingMs: writing,
    };
    console.log('sqlite sink request-path cost', JSON.stringify(report));
    expect(usPerWrite).toBeLessThan(5);
  });
});
