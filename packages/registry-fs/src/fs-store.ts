import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RegistryError, ValidationError, type Store } from '@modelship/core';
import {
  assertSafeKey,
  assertSafePrefix,
  storeConflict,
  type StoreDeleteOptions,
  type StoreEntry,
  type StorePutOptions,
  type StoreStreamEntry,
} from '@modelship/core/store';
import { contentTag, describeFile, etagOf, HASHED_MAX } from './fs-etag.js';
import { withKeyLock } from './fs-lock.js';

/** Options of {@link FsStore}. */
export interface FsStoreOptions {
  /** The root folder (created if missing); nothing is ever written outside it. */
  root: string;
  /** fsync files and folders on every write; default true. */
  fsync?: boolean;
  /** A per-key lock older than this (ms) is taken over; default 30,000. */
  lockStaleMs?: number;
  /** How long a compare-and-set waits for a busy per-key lock (ms); default 30,000. */
  lockTimeoutMs?: number;
}

function checkOptions(o: FsStoreOptions): void {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `FsStore: ${field}: expected ${expected}, received ${JSON.stringify(got)}`,
      {
        operation: 'FsStore',
        details: { field },
      },
    );
  };
  if (typeof o !== 'object' || o === null) bad('options', 'an object', o);
  if (typeof o.root !== 'string' || o.root.length === 0) bad('root', 'a non-empty folder path', o.root);
  if (o.fsync !== undefined && typeof o.fsync !== 'boolean') bad('fsync', 'a boolean', o.fsync);
  for (const f of ['lockStaleMs', 'lockTimeoutMs'] as const) {
    const v = o[f];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) bad(f, 'a positive integer', v);
  }
}

function missing(err: unknown): boolean {
  const c = (err as NodeJS.ErrnoException).code;
  return c === 'ENOENT' || c === 'ENOTDIR' || c === 'EISDIR';
}

/**
 * A registry `Store` (from `@modelship/core`) on a local or network file system, safe when several processes share
 * one folder. Each key is a file under `root`. Writes go to a temporary file (fsynced) that is
 * then linked into place for create-if-absent (`link` fails if the key exists: atomic) or renamed
 * into place under a per-key O_EXCL lock file for compare-and-set. ETags are
 * inode-size-mtime plus a content hash for files up to 1 MiB (see the package README for why). Temporary and lock files start
 * with `.`, which no key segment may, so they are never listed.
 * The file system must support hard links (local disks, NFS; not FAT or some SMB shares).
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new FsStore({ root: '/var/lib/models' }) });
 * ```
 */
export class FsStore implements Store {
  /** The absolute root folder. */
  readonly root: string;
  private readonly fsync: boolean;
  private readonly lock: { staleMs: number; timeoutMs: number };
  private closed = false;

  /** Validates the options (`ValidationError` naming the field). */
  constructor(options: FsStoreOptions) {
    checkOptions(options);
    this.root = resolve(options.root);
    this.fsync = options.fsync ?? true;
    this.lock = { staleMs: options.lockStaleMs ?? 30_000, timeoutMs: options.lockTimeoutMs ?? 30_000 };
  }

