/**
 * `modelship serve` over a real socket on 127.0.0.1: trained and deployed by the CLI itself, then
 * served — predictions, the management API behind the admin token, the dashboard — until the
 * signal stops it (as Ctrl-C does in the bin), with a graceful shutdown.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { cli, workdir } from './helpers.js';

describe('modelship serve', () => {
  it('serves the deployed model, the management API and the dashboard, and stops on abort', async () => {
    const dir = workdir();
    const reg = join(dir, 'reg');
    expect((await cli(['--registry', reg, 'train', 'spec.json'], { cwd: dir })).code).toBe(0);
    expect((await cli(['--registry', reg, 'promote', 'sim', '--version', '1'], { cwd: dir })).code).toBe(0);
    const ac = new AbortController();
    let out = '';
    let err = '';
    const token = 'serve-test-admin-token-0123456789';
    const done = run(['--registry', reg, '--json', 'serve', '--port', '0', '--no-controller'], {
      stdout: { write: (s: string) => void (out += s) },
      stderr: { write: (s: string) => void (err += s) },
      env: { MODELSHIP_ADMIN_TOKEN: token },
      cwd: dir,
      signal: ac.signal,
    });
    for (let i = 0; i < 200 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    const info = JSON.parse(out.split('\n')[0]!) as { url: string; models: string[]; token: string };
    expect(info.models).toEqual(['sim']);
    expect(info.token).toBe('(MODELSHIP_ADMIN_TOKEN)');
    const p = await fetch(`${info.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim', row: { x: 2 } }),
    });
    expect(p.status).toBe(200);
    expect(((await p.json()) as { prediction: number }).prediction).toBeCloseTo(6, 0);
    expect((await fetch(`${info.url}/manage/models`)).status).toBe(401);
    const models = await fetch(`${info.url}/manage/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(await models.json()).toEqual({ models: ['sim'] });
    expect((await fetch(`${info.url}/dashboard/`)).status).toBe(200);
    ac.abort();
    expect(await done).toBe(0);
    expect(err).toBe('');
    await expect(fetch(`${info.url}/health`)).rejects.toThrow();
  });

  it('a bad port is exit 2 naming --port', async () => {
    const r = await cli(['serve', '--port', '70000'], { cwd: workdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });
});

function join(a: string, b: string): string {
  return `${a}/${b}`;
}
