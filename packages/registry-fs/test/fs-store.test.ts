import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@modelship/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FsStore } from '../src/index.js';

let base = '';
afterEach(() => rm(base, { recursive: true, force: true }));

async function fresh(): Promise<{ root: string; store: FsStore }> {
  base = await mkdtemp(join(tmpdir(), 'modelship-fsunit-'));
  const root = join(base, 'root');
  return { root, store: new FsStore({ root }) };
}

async function walk(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('FsStore', () => {
  it('bad names write nothing anywhere on disk: only the expected files exist, all under the root', async () => {
    const { store } = await fresh();
    const r = createRegistry<Uint8Array>({ store });
    await r.register('good', new Uint8Array([1, 2, 3]));
    const before = await walk(base);
    for (const bad of ['../x', 'a/b', '..', '', 'x'.repeat(129), 'a\u0000b', '../../etc/evil', '/tmp/abs']) {
      await expect(r.register(bad, new Uint8Array([4]))).rejects.toMatchObject({ code: 'INVALID_NAME' });
      await expect(r.setAlias('good', bad, 1)).rejects.toMatchObject({ code: 'INVALID_NAME' });
      await expect(r.registerDataset(bad, { fingerprint: 'f', rowCount: 1 })).rejects.toMatchObject({
        code: 'INVALID_NAME',
      });
    }
    for (const bad of ['../x', '..', '', 'a\u0000b', '../../etc/evil', '/tmp/abs', 'a/../../b']) {
      await expect(store.put(bad, new Uint8Array([5]))).rejects.toMatchObject({ code: 'INVALID_NAME' });
    }
    expect(await walk(base)).toEqual(before);
    expect(before.every((p) => p === 'root' || p.startsWith('root/'))).toBe(true);
    expect(before.some((p) => /^root\/models\/good\/versions\/000000001\.json$/.test(p))).toBe(true);
    expect(before.filter((p) => p.includes('.tmp-') || p.includes('.lock-'))).toEqual([]);
  });

  it('a lock left by a dead process is taken over; a live one is waited for', async () => {
    const { root, store } = await fresh();
    const e = await store.put('k/x', new Uint8Array([1]));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(
      join(root, 'k', '.lock-x'),
      `${dead.stdout}\n${(await import('node:os')).hostname()}\n${Date.now()}\nxx`,
    );
    const e2 = await new FsStore({ root, lockTimeoutMs: 5000 }).put('k/x', new Uint8Array([2]), { ifMatch: e });
    expect(e2).not.toBe(e);
    await writeFile(join(root, 'k', '.lock-x'), `${process.pid}\nelsewhere\n${Date.now()}\nxx`);
    await expect(
      new FsStore({ root, lockTimeoutMs: 200, lockStaleMs: 60_000 }).put('k/x', new Uint8Array([3])),
    ).rejects.toMatchObject({
      code: 'STORE_FAILURE',
    });
    const stale = new FsStore({ root, lockTimeoutMs: 5000, lockStaleMs: 60_000 });
    const longAgo = (Date.now() - 3_600_000) / 1000; // the live owner's lock is an hour old: stale
    await utimes(join(root, 'k', '.lock-x'), longAgo, longAgo);
    await stale.put('k/x', new Uint8Array([4]), { ifMatch: e2 });
    expect([...(await stale.get('k/x'))!.body]).toEqual([4]);
  });

  it('ignores temporary and lock files, folders and keys that are folders', async () => {
    const { root, store } = await fresh();
    await store.put('a/b/c', new Uint8Array([1]));
    await mkdir(join(root, 'a', 'empty'), { recursive: true });
    await writeFile(join(root, 'a', '.tmp-123'), 'partial');
    expect(await store.list('a/')).toEqual(['a/b/c']);
    expect(await store.get('a/b')).toBeUndefined();
    expect(await store.head('a/b')).toBeUndefined();
    expect(await store.getStream('a/b')).toBeUndefined();
  });

  it('sweep removes temporary files left by crashed writers once past the grace, and only those', async () => {
    const { root, store } = await fresh();
    await store.put('a/b', new Uint8Array([1]));
    await writeFile(join(root, 'a', '.tmp-crashed'), 'partial');
    await writeFile(join(root, 'a', '.lock-b.stale-0123'), 'moved aside');
    expect(await store.sweep({ graceMs: 60_000 })).toEqual({ tempFiles: 0, blobs: 0 });
    await new Promise((res) => setTimeout(res, 50));
    expect(await store.sweep({ graceMs: 20 })).toEqual({ tempFiles: 2, blobs: 0 });
    expect(await walk(root)).toEqual(['a', 'a/b']);
  });

  it('rejects bad options naming the field; a closed store refuses work', async () => {
    expect(() => new FsStore({ root: '' })).toThrow(/root/);
    expect(() => new FsStore({ root: '/x', lockStaleMs: -1 })).toThrow(/lockStaleMs/);
    const { store } = await fresh();
    await store.close();
    await expect(store.get('a')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
