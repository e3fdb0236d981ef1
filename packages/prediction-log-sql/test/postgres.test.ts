import { isModelshipError } from '@modelship/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresServer, postgresAvailable, postgresSkipReason } from '../../../test-support/postgres-server.js';
import { createPostgresPredictionQuery, createPostgresSink, postgresSchemaSql } from '../src/postgres.js';
import { lineRouter, logged, loopDelay, pct, serve, until } from './fixtures.js';

const required = process.env.MODELSHIP_REQUIRE_POSTGRES === '1';
if (!postgresAvailable) {
  if (required) throw new Error(`MODELSHIP_REQUIRE_POSTGRES=1 but ${postgresSkipReason}`);
  console.warn(`SKIPPING the PostgreSQL sink tests: ${postgresSkipReason}`);
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('createPostgresSink options', () => {
  it('throws INVALID_OPTIONS naming the field', () => {
    const cases: Array<[unknown, RegExp, string]> = [
      [{}, /pool/, 'pool'],
      [{ connectionString: 'postgres://x', pool: { query: async () => ({ rows: [], rowCount: 0 }) } }, /pool/, 'pool'],
      [{ connectionString: 'postgres://x', batchSize: 10_000 }, /batchSize/, 'batchSize'],
      [{ connectionString: 'postgres://x', table: 'Bad-Name; drop' }, /table/, 'table'],
      [{ connectionString: 'postgres://x', maxBuffered: 0 }, /maxBuffered/, 'maxBuffered'],
      [{ pool: {} }, /pool/, 'pool'],
    ];
    for (const [options, message, field] of cases) {
      const err = thrown(() => createPostgresSink(options as never));
      expect(isModelshipError(err, 'PredictionLogSqlError', 'INVALID_OPTIONS'), String(err)).toBe(true);
      expect(err.message).toMatch(message);
      expect((err as { details?: { field?: string } }).details?.field).toBe(field);
    }
    const q = thrown(() => createPostgresPredictionQuery({ connectionString: '' }));
    expect(q.message).toMatch(/connectionString/);
  });

  it('documents the table: primary key on request id, indexes on time, model and variant', () => {
    const ddl = postgresSchemaSql('preds');
    expect(ddl).toContain('PRIMARY KEY (request_id, variant, shadow)');
    expect(ddl).toContain('preds_started_at_idx ON preds (started_at)');
    expect(ddl).toContain('ON preds (model, variant, started_at)');
    expect(ddl).toMatch(/prediction\s+jsonb/);
  });
});

describe.skipIf(!postgresAvailable)('PostgreSQL sink on a real server', () => {
  const server = new PostgresServer();
  let admin: pg.Pool;
  const count = async (table: string): Promise<number> =>
    Number((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    await server.start();
    admin = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    admin.on('error', () => {});
  });
  afterAll(async () => {
    await admin?.end();
    await server.destroy();
  });

  it('stores every prediction a router answered exactly once, and the query API reads them back', async () => {
    const sink = createPostgresSink({
      connectionString: server.connectionString,
      table: 'router_rows',
      flushIntervalMs: 20,
    });
    const router = await lineRouter([sink]);
    const served = serve(router, 600);
    await router.close(); // flushes the log, then the sink, then ends its pool
    expect(sink.stats()).toMatchObject({ buffered: 0, written: 600, dropped: 0, failedFlushes: 0 });

    const ids = await admin.query('SELECT request_id, count(*)::int AS n FROM router_rows GROUP BY request_id');
    expect(ids.rows.length).toBe(600);
    expect(ids.rows.every((r) => r.n === 1)).toBe(true);

    const q = createPostgresPredictionQuery({ pool: admin, table: 'router_rows' });
    for (const s of served.slice(0, 50)) {
      const rows = await q.byRequestId(s.requestId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ requestId: s.requestId, variant: s.variant, model: 'line', shadow: false });
      expect((rows[0]!.prediction as { value: number }).value).toBeCloseTo(s.value, 9);
      expect(rows[0]!.modelVersion).toBe(s.variant === 'production' ? 1 : 2);
      expect(rows[0]!.input).toEqual({ x: expect.any(Number) });
    }
    const recent = await q.recent({ model: 'line', limit: 10 });
    expect(recent).toHaveLength(10);
    for (let i = 1; i < recent.length; i++) expect(recent[i - 1]!.time).toBeGreaterThanOrEqual(recent[i]!.time);
    expect(await q.recent({ model: 'nope' })).toEqual([]);

    // paging through one variant's rows by cursor returns each once, in time order
    const candidates = served.filter((s) => s.variant === 'candidate').map((s) => s.requestId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await q.range({
        model: 'line',
        variant: 'candidate',
        from: 0,
        to: new Date(Date.now() + 60_000),
        limit: 64,
        ...(cursor ? { cursor } : {}),
      });
      for (const r of page.rows) seen.push(r.requestId);
      for (let i = 1; i < page.rows.length; i++) expect(page.rows[i - 1]!.time).toBeLessThanOrEqual(page.rows[i]!.time);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(candidates.length / 64) + (candidates.length % 64 === 0 ? 1 : 0));
    expect(seen.sort()).toEqual([...candidates].sort());
    const err = await q.range({ model: 'line', from: 0, to: 1, cursor: 'garbage' }).catch((e: unknown) => e);
    expect(isModelshipError(err, 'PredictionLogSqlError', 'INVALID_OPTIONS')).toBe(true);
    expect((err as Error).message).toMatch(/cursor/);
  });

  it('a retried (duplicate) batch inserts nothing twice; a row PostgreSQL rejects is dropped alone and counted', async () => {
    const sink = createPostgresSink({
      connectionString: server.connectionString,
      table: 'dup_rows',
      flushIntervalMs: 10,
    });
    const batch = Array.from({ length: 50 }, (_, i) => logged(i));
    sink.write(batch);
    await sink.flush();
    sink.write(batch); // the same rows again, as a batch retried after a lost acknowledgement would be
    sink.write([logged(100, { input: { note: 'bad \u0000 byte' } }), logged(101)]);
    await sink.flush();
    expect(await count('dup_rows')).toBe(51);
    expect(sink.stats()).toMatchObject({ buffered: 0, written: 101, dropped: 1, rejected: 1 });
    const q = createPostgresPredictionQuery({ pool: admin, table: 'dup_rows' });
    const [row] = await q.byRequestId('req-000003');
    expect(row).toMatchObject({
      time: 1_700_000_003_000,
      variant: 'candidate',
      modelVersion: 2,
      latencyMs: 0.25,
      shadow: false,
    });
    expect(row!.input).toEqual({ x: 3, tags: [3, 3.5] }); // typed arrays stored as arrays
    await sink.close();
  });

  it('with PostgreSQL stopped mid-run: no request fails, rows stay buffered within the bound, drops are counted, the rest lands after restart', async () => {
    const sink = createPostgresSink({
      connectionString: server.connectionString,
      table: 'outage_rows',
      flushIntervalMs: 20,
      retryInitialMs: 20,
      retryMaxMs: 200,
      maxBuffered: 300,
    });
    const router = await lineRouter([sink]);
    const before = serve(router, 100);
    await router.log.flush();
    expect(await count('outage_rows')).toBe(100);

    await server.stop();
    const during = serve(router, 200, 100); // never throws
    await until(() => sink.stats().failedFlushes > 0, 10_000, 'a failed flush');
    expect(sink.stats()).toMatchObject({ buffered: 200, written: 100, dropped: 0 });
    const overflow = serve(router, 250, 300); // 100 fit, 150 are dropped (the newest)
    await until(() => sink.stats().buffered + sink.stats().dropped === 450, 5_000, 'the log to hand rows over');
    expect(sink.stats()).toMatchObject({ buffered: 300, dropped: 150 });
    expect(sink.stats().lastError).toBeTruthy();

    await new Promise((r) => setTimeout(r, 3000)); // stays down a few seconds, retries back off
    await server.start();
    await until(() => sink.stats().buffered === 0, 20_000, 'the buffer to drain after the restart');
    expect(sink.stats()).toMatchObject({ written: 400, dropped: 150, buffered: 0 });
    const stored = new Set(
      (await admin.query('SELECT request_id FROM outage_rows')).rows.map((r: { request_id: string }) => r.request_id),
    );
    expect(stored.size).toBe(400);
    for (const s of [...before, ...during, ...overflow.slice(0, 100)]) expect(stored.has(s.requestId)).toBe(true);
    for (const s of overflow.slice(100)) expect(stored.has(s.requestId)).toBe(false);
    await router.close();
  });

  it('close() gives up after closeTimeoutMs when the server is down, counting what is left as dropped', async () => {
    const sink = createPostgresSink({
      connectionString: server.connectionString,
      table: 'close_rows',
      closeTimeoutMs: 300,
      retryInitialMs: 20,
    });
    await sink.migrate();
    await server.stop();
    try {
      sink.write([logged(1), logged(2)]);
      const err = await sink.flush().catch((e: unknown) => e);
      expect(isModelshipError(err, 'PredictionLogSqlError', 'FLUSH_TIMEOUT'), String(err)).toBe(true);
      const t0 = Date.now();
      await sink.close();
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(sink.stats()).toMatchObject({ buffered: 0, written: 0, dropped: 2 });
      sink.write([logged(3)]);
      expect(sink.stats().dropped).toBe(3);
    } finally {
      await server.start();
    }
  });

  it('costs the request path little: write() per row, and the router p99 with the sink on and off', async () => {
    const sink = createPostgresSink({ connectionString: server.connectionString, table: 'cost_rows' });
    const rec = [logged(1)];
    const n = 200_000;
    // nothing listens on port 1: the rows stay buffered (as in an outage) and close() gives them up at once
    const big = createPostgresSink({
      connectionString: 'postgres://postgres@127.0.0.1:1/x',
      maxBuffered: n,
      closeTimeoutMs: 0,
    });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) big.write(rec);
    const usPerWrite = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    await big.close();
    expect(big.stats()).toMatchObject({ written: 0, dropped: n });

    // Event-loop delay while the flusher sends 500-row batches (JSON encoding and pg's serialisation run on the loop)
    const steady = createPostgresSink({
      connectionString: server.connectionString,
      table: 'loop_rows',
      flushIntervalMs: 5,
    });
    await steady.migrate();
    const ticks = async (withRows: boolean, base: number): Promise<void> => {
      for (let b = 0; b < 200; b++) {
        if (withRows) steady.write(Array.from({ length: 50 }, (_, i) => logged(base + b * 50 + i)));
        await new Promise((r) => setTimeout(r, 6));
      }
      await steady.flush();
    };
    const idle = await loopDelay(() => ticks(false, 0));
    const writing = await loopDelay(() => ticks(true, 0));
    const bulkRows = Array.from({ length: 20_000 }, (_, i) => logged(100_000 + i));
    const cpu0 = process.cpuUsage();
    const wall0 = process.hrtime.bigint();
    const bulk = await loopDelay(async () => {
      steady.write(bulkRows);
      await steady.flush();
    });
    const cpu = process.cpuUsage(cpu0);
    const bulkCpuUsPerRow = +((cpu.user + cpu.system) / bulkRows.length).toFixed(2);
    const bulkRowsPerS = Math.round(bulkRows.length / (Number(process.hrtime.bigint() - wall0) / 1e9));
    expect(steady.stats()).toMatchObject({ written: 30_000, dropped: 0 });
    await steady.close();

    const timed = async (sinks: Parameters<typeof lineRouter>[0]): Promise<number[]> => {
      const router = await lineRouter(sinks, 'cost');
      const lat: number[] = [];
      for (let i = 0; i < 6000; i++) {
        const s = process.hrtime.bigint();
        router.predict({ x: 1 + (i % 40) }, { unit: `u-${i}` });
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // let the log and the flusher run
      }
      await router.close();
      return lat.slice(1000).sort((a, b) => a - b);
    };
    const off = await timed([]);
    const on = await timed([sink]);
    const report = {
      usPerWrite: +usPerWrite.toFixed(3),
      p50OffMs: +pct(off, 0.5).toFixed(4),
      p99OffMs: +pct(off, 0.99).toFixed(4),
      p50OnMs: +pct(on, 0.5).toFixed(4),
      p99OnMs: +pct(on, 0.99).toFixed(4),
      loopDelayIdleMs: idle,
      loopDelayWriting50RowsPer6msMs: writing,
      loopDelayBulk20kRowsMs: bulk,
      bulkCpuUsPerRow,
      bulkRowsPerS,
    };
    console.log('postgres sink request-path cost', JSON.stringify(report));
    expect(usPerWrite).toBeLessThan(5);
    expect(report.p99OnMs - report.p99OffMs).toBeLessThan(1);
    expect(sink.stats()).toMatchObject({ written: 6000, dropped: 0 });
  });
});
