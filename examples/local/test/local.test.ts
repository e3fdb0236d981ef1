/**
 * `npm start` in a test: modelship locally (Iris only, so it needs no data folder), on a free
 * port, in a fresh registry folder. The first version is trained by a job and deployed by the
 * controller; a challenger follows; the simulator's traffic and feedback take its rollout to a
 * promotion or a rollback, visible in the management API — without the test doing anything but
 * wait. Real HTTP on 127.0.0.1 throughout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalHandle } from '../src/app.js';

let handle: LocalHandle | undefined;
afterAll(async () => {
  await handle?.close();
});

describe('npm start (examples/local)', () => {
  it('serves predictions, the dashboard and the API, and the simulated rollout ends in a promotion or a rollback', async () => {
    const lines: string[] = [];
    const t0 = Date.now();
    handle = await startLocal({
      registryDir: mkdtempSync(join(tmpdir(), 'modelship-local-')),
      port: 0,
      pipelines: ['iris'],
      log: (l) => lines.push(l),
    });
    await handle.ready;
    const servedAfterMs = Date.now() - t0;
    const auth = { authorization: `Bearer ${handle.adminToken}` };
    const predict = await fetch(`${handle.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'iris',
        row: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
      }),
    });
    expect(predict.status).toBe(200);
    expect(((await predict.json()) as { prediction: string }).prediction).toBe('setosa');
    const page = await fetch(`${handle.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module"');
    expect((await fetch(`${handle.url}/manage/models`)).status).toBe(401);
    expect(await (await fetch(`${handle.url}/manage/models`, { headers: auth })).json()).toMatchObject({
      models: ['iris'],
    });
    // the challenger's rollout, driven by the simulator alone
    const deadline = Date.now() + 180_000;
    let history: Array<{ action: string }> = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${handle.url}/manage/models/iris/history`, { headers: auth });
      history = ((await res.json()) as { history: Array<{ action: string }> }).history;
      if (history.some((h) => h.action === 'promote' || h.action === 'rollback')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const decidedAfterMs = Date.now() - t0;
    console.log(
      `local: first predictions after ${servedAfterMs} ms; rollout decided after ${decidedAfterMs} ms: ${history.map((h) => h.action).join(' → ')}`,
    );
    expect(history.map((h) => h.action)[0]).toBe('deploy');
    expect(history.some((h) => h.action === 'start')).toBe(true);
    expect(history.some((h) => h.action === 'promote' || h.action === 'rollback')).toBe(true);
    expect(lines.some((l) => /iris: v1 deployed/.test(l))).toBe(true);
  }, 240_000);
});
