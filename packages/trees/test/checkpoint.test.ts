import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Resumable training, tested by really killing a child process that trains with the BUILT
 * package (packages/trees/dist; `npm test` builds it first). The killed run is resumed from its
 * last checkpoint and must end with exactly the bytes of an uninterrupted run.
 */
const dist = join(__dirname, '..', 'dist', 'index.js');
const child = join(__dirname, 'child-train.mjs');
const dir = mkdtempSync(join(tmpdir(), 'trees-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function requireDist(): void {
  if (!existsSync(dist)) {
    throw new Error(
      `${dist} is missing: build first (npx turbo run build --filter=@modelship/trees); npm test does this`,
    );
  }
}

function runToEnd(kind: string, ckpt: string, out: string): string {
  const r = spawnSync(process.execPath, [child, kind, ckpt, out, '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return r.stdout;
}

/** Starts a slow training and SIGKILLs it once `killAfter` steps are reported. */
function runAndKill(
  kind: string,
  ckpt: string,
  out: string,
  killAfter: number,
): Promise<{ signal: string | null; steps: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, kind, ckpt, out, '40']);
    let steps = 0;
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith('progress')) continue;
        steps = Number(l.split(' ')[1]);
        if (steps >= killAfter) p.kill('SIGKILL');
      }
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => resolve({ signal, steps }));
  });
}

describe.each(['gbdt', 'forest'])('resumable training (%s, killed child process)', (kind) => {
  it('a killed run resumes from its checkpoint and ends with the same model as an uninterrupted run', async () => {
    requireDist();
    const whole = join(dir, `${kind}-whole.bin`);
    runToEnd(kind, 'none', whole);
    const ckpt = join(dir, `${kind}.ckpt`);
    const out = join(dir, `${kind}-resumed.bin`);
    const killed = await runAndKill(kind, ckpt, out, 13);
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false); // it really died before finishing
    expect(existsSync(ckpt)).toBe(true);
    const log = runToEnd(kind, ckpt, out);
    const resumed = Number(/done resumed=(\d+)/.exec(log)![1]);
    expect(resumed).toBeGreaterThanOrEqual(10); // checkpoints every 5 steps, killed after 13
    expect(log).toContain('resumed');
    expect(readFileSync(out).equals(readFileSync(whole))).toBe(true);
  });
});

describe('checkpoint of another job', () => {
  it('is refused rather than silently mixed in', () => {
    requireDist();
    const ckpt = join(dir, 'gbdt-mixed.ckpt');
    runToEnd('gbdt', ckpt, join(dir, 'a.bin'));
    const r = spawnSync(process.execPath, [child, 'forest', ckpt, join(dir, 'b.bin'), '0'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/checkpoint .* different training job|TreesError/);
  });
});
