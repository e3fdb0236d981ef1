import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, isModelshipError, type ModelshipError } from '@modelship/core';
import { afterAll, describe, expect, it } from 'vitest';
import { withKeyLock } from '../src/fs-lock.js';
import { FsStore } from '../src/index.js';
import { loggedErrnos, msUntilSuccess, recordingLogger, sleep } from './fs-testkit.js';

/**
 * These tests need a real full disk and a real read-only folder: a small tmpfs mounted (and
 * remounted read-only) for the test, which needs root (root ignores permission bits, so `chmod`
 * cannot make a folder read-only for it). Without root or mount they are skipped, saying why.
 */
const mounted: string[] = [];
function mountTmpfs(size: string): { dir: string } | { skip: string } {
  if (process.platform !== 'linux') return { skip: `needs Linux tmpfs (platform ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'needs root to mount a tmpfs' };
  const dir = mkdtempSync(join(tmpdir(), 'modelship-fsfault-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `mount -t tmpfs is not permitted here: ${String((err as Error).message).split('\n')[0]}` };
  }
  mounted.push(dir);
  return { dir };
}
const remount = (dir: string, mode: 'ro' | 'rw'): void => {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
};

afterAll(() => {
  for (const dir of mounted.splice(0)) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

async function caught(p: Promise<unknown>): Promise<ModelshipError> {
  try {
    await p;
  } catch (err) {
    if (isModelshipError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Asserts a typed `STORE_FAILURE` naming the errno and a path under `root`. */
function expectTyped(err: ModelshipError, errno: string, root: string, words: RegExp): void {
  expect(isModelshipError(err, 'RegistryError', 'STORE_FAILURE'), err.message).toBe(true);
  expect(err.details?.errno).toBe(errno);
  expect(String(err.details?.path)).toContain(root);
  expect(err.message).toMatch(words);
  expect(err.message).toContain(String(err.details?.path));
}

async function leftovers(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).filter((f) => /(^|\/)\.(lock|tmp)-/.test(f));
}

/** Fills the file system under `dir` until not one more byte fits; returns the filler's path. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (let chunk = 1 << 16; chunk >= 1; ) {
      try {
        writeSync(fd, Buffer.alloc(chunk, 7));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        chunk >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

const full = mountTmpfs('1m');
describe.skipIf('skip' in full)(
  `FsStore on a full disk (1 MiB tmpfs)${'skip' in full ? ` — SKIPPED: ${full.skip}` : ''}`,
  () => {
    it('ENOSPC gives typed, logged errors and leaves no lock; the store works within 1 s of space returning', async () => {
      const dir = (full as { dir: string }).dir;
      const root = join(dir, 'root');
      const { logger, entries } = recordingLogger();
      const store = new FsStore({ root, logger });
      const r = createRegistry<Uint8Array>({ store, actor: 'test' });
      await r.register('m', new Uint8Array([1]));
      await r.register('m', new Uint8Array([2]));
      await r.setAlias('m', 'candidate', 1);
      const filler = fill(dir);

      expectTyped(await caught(r.setAlias('m', 'candidate', 2)), 'ENOSPC', root, /no space left/);
      expectTyped(await caught(r.register('m', new Uint8Array(4096).fill(3))), 'ENOSPC', root, /no space left/);
      // A delete writes no data, only its lock: the lock itself hits ENOSPC.
      const del = await caught(store.delete('models/m/aliases/candidate.json'));
      expectTyped(del, 'ENOSPC', root, /no space left/);
      expect(del.details?.lockPath).toBe(join(root, 'models', 'm', 'aliases', '.lock-candidate.json'));
      expect(await leftovers(root)).toEqual([]);
      expect(loggedErrnos(entries).filter((e) => e === 'ENOSPC').length).toBeGreaterThanOrEqual(3);
      expect(await r.getAlias('m', 'candidate')).toBe(1);

      // What an older version left on ENOSPC: an empty lock (creating a file needs no data block).
      closeSync(openSync(join(root, 'models', 'm', 'aliases', '.lock-candidate.json'), 'wx'));
      await sleep(50);
      rmSync(filler);
      const ms = await msUntilSuccess(() => r.setAlias('m', 'candidate', 2));
      console.info(`ENOSPC: the alias move succeeded ${ms.toFixed(0)} ms after space returned`);
      expect(ms).toBeLessThan(1000);
      expect(await r.getAlias('m', 'candidate')).toBe(2);
      await r.register('m', new Uint8Array(4096).fill(3));
      expect(await leftovers(root)).toEqual([]);
    });
  },
);

const ro = mountTmpfs('4m');
describe.skipIf('skip' in ro)(
  `FsStore on a folder turned read-only${'skip' in ro ? ` — SKIPPED: ${ro.skip}` : ''}`,
  () => {
    it('EROFS gives typed, logged errors on every write, at once; the store works within 1 s of the folder turning writable', async () => {
      const dir = (ro as { dir: string }).dir;
      const root = join(dir, 'root');
      const { logger, entries } = recordingLogger();
      const store = new FsStore({ root, logger });
      const r = createRegistry<Uint8Array>({ store, actor: 'test' });
      await r.register('m', new Uint8Array([1]));
      await r.register('m', new Uint8Array([2]));
      await r.setAlias('m', 'candidate', 1);
      await writeFile(join(root, 'models', '.tmp-crashed'), 'partial');
      await sleep(20);
      remount(dir, 'ro');
      try {
        expectTyped(await caught(r.setAlias('m', 'candidate', 2)), 'EROFS', root, /read-only/);
        expectTyped(await caught(r.register('m', new Uint8Array([3]))), 'EROFS', root, /read-only/);
        const del = await caught(store.delete('models/m/aliases/candidate.json'));
        expectTyped(del, 'EROFS', root, /read-only/);
        expect(del.details?.lockPath).toBe(join(root, 'models', 'm', 'aliases', '.lock-candidate.json'));
        expectTyped(await caught(store.sweep({ graceMs: 0 })), 'EROFS', root, /read-only/);
        expect(loggedErrnos(entries).filter((e) => e === 'EROFS').length).toBeGreaterThanOrEqual(4);
        expect(await r.getAlias('m', 'candidate')).toBe(1); // reads still work
      } finally {
        remount(dir, 'rw');
      }
      const ms = await msUntilSuccess(() => r.setAlias('m', 'candidate', 2));
      console.info(`EROFS: the alias move succeeded ${ms.toFixed(0)} ms after the folder turned writable`);
      expect(ms).toBeLessThan(1000);
      expect((await store.sweep({ graceMs: 0 })).tempFiles).toBe(1);
    });

    it('a holder that cannot remove its lock (folder turned read-only) logs EROFS; the key is free within 1 s of the folder turning writable', async () => {
      const dir = (ro as { dir: string }).dir;
      const root = join(dir, 'root2');
      const { logger, entries } = recordingLogger();
      const store = new FsStore({ root, logger });
      const r = createRegistry<Uint8Array>({ store, actor: 'test' });
      await r.register('m', new Uint8Array([1]));
      await r.register('m', new Uint8Array([2]));
      await r.setAlias('m', 'candidate', 1);
      const lockPath = join(root, 'models', 'm', 'aliases', '.lock-candidate.json');
      const lockOptions = { staleMs: 30_000, timeoutMs: 30_000, emptyGraceMs: 250, logger };
      try {
        const out = await withKeyLock(lockPath, lockOptions, async () => {
          remount(dir, 'ro'); // the folder turns read-only while the lock is held
          return 'committed';
        });
        expect(out).toBe('committed');
        const unlock = entries.find((e) => e.level === 'error' && e.obj.lockPath === lockPath);
        expect(unlock?.msg).toMatch(/cannot remove/);
        expect(unlock?.obj.err).toMatchObject({ code: 'STORE_FAILURE', details: { errno: 'EROFS', path: lockPath } });
        expect(await leftovers(root)).toEqual(['models/m/aliases/.lock-candidate.json']);
        // The left lock does not make moves wait: they fail at once, typed.
        expectTyped(await caught(r.setAlias('m', 'candidate', 2)), 'EROFS', root, /read-only/);
      } finally {
        remount(dir, 'rw');
      }
      // Another process sees the lock removed by the holder's background retry…
      const goneMs = await msUntilSuccess(async () => {
        if ((await leftovers(root)).length) throw new Error('lock still there');
      });
      // …and the move goes through.
      const moveMs = await msUntilSuccess(() => r.setAlias('m', 'candidate', 2));
      console.info(
        `EROFS unlock: lock removed ${goneMs.toFixed(0)} ms after the folder turned writable, then a move took ${moveMs.toFixed(0)} ms`,
      );
      expect(goneMs + moveMs).toBeLessThan(1000);
      expect(await r.getAlias('m', 'candidate')).toBe(2);
    });
  },
);

const asNobody =
  process.platform !== 'linux'
    ? { skip: `needs Linux (platform ${process.platform})` }
    : process.getuid?.() !== 0
      ? { skip: 'needs root to start a process as the unprivileged user 65534' }
      : {};
describe.skipIf('skip' in asNobody)(
  `FsStore on a folder it may not write (EACCES)${'skip' in asNobody ? ` — SKIPPED: ${asNobody.skip}` : ''}`,
  () => {
    it('an unprivileged process gets typed EACCES errors from the built store, logged, at once', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'modelship-fsacces-'));
      chmodSync(dir, 0o755);
      try {
        const root = join(dir, 'root');
        const r = createRegistry<Uint8Array>({ store: new FsStore({ root }), actor: 'test' });
        await r.register('m', new Uint8Array([1]));
        await r.register('m', new Uint8Array([2]));
        await r.setAlias('m', 'candidate', 1);
        // Root owns the folder (mode 0755): user 65534 may read it but not write it.
        const script = `
          const { FsStore } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
          const { createRegistry } = await import('@modelship/core');
          const logged = [];
          const at = (level) => (obj) => logged.push({ level, errno: obj.err?.details?.errno });
          const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
          const store = new FsStore({ root: process.argv[1], logger });
          const r = createRegistry({ store, actor: 'nobody' });
          const out = {};
          for (const [name, call] of [
            ['setAlias', () => r.setAlias('m', 'candidate', 2)],
            ['register', () => r.register('m', new Uint8Array([3]))],
            ['delete', () => store.delete('models/m/aliases/candidate.json')],
          ]) {
            try { await call(); out[name] = 'no error'; }
            catch (e) { out[name] = { name: e.name, code: e.code, errno: e.details?.errno, path: e.details?.path, message: e.message }; }
          }
          out.alias = await r.getAlias('m', 'candidate');
          out.loggedEacces = logged.filter((l) => l.level === 'error' && l.errno === 'EACCES').length;
          process.stdout.write(JSON.stringify(out));
        `;
        const res = spawnSync(process.execPath, ['--input-type=module', '-e', script, root], {
          uid: 65534,
          gid: 65534,
          cwd: new URL('..', import.meta.url).pathname,
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(res.status, res.stderr).toBe(0);
        const out = JSON.parse(res.stdout) as Record<
          string,
          { code?: string; errno?: string; path?: string; message?: string }
        > & {
          alias: number;
          loggedEacces: number;
        };
        for (const op of ['setAlias', 'register', 'delete'] as const) {
          expect(out[op], op).toMatchObject({ code: 'STORE_FAILURE', errno: 'EACCES' });
          expect(out[op]!.path, op).toContain(root);
          expect(out[op]!.message, op).toMatch(/permission denied/);
        }
        expect(out.alias).toBe(1);
        expect(out.loggedEacces).toBeGreaterThanOrEqual(3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
