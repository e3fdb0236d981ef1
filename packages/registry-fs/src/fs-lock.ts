import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { RegistryError } from '@modelship/core';

/** Options of {@link withKeyLock}. */
export interface KeyLockOptions {
  /** A lock older than this is taken over (ms). */
  staleMs: number;
  /** Give up waiting after this long (ms). */
  timeoutMs: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding the lock file `lockPath`, created with O_EXCL (`wx`), so that only
 * one process at a time runs a compare-and-set on a key. A lock whose owner process is dead (same
 * host) or that is older than `staleMs` is taken over: it is renamed away first, so that two
 * processes recovering at once do not both remove a fresh lock in the common case. `fn` gets
 * `stillHeld()`, to check right before its commit that the lock was not taken over meanwhile
 * (a holder slower than `staleMs`).
 */
export async function withKeyLock<T>(
  lockPath: string,
  options: KeyLockOptions,
  fn: (stillHeld: () => Promise<boolean>) => Promise<T>,
): Promise<T> {
  const start = Date.now();
  const me = `${process.pid}\n${hostname()}\n${Date.now()}\n${randomBytes(6).toString('hex')}`;
  let delay = 1;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      try {
        await fh.writeFile(me);
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw failure(lockPath, err);
    }
    await breakIfStale(lockPath, options.staleMs);
    if (Date.now() - start > options.timeoutMs) {
      throw new RegistryError(
        'STORE_FAILURE',
        `FsStore: timed out after ${options.timeoutMs} ms waiting for lock ${lockPath}`,
        {
          operation: 'FsStore.lock',
          details: { lockPath },
        },
      );
    }
    await new Promise((res) => setTimeout(res, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 25);
  }
  try {
    return await fn(async () => (await readFile(lockPath, 'utf8').catch(() => undefined)) === me);
  } finally {
    await releaseLock(lockPath, me);
  }
}

/**
 * Removes the lock file only if it is still ours: when a slow holder's lock was judged stale and
 * taken over, the file now belongs to the new holder, and deleting it would let a third process in.
 */
async function releaseLock(lockPath: string, me: string): Promise<void> {
  const content = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (content === me) await unlink(lockPath).catch(() => {});
}

/**
 * Puts a lock that was moved aside by mistake back in place, but never over a lock created
 * meanwhile (`link` fails when the name exists, where `rename` would silently replace it);
 * then removes the aside copy.
 */
export async function restoreLock(aside: string, lockPath: string): Promise<void> {
  await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await readFile(lockPath, 'utf8');
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch {
    return; // released meanwhile
  }
  const [pidText, host] = content.split('\n');
  const pid = Number(pidText);
  const dead = host === hostname() && Number.isInteger(pid) && pid > 0 && !alive(pid);
  const old = Date.now() - mtimeMs > staleMs;
  // An empty lock file is one being written right now, unless it is old.
  if (!(dead || old) || (content === '' && !old)) return;
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const taken = await readFile(aside, 'utf8').catch(() => '');
  if (taken !== content) {
    // We moved a fresh lock by mistake (someone recovered first): put it back if possible.
    await restoreLock(aside, lockPath);
    return;
  }
  await unlink(aside).catch(() => {});
}

function failure(path: string, cause: unknown): RegistryError {
  return new RegistryError('STORE_FAILURE', `FsStore: cannot create lock ${path}: ${(cause as Error).message}`, {
    operation: 'FsStore.lock',
    cause,
  });
}
