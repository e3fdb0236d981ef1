import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { workdir } from './helpers.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const repo = join(pkg, '..', '..');
const bin = join(pkg, 'dist', 'bin.js');

/** True when dist/bin.js is missing or older than a source file. */
function stale(): boolean {
  if (!existsSync(bin)) return true;
  const built = statSync(bin).mtimeMs;
  return readdirSync(join(pkg, 'src')).some((f) => statSync(join(pkg, 'src', f)).mtimeMs > built);
}

describe('the built bin (node dist/bin.js) sets real process exit codes', () => {
  beforeAll(() => {
    if (!stale()) return;
    const b = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@modelship/cli...', '--output-logs=errors-only'], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (b.status !== 0) throw new Error(`build failed: ${b.stdout}\n${b.stderr}`);
  }, 300_000);

  const node = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

  it('0 ok, 2 usage, 3 drift, 4 not found, 5 conflict', () => {
    const dir = workdir();
    const t = node(dir, 'train', 'spec.yaml');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^registered sim v1/);
    expect(t.stderr).toMatch(/progress 100%/);
    const m = node(dir, 'models', '--json');
    expect(m.status).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject([{ name: 'sim', versions: 1 }]);
    const u = node(dir, 'versions');
    expect(u.status, u.stderr).toBe(2);
    expect(u.stderr).toBe("error: missing required argument 'model'\n");
    expect(node(dir, 'versions', 'nope').status).toBe(4);
    expect(node(dir, 'promote', 'sim').status).toBe(5);
    expect(node(dir, 'promote', 'sim', '--version', '1').status).toBe(0);
    const d = node(dir, 'drift', 'sim', 'live-shifted.csv');
    expect(d.status).toBe(3);
    expect(d.stdout).toMatch(/Verdict: drift/);
    expect(node(dir, 'drift', 'sim', 'train.csv').status).toBe(0);
    expect(node(dir, '--version').stdout).toBe('0.0.0\n');
  });
});