  /** The file of a key (validated; always inside `root`). */
  pathOf(key: string, operation = 'FsStore'): string {
    assertSafeKey(key, operation);
    const p = join(this.root, ...key.split('/'));
    const rel = relative(this.root, p);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new RegistryError('INVALID_NAME', `${operation}: key "${key}" escapes the root`, {
        operation,
        details: { field: 'key', key },
      });
    }
    return p;
  }

  /** Reads a key; `undefined` when absent. */
  async get(key: string): Promise<StoreEntry | undefined> {
    const fh = await this.openKey(key, 'FsStore.get');
    if (!fh) return undefined;
    try {
      const d = await describeFile(fh);
      if (!d) return undefined;
      if (d.body) return { body: d.body, etag: d.etag };
      const buf = await fh.readFile();
      return { body: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), etag: d.etag };
    } catch (err) {
      if (missing(err)) return undefined;
      throw failure('FsStore.get', key, err);
    } finally {
      await fh.close();
    }
  }

  /** The etag of a key; `undefined` when absent. */
  async head(key: string): Promise<string | undefined> {
    const p = this.pathOf(key, 'FsStore.head');
    this.assertOpen('FsStore.head');
    try {
      return await this.etagAt(p);
    } catch (err) {
      throw failure('FsStore.head', key, err);
    }
  }

  /** The etag of the file at `p`, `undefined` when absent (throws other errors as they are). */
  private async etagAt(p: string): Promise<string | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(p, 'r');
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
    try {
      return (await describeFile(fh))?.etag;
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    } finally {
      await fh.close();
    }
  }

  /** Writes a key atomically under the preconditions; returns the new etag. */
  async put(key: string, body: Uint8Array, options: StorePutOptions = {}): Promise<string> {
    return this.putStream(key, [body], options, 'FsStore.put');
  }

  /** Writes a key from a stream (to a temporary file first), atomically; returns the new etag. */
  async putStream(
    key: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: StorePutOptions = {},
    operation = 'FsStore.putStream',
  ): Promise<string> {
    const p = this.pathOf(key, operation);
    this.assertOpen(operation);
    const dir = dirname(p);
    await mkdir(dir, { recursive: true }).catch((err) => {
      throw failure(operation, key, err);
    });
    const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    let etag: string;
    try {
      const fh = await open(tmp, 'wx');
      try {
        const h = createHash('sha256');
        let size = 0;
        for await (const chunk of source) {
          if (!chunk.length) continue;
          await fh.write(chunk);
          size += chunk.length;
          if (size <= HASHED_MAX) h.update(chunk);
        }
        if (this.fsync) await fh.sync();
        etag = etagOf(await fh.stat({ bigint: true }), size <= HASHED_MAX ? contentTag(h) : undefined);
      } finally {
        await fh.close();
      }
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (err instanceof RegistryError) throw err;
      throw failure(operation, key, err);
    }
    try {
      if (options.ifNoneMatch === '*') {
        try {
          await link(tmp, p);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST')
            throw storeConflict(operation, key, 'key already exists');
          throw err;
        }
      } else {
        await withKeyLock(this.lockPath(p), this.lock, async (stillHeld) => {
          if (options.ifMatch !== undefined) {
            const cur = await this.etagAt(p);
            if (cur !== options.ifMatch)
              throw storeConflict(operation, key, cur === undefined ? 'key is absent' : 'etag does not match');
          }
          if (!(await stillHeld())) throw lockLost(operation, key);
          await rename(tmp, p);
        });
      }
      await this.syncDir(dir);
      return etag;
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw failure(operation, key, err);
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  /** Every key starting with `prefix`, sorted. */
  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix, 'FsStore.list');
    this.assertOpen('FsStore.list');
    const cut = prefix.lastIndexOf('/');
    const base = cut < 0 ? '' : prefix.slice(0, cut);
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(rel ? join(this.root, ...rel.split('/')) : this.root, { withFileTypes: true });
      } catch (err) {
        if (missing(err)) return;
        throw failure('FsStore.list', prefix, err);
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const k = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (k.startsWith(prefix) || prefix.startsWith(`${k}/`)) await walk(k);
        } else if (e.isFile() && k.startsWith(prefix)) out.push(k);
      }
    };
    await walk(base);
    return out.sort();
  }

  /** Deletes a key (conditionally with `ifMatch`), under the key's lock. */
  async delete(key: string, options: StoreDeleteOptions = {}): Promise<boolean> {
    const p = this.pathOf(key, 'FsStore.delete');
    this.assertOpen('FsStore.delete');
    try {
      await stat(dirname(p));
    } catch (err) {
      if (missing(err) && options.ifMatch === undefined) return false;
      if (missing(err)) throw storeConflict('FsStore.delete', key, 'key is absent');
      throw failure('FsStore.delete', key, err);
    }
    try {
      return await withKeyLock(this.lockPath(p), this.lock, async (stillHeld) => {
        if (options.ifMatch !== undefined) {
          const cur = await this.etagAt(p);
          if (cur !== options.ifMatch)
            throw storeConflict('FsStore.delete', key, cur === undefined ? 'key is absent' : 'etag does not match');
        }
        if (!(await stillHeld())) throw lockLost('FsStore.delete', key);
        try {
          await unlink(p);
        } catch (err) {
          if (missing(err)) return false;
          throw err;
        }
        await this.syncDir(dirname(p));
        return true;
      });
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw failure('FsStore.delete', key, err);
    }
  }

  /** Reads a key as a stream of chunks. */
  async getStream(key: string): Promise<StoreStreamEntry | undefined> {
    const fh = await this.openKey(key, 'FsStore.getStream');
    if (!fh) return undefined;
    let d: Awaited<ReturnType<typeof describeFile>>;
    try {
      d = await describeFile(fh);
    } catch (err) {
      await fh.close();
      if (missing(err)) return undefined;
      throw failure('FsStore.getStream', key, err);
    }
    if (!d) {
      await fh.close();
      return undefined;
    }
    if (d.body) {
      await fh.close();
      const body = d.body;
      return {
        stream: (async function* one() {
          yield body;
        })(),
        etag: d.etag,
        size: body.length,
      };
    }
    const stream = fh.createReadStream({ highWaterMark: 1 << 20, autoClose: true, start: 0 });
    return { stream, etag: d.etag, size: Number(d.st.size) };
  }

  /**
   * Removes temporary files left by writers that crashed (a killed process leaves its
   * `.tmp-*` file behind; it is never visible as a key) when older than `olderThanMs`
   * (default 1 hour). Returns how many files were removed.
   */
  async sweep(options: { olderThanMs?: number } = {}): Promise<number> {
    this.assertOpen('FsStore.sweep');
    const cutoff = Date.now() - (options.olderThanMs ?? 3_600_000);
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (missing(err)) return;
        throw failure('FsStore.sweep', dir, err);
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.startsWith('.tmp-') || e.name.includes('.stale-')) {
          const st = await stat(p).catch(() => undefined);
          if (
            st &&
            st.mtimeMs < cutoff &&
            (await unlink(p).then(
              () => true,
              () => false,
            ))
          )
            removed++;
        }
      }
    };
    await walk(this.root);
    return removed;
  }

  /** Marks the store closed (later calls throw `CLOSED`). */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** Opens a key's file for reading; `undefined` when absent. */
  private async openKey(key: string, operation: string): Promise<FileHandle | undefined> {
    const p = this.pathOf(key, operation);
    this.assertOpen(operation);
    try {
      return await open(p, 'r');
    } catch (err) {
      if (missing(err)) return undefined;
      throw failure(operation, key, err);
    }
  }

  private lockPath(p: string): string {
    return join(dirname(p), `.lock-${p.slice(dirname(p).length + 1)}`);
  }

  private async syncDir(dir: string): Promise<void> {
    if (!this.fsync) return;
    try {
      const fh = await open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch {
      // Some file systems do not allow fsync on folders; the rename is still atomic.
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new RegistryError('CLOSED', `${operation}: the store is closed`, { operation });
  }
}

function lockLost(operation: string, key: string): RegistryError {
  return new RegistryError(
    'STORE_FAILURE',
    `${operation}: "${key}": the key's lock was taken over as stale before the write; nothing was written`,
    {
      operation,
      details: { key },
    },
  );
}

function failure(operation: string, key: string, cause: unknown): RegistryError {
  return new RegistryError('STORE_FAILURE', `${operation}: "${key}": ${(cause as Error).message}`, {
    operation,
    details: { key },
    cause,
  });
}
