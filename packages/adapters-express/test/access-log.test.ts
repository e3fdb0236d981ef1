/**
 * The serving router's access log: one line per request once it ends, at info (2xx), warn (4xx)
 * and error (5xx), naming the request id, method, url, status and response time; nothing at all
 * for a level the logger does not write. Real sockets on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Served, startServing } from './serving-fixture.js';

let s: Served | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A logger of the pino shape (levels as numbers, `isLevelEnabled`) that keeps what it writes. */
function capture(level: 'info' | 'warn') {
  const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
  const lines: Record<string, unknown>[] = [];
  let built = 0;
  const at =
    (name: keyof typeof LEVELS) =>
    (obj: object, msg?: string): void => {
      built++;
      if (LEVELS[name] >= LEVELS[level]) lines.push({ ...obj, level: LEVELS[name], msg });
    };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    isLevelEnabled: (l: keyof typeof LEVELS) => LEVELS[l] >= LEVELS[level],
  };
  return { logger, lines, built: () => built };
}

const until = async (f: () => boolean) => {
  for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('access log', () => {
  it('logs each request once it ends, at the level its status implies', async () => {
    const { logger, lines } = capture('info');
    s = await startServing({ logger });
    const ok = await fetch(`${s.base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-ok-1' },
      body: JSON.stringify({ rooms: 5, bedrooms: 2, city: 'a' }),
    });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${s.base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-bad-1' },
      body: JSON.stringify({ rooms: 'five' }),
    });
    expect(bad.status).toBe(400);
    await until(() => lines.filter((l) => l.msg === 'request completed').length >= 2);
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(
      done.map((l) => [l.level, l.reqId, (l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode]),
    ).toEqual([
      [30, 'req-ok-1', '/predict', 200],
      [40, 'req-bad-1', '/predict', 400],
    ]);
    for (const l of done) expect(typeof l.responseTime).toBe('number');
  });

  it('writes nothing for 2xx at level warn, and still logs a 4xx', async () => {
    const { logger, lines, built } = capture('warn');
    s = await startServing({ logger });
    await (await fetch(`${s.base}/health`)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    expect(built()).toBe(0); // the 2xx line was not even built
    await (await fetch(`${s.base}/no-such-route`)).arrayBuffer();
    await until(() => lines.some((l) => l.msg === 'request completed'));
    expect(
      lines.filter((l) => l.msg === 'request completed').map((l) => (l.res as { statusCode: number }).statusCode),
    ).toEqual([404]);
  });
});
