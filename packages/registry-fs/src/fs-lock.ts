import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { RegistryError, type Logger } from '@modelship/core';
import { errnoOf, fsFailure } from './fs-errors.js';

/** Options of {@link withKeyLock}. */
export interface KeyLockOptions {
  /** A lock older than this is taken over, whoever owns it (ms). */
  staleMs: number;
  /** Give up waiting after this long (ms). */
  timeoutMs: number;
  /** An empty or unreadable lock older than this is taken over (ms). */
  emptyGraceMs: number;
  /** Where lock failures and takeovers are logged. */
  logger: Logger;
}

const HELD = Symbol.for('@modelship/registry-fs.heldLockTokens');

/**
 * The tokens of the locks this thread holds or is acquiring, shared by every copy of the package
 * loaded in the thread (ESM and CJS): a lock of this pid and thread whose token is not here is one
 * whose holder finished without being able to remove it.
 */
function heldTokens(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  let s = g[HELD];
  if (!s) {
    s = new Set();
    g[HELD] = s;
  }
  return s;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  thread: number | undefined;
}

/** A lock's content: `pid\nhost\ncreatedAt\ntoken\nthreadId` (older writers wrote the first four lines). */
function parseOwner(content: string): LockOwner | undefined {
  const [pidText, host, , token, thread] = content.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !host) return undefined;
  return { pid, host, token: token ?? '', thread: thread === undefined ? undefined : Number(thread) };
}

/** Why a lock may be taken over now, or `undefined` when its owner may still be working. */
function takeoverReason(content: string, ageMs: number, o: KeyLockOptions): string | undefined {
  if (ageMs > o.staleMs) return 'stale';
  const owner = parseOwner(content);
  if (!owner) return ageMs > o.emptyGraceMs ? (content === '' ? 'empty' : 'unreadable') : undefined;
  if (owner.host !== hostname()) return undefined;
  if (!alive(owner.pid)) return 'dead-owner';
  if (owner.pid === process.pid && owner.thread === threadId && !heldTokens().has(owner.token)) return 'orphaned';
  return undefined;
}

/**
 * Runs `fn` while holding the lock file `lockPath`, so that only one process at a time runs a
 * compare-and-set on a key. The lock is written whole to a temporary file and `link`ed into place
 * (fails atomically if it exists), so a lock is never seen empty or half-written, and ENOSPC, EROFS
 * or EACCES fail before any lock exists. A lock is taken over at once when its owner process is
 * dead (same host) or is this thread and done with it; when it is empty or unreadable (a writer of
 * an older version killed mid-write, a crash) after `emptyGraceMs`; and whoever owns it after
 * `staleMs`. It is renamed away first, so that two processes recovering at once do not both remove
 * a fresh lock in the common case. `fn` gets `stillHeld()`, to check right before its commit that
 * the lock was not taken over meanwhile (a holder slower than `staleMs`). Errors creating or
 * breaking a lock throw `STORE_FAILURE` naming the path; a lock that cannot be removed afterwards
 * is logged at error level and removed later (see {@link releaseLock}).
 */
export async function withKeyLock<T>(
  lockPath: string,
  options: KeyLockOptions,
  fn: (stillHeld: () => Promise<boolean>) => Promise<T>,
): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const me = `${process.pid}\n${hostname()}\n${Date.now()}\n${token}\n${threadId}`;
  const held = heldTokens();
  held.add(token);
  try {
    await acquire(lockPath, me, options);
  } catch (err) {
    held.delete(token);
    throw err;
  }
  let result: { ok: true; value: T } | { ok: false; err: unknown };
  try {
    result = {
      ok: true,
      value: await fn(async () => (await readFile(lockPath, 'utf8').catch(() => undefined)) === me),
    };
  } catch (err) {
    result = { ok: false, err };
  }
  await releaseLock(lockPath, me, options);
  held.delete(token);
  if (!result.ok) throw result.err;
  return result.value;
}

