import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSink } from '@modelship/prediction-log-sql/sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'modelship-cli-log-'));
const log = join(dir, 'predictions.db');
const T0 = Date.UTC(2026, 11, 1, 8);
const run = (...argv: string[]) => cli(argv, { cwd: dir, env: {} });

beforeAll(async () => {
  const sink = createSqliteSink({ path: log });
  sink.write(
    Array.from({ length: 12 }, (_, i) => ({
      requestId: `req-${i}`,
      time: T0 + i * 60_000,
      model: i < 10 ? 'm' : 'other',
      variant: i % 2 === 0 ? 'production' : 'candidate',
      modelVersion: i % 2 === 0 ? 1 : 2,
      latencyMs: 0.25,
      prediction: i * 1.5,
      input: { x: i },
    })),
  );
  await sink.close();
});

describe('modelship predictions', () => {
  it('shows the newest rows, one request id, and a time range page by page (human and --json)', async () => {
    const recent = await run('predictions', '--log', 'predictions.db', '--model', 'm', '--limit', '2');
    expect(recent.code).toBe(0);
    expect(recent.stdout).toMatch(/^TIME\s+MODEL\s+VARIANT\s+VERSION\s+LATENCY MS\s+PREDICTION\s+REQUEST ID\n/);
    expect(
      recent.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/).at(-1)),
    ).toEqual(['req-9', 'req-8']);
    const one = JSON.parse((await run('predictions', 'req-3', '--log', log, '--json')).stdout) as {
      predictions: Array<Record<string, unknown>>;
    };
    expect(one.predictions).toEqual([
      expect.objectContaining({ requestId: 'req-3', variant: 'candidate', prediction: 4.5 }),
    ]);
    // the candidate's rows of m between minute 2 and minute 9, two per page
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const args = ['predictions', '--log', log, '--json', '--model', 'm', '--variant', 'candidate', '--limit', '2'];
      args.push('--from', new Date(T0 + 2 * 60_000).toISOString(), '--to', String(T0 + 9 * 60_000));
      if (cursor) args.push('--cursor', cursor);
      const page = JSON.parse((await run(...args)).stdout) as {
        predictions: Array<{ requestId: string }>;
        next?: string;
      };
      ids.push(...page.predictions.map((r) => r.requestId));
      cursor = page.next;
    } while (cursor);
    expect(ids).toEqual(['req-3', 'req-5', 'req-7']);
  });

  it('says what is wrong: no log, a missing request id, inconsistent options, a bad time', async () => {
    const noLog = await run('predictions');
    expect(noLog.code).toBe(2);
    expect(noLog.stderr).toMatch(/--log: expected the prediction log .*MODELSHIP_PREDICTION_LOG/);
    const fromEnv = await cli(['predictions', '--limit', '1'], { cwd: dir, env: { MODELSHIP_PREDICTION_LOG: log } });
    expect(fromEnv.code).toBe(0);
    const missing = await run('predictions', 'nope', '--log', log);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no logged prediction with request id "nope"/);
    expect((await run('predictions', '--log', log, '--from', '0')).stderr).toMatch(
      /--from and --to go together, with --model/,
    );
    expect((await run('predictions', '--log', log, '--variant', 'candidate')).stderr).toMatch(
      /--variant: only with --from/,
    );
    const badTime = await run('predictions', '--log', log, '--model', 'm', '--from', 'yesterday', '--to', '5');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/--from: expected epoch milliseconds or an ISO 8601 time, received "yesterday"/);
    const noFile = await run('predictions', '--log', join(dir, 'absent.db'));
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toMatch(/cannot open .*absent\.db/);
  });
});
