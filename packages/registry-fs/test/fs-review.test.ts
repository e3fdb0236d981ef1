import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@modelship/core';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreLock, withKeyLock } from '../src/fs-lock.js';
import { FsStore } from '../src/index.js';

let base = '';
afterEach(() => rm(base, { recursive: true, force: true }));

async function fresh(): Promise<{ root: string; store: FsStore }> {
  base = await mkdtemp(join(tmpdir(), 'modelship-fsreview-'));
  const root = join(base, 'root');
  return { root, store: new FsStore({ root }) };
}

describe('FsStore compare-and-set under inode reuse and coarse clocks', () => {
  it('an etag read before two same-size writes never matches the value after them', async () => {
    const { root, store } = await fresh();
    const file = join(root, 'k', 'x');
    const T = 1_700_000_000; // whole seconds: what a coarse-clock file system records
    for (let i = 0; i < 20; i++) {
      await store.put('k/x', new Uint8Array([1, i]));
      await utimes(file, T, T);
      const e1 = (await store.head('k/x'))!;
      await store.put('k/x', new Uint8Array([2, i]));
      await store.put('k/x', new Uint8Array([3, i]));
      // The third write lands in the same clock tick as the first; ext4 also hands the first
      // file's freed inode to it, so inode, size and mtime can all coincide.
      await utimes(file, T, T);
      await expect(store.put('k/x', new Uint8Array([9, i]), { ifMatch: e1 }), `round ${i}`).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect([...(await store.get('k/x'))!.body]).toEqual([3, i]);
    }
  });
});

describe('FsStore key lock', () => {
  const opts = { staleMs: 60_000, timeoutMs: 10_000, emptyGraceMs: 250, logger: silentLogger };

  it('a holder whose lock was taken over learns it, and does not delete the new holder’s lock when it finishes', async () => {
    const { root } = await fresh();
    await mkdir(root, { recursive: true });
    const lock = join(root, '.lock-x');
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    let acquired!: () => void;
    const isAcquired = new Promise<void>((res) => (acquired = res));
    const first = withKeyLock(lock, opts, async (stillHeld) => {
      acquired();
      const before = await stillHeld();
      await held;
      return [before, await stillHeld()];
    });
    await isAcquired;
    // Someone judged the lock stale and took it over: the lock file now holds another owner.
    const other = `${process.pid}\n${hostname()}\n${Date.now()}\nother-owner`;
    await rm(lock);
    await writeFile(lock, other);
    release();
    expect(await first).toEqual([true, false]); // so FsStore refuses to commit after a takeover
    expect(await readFile(lock, 'utf8')).toBe(other);
  });

  it('putting back a lock moved aside by mistake never overwrites a lock created meanwhile', async () => {
    const { root } = await fresh();
    await mkdir(root, { recursive: true });
    const lock = join(root, '.lock-y');
    const aside = `${lock}.stale-test`;
    await writeFile(aside, `${process.pid}\n${hostname()}\n${Date.now()}\nmoved-by-mistake`);
    const fresher = `${process.pid}\n${hostname()}\n${Date.now()}\nfresh-owner`;
    await writeFile(lock, fresher);
    await restoreLock(aside, lock);
    expect(await readFile(lock, 'utf8')).toBe(fresher);
    await expect(stat(aside)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('putting back a lock moved aside by mistake restores it when the place is free', async () => {
    const { root } = await fresh();
    await mkdir(root, { recursive: true });
    const lock = join(root, '.lock-z');
    const aside = `${lock}.stale-test`;
    await writeFile(aside, 'owner');
    await restoreLock(aside, lock);
    expect(await readFile(lock, 'utf8')).toBe('owner');
    await expect(stat(aside)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
