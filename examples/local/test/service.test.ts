/**
 * The "service in 60 lines" of docs/service-in-60-lines.md, run as a user runs it (`npx tsx
 * examples/local/src/service.ts`) on a free port with a fresh registry folder: it trains and
 * registers Iris, the controller deploys it, and over real HTTP it predicts, takes feedback,
 * guards the management API and serves the dashboard; Ctrl-C stops it with exit code 0. The
 * guide's code block is the file itself (checked here), so the two cannot drift apart.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const file = resolve(__dirname, '../src/service.ts');

describe('docs/service-in-60-lines.md', () => {
  it('shows the service file verbatim, and the file has at most 60 lines', () => {
    const code = readFileSync(file, 'utf8');
    const doc = readFileSync(join(root, 'docs/service-in-60-lines.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(code);
    expect(code.trimEnd().split('\n').length).toBeLessThanOrEqual(60);
  });

  it('runs: predict, feedback, auth on the management API, the dashboard, graceful Ctrl-C', async () => {
    const token = 'service-test-admin-token-0123456789';
    const child = spawn('node', ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, PORT: '0', ADMIN_TOKEN: token, REGISTRY_DIR: mkdtempSync(join(tmpdir(), 'ms-svc-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) res(m[1]!);
      });
      child.once('exit', (code) => rej(new Error(`exited ${code}: ${out}${err}`)));
    });
    try {
      const p = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }),
      });
      expect(p.status).toBe(200);
      const body = (await p.json()) as { prediction: string; requestId: string; version: number };
      expect(body.prediction).toBe('virginica');
      expect(body.version).toBe(1);
      const fb = await fetch(`${url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requestId: body.requestId, correct: true }),
      });
      expect(fb.status).toBeLessThan(300);
      expect((await fetch(`${url}/manage/models`)).status).toBe(401);
      const models = await fetch(`${url}/manage/models/iris/history`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await models.json()) as { history: { action: string }[] }).history[0]?.action).toBe('deploy');
      expect((await fetch(`${url}/dashboard/`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 120_000);
});
