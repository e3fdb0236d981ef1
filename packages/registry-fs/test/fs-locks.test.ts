import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { createRegistry, silentLogger } from '@modelship/core';
import { afterEach, describe, expect, it } from 'vitest';
import { withKeyLock } from '../src/fs-lock.js';
import { FsStore } from '../src/index.js';
import { msOf, recordingLogger } from './fs-testkit.js';

let base = '';
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

/** A registry over a fresh folder with model `m` at versions 1 and 2, `staging` → 1, and a rollout. */
async function twoVersions(options: Partial<ConstructorParameters<typeof FsStore>[0]> = {}) {
  base = await mkdtemp(join(tmpdir(), 'modelship-fslocks-'));
  const root = join(base, 'root');
  const store = new FsStore({ root, ...options });
  const r = createRegistry<Uint8Array>({ store, actor: 'test' });
  await r.register('m', new Uint8Array([1]));
  await r.register('m', new Uint8Array([2]));
  await r.setAlias('m', 'staging', 1);
  await r.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 'm' });
  return {
    root,
    store,
    r,
    aliasLock: join(root, 'models', 'm', 'aliases', '.lock-staging.json'),
    rolloutLock: join(root, 'models', 'm', '.lock-rollout.json'),
  };
}

/** Runs a Node script in a child process that exits (or is killed) before returning; returns its pid. */
function runToDeath(script: string, ...args: string[]): { pid: number; signal: string | null } {
  const res = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8' });
  return { pid: Number(res.stdout), signal: res.signal };
}

const rollout = (production: number) => ({ production, weights: { production: 1 }, mode: 'split' as const, salt: 'm' });

describe('FsStore lock recovery (an alias or rollout move is held up < 1 s)', () => {
  it('an empty lock left by a writer killed between creating it and writing its pid', async () => {
    const { r, aliasLock, rolloutLock, root } = await twoVersions();
    // What a writer of an older version left when killed right after open(O_EXCL): an empty lock.
    const killer = `require('fs').openSync(process.argv[1], 'wx'); process.kill(process.pid, 'SIGKILL');`;
    expect(runToDeath(killer, aliasLock).signal).toBe('SIGKILL');
    expect(runToDeath(killer, rolloutLock).signal).toBe('SIGKILL');
    const aliasMs = await msOf(() => r.setAlias('m', 'staging', 2));
    const rolloutMs = await msOf(async () => {
      const cur = await r.getRollout('m');
      await r.setRollout('m', rollout(2), { expect: cur!.revision });
    });
    console.info(`empty lock recovered: alias move ${aliasMs.toFixed(0)} ms, rollout move ${rolloutMs.toFixed(0)} ms`);
    expect(aliasMs).toBeLessThan(1000);
    expect(rolloutMs).toBeLessThan(1000);
    expect(await r.getAlias('m', 'staging')).toBe(2);
    expect((await r.getRollout('m'))!.production).toBe(2);
    expect((await readdir(root, { recursive: true })).filter((f) => String(f).includes('.lock-'))).toEqual([]);
  });

  it('a lock whose owner process died (same host) is taken over at once', async () => {
    const { r, aliasLock, rolloutLock } = await twoVersions();
    // A writer that took the lock and died before releasing it.
    const owner = `const fs = require('fs'); for (const p of process.argv.slice(1)) fs.writeFileSync(p, process.pid + '\\n' + require('os').hostname() + '\\n' + Date.now() + '\\nowner', { flag: 'wx' }); process.stdout.write(String(process.pid));`;
    const dead = runToDeath(owner, aliasLock, rolloutLock);
    expect(dead.pid).toBeGreaterThan(0);
    const aliasMs = await msOf(() => r.setAlias('m', 'staging', 2));
    const rolloutMs = await msOf(async () => {
      const cur = await r.getRollout('m');
      await r.setRollout('m', rollout(2), { expect: cur!.revision });
    });
    console.info(`dead owner recovered: alias move ${aliasMs.toFixed(0)} ms, rollout move ${rolloutMs.toFixed(0)} ms`);
    expect(aliasMs).toBeLessThan(1000);
    expect(rolloutMs).toBeLessThan(1000);
    expect(await r.getAlias('m', 'staging')).toBe(2);
  });

  it('a lock of this thread whose holder is done (it could not remove it) is taken over at once', async () => {
    const { r, aliasLock } = await twoVersions();
    await writeFile(aliasLock, `${process.pid}\n${hostname()}\n${Date.now()}\nfinished-holder\n${threadId}`);
    const ms = await msOf(() => r.setAlias('m', 'staging', 2));
    expect(ms).toBeLessThan(1000);
    expect(await r.getAlias('m', 'staging')).toBe(2);
  });

  it('a live owner keeps its lock until lockStaleMs, and is taken over then', async () => {
    const { root, aliasLock } = await twoVersions();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(live);
    await writeFile(aliasLock, `${live.pid}\n${hostname()}\n${Date.now()}\nlive-owner`);
    const impatient = createRegistry<Uint8Array>({ store: new FsStore({ root, lockTimeoutMs: 300 }) });
    await expect(impatient.setAlias('m', 'staging', 2)).rejects.toMatchObject({
      code: 'STORE_FAILURE',
      details: { lockPath: aliasLock },
    });
    const stale = createRegistry<Uint8Array>({ store: new FsStore({ root, lockStaleMs: 60_000 }) });
    const longAgo = (Date.now() - 120_000) / 1000;
    await utimes(aliasLock, longAgo, longAgo);
    await stale.setAlias('m', 'staging', 2);
    expect(await stale.getAlias('m', 'staging')).toBe(2);
  });

  it('a lock held by this thread right now is never taken over as orphaned', async () => {
    const { root, aliasLock } = await twoVersions();
    const { logger, entries } = recordingLogger();
    let release!: () => void;
    let acquired!: () => void;
    const isAcquired = new Promise<void>((res) => (acquired = res));
    const holding = withKeyLock(
      aliasLock,
      { staleMs: 60_000, timeoutMs: 10_000, emptyGraceMs: 250, logger: silentLogger },
      async () => {
        acquired();
        await new Promise<void>((res) => (release = res));
      },
    );
    await isAcquired;
    const other = createRegistry<Uint8Array>({ store: new FsStore({ root, lockTimeoutMs: 400, logger }) });
    await expect(other.setAlias('m', 'staging', 2)).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    expect(entries.filter((e) => e.msg?.includes('took over'))).toEqual([]);
    release();
    await holding;
    await other.setAlias('m', 'staging', 2);
    expect(await other.getAlias('m', 'staging')).toBe(2);
  });

  it('logs each takeover with its reason', async () => {
    const { logger, entries } = recordingLogger();
    const { r, aliasLock } = await twoVersions({ logger });
    await writeFile(aliasLock, '');
    await r.setAlias('m', 'staging', 2);
    expect(entries.filter((e) => e.msg?.includes('took over')).map((e) => e.obj.reason)).toEqual(['empty']);
  });
});