async function acquire(lockPath: string, me: string, o: KeyLockOptions): Promise<void> {
  const start = Date.now();
  let delay = 1;
  for (;;) {
    try {
      if (await tryCreate(lockPath, me)) return;
      await breakIfTakeable(lockPath, o);
    } catch (err) {
      const e = err instanceof RegistryError ? err : fsFailure('FsStore.lock', lockPath, err, { lockPath });
      o.logger.error({ err: e, lockPath }, 'FsStore: cannot take a key lock');
      throw e;
    }
    if (Date.now() - start > o.timeoutMs) {
      o.logger.error({ lockPath, timeoutMs: o.timeoutMs }, 'FsStore: timed out waiting for a key lock');
      throw new RegistryError(
        'STORE_FAILURE',
        `FsStore.lock: ${lockPath}: timed out after ${o.timeoutMs} ms waiting for the lock`,
        { operation: 'FsStore.lock', details: { lockPath, path: lockPath } },
      );
    }
    await new Promise((res) => setTimeout(res, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 25);
  }
}

/** Creates the lock with its whole content (temporary file + `link`); false when it exists. */
async function tryCreate(lockPath: string, me: string): Promise<boolean> {
  const tmp = join(dirname(lockPath), `.tmp-lock-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(me);
    } finally {
      await fh.close();
    }
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {}); // if this fails too, `sweep` removes it
  }
}

/**
 * Removes `lockPath` if its content is `expected`: renames it aside, re-reads it there and puts back
 * a lock that turns out to be someone else's (created meanwhile). `'gone'` when there was none, `'other'` when
 * it is not ours; throws what rename or unlink throw.
 */
async function removeIf(lockPath: string, expected: string): Promise<'removed' | 'gone' | 'other'> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return 'gone';
    throw err;
  }
  const taken = await readFile(aside, 'utf8').catch(() => undefined);
  if (taken !== expected) {
    await restoreLock(aside, lockPath);
    return 'other';
  }
  await unlink(aside).catch(() => {}); // `sweep` removes a leftover `.stale-` file
  return 'removed';
}

/**
 * Removes the lock file only if it is still ours: when a slow holder's lock was judged stale and
 * taken over, the file now belongs to the new holder, and deleting it would let a third process in.
 * When it cannot be removed (the folder turned read-only, permissions changed) the error is logged
 * at error level and removal is retried every 100 ms for half of `staleMs`, so that other processes
 * get the key back within 100 ms of the folder becoming writable again; this thread takes such a
 * lock over at once anyway (it is "orphaned").
 */
async function releaseLock(lockPath: string, me: string, o: KeyLockOptions): Promise<void> {
  try {
    const r = await removeIf(lockPath, me);
    if (r !== 'removed') o.logger.warn({ lockPath }, 'FsStore: the key lock was taken over before its release');
    return;
  } catch (err) {
    const e = fsFailure('FsStore.unlock', lockPath, err, { lockPath });
    o.logger.error({ err: e, lockPath }, 'FsStore: cannot remove a key lock; retrying in the background');
  }
  const until = Date.now() + o.staleMs / 2;
  const retry = (): void => {
    setTimeout(() => {
      removeIf(lockPath, me).then(
        (r) => {
          if (r === 'removed') o.logger.info({ lockPath }, 'FsStore: removed a key lock it could not remove before');
        },
        () => {
          if (Date.now() < until) retry();
        },
      );
    }, 100).unref();
  };
  retry();
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

/** Takes a lock over when {@link takeoverReason} allows it; throws what stops it (EROFS, EACCES…). */
async function breakIfTakeable(lockPath: string, o: KeyLockOptions): Promise<void> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await readFile(lockPath, 'utf8');
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return; // released meanwhile
    throw err;
  }
  const reason = takeoverReason(content, Date.now() - mtimeMs, o);
  if (reason === undefined) return;
  if ((await removeIf(lockPath, content)) === 'removed')
    o.logger.warn(
      { lockPath, reason, owner: content.split('\n').slice(0, 2).join('@') },
      'FsStore: took over a key lock',
    );
}
