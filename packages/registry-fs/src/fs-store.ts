import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { childLogger, RegistryError, ValidationError, type Logger, type Store } from '@modelship/core';
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
import { errnoOf, fsFailure } from './fs-errors.js';
import { withKeyLock, type KeyLockOptions } from './fs-lock.js';

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
  /**
   * An empty or unreadable per-key lock older than this (ms) is taken over; default 250. This store
   * never leaves one (it links a lock into place whole), but older versions, a crash or a full disk could.
   */
  lockEmptyGraceMs?: number;
  /** Where failures (with `{ err }`), lock takeovers and sweeps are logged; default silent. */
  logger?: Logger;
}

/** Options of {@link FsStore.sweep}. */
export interface FsSweepOptions {
  /** Only files unchanged for at least this long (ms) are removed; default 3,600,000 (1 hour). */
  graceMs?: number;
  /** Also remove blobs no version record references; default true. */
  blobs?: boolean;
}

/** What {@link FsStore.sweep} removed. */
export interface FsSweepReport {
  /** Temporary files of crashed writers (`.tmp-*`) and locks moved aside but not removed (`.lock-*.stale-*`). */
  tempFiles: number;
  /** Blobs (`blobs/sha256/…`) that no version record referenced. */
  blobs: number;
  /** Why no blob was considered (a version record could not be read), when that happened. */
  blobsSkipped?: string;
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
  if (
    o.logger !== undefined &&
    (typeof o.logger !== 'object' || o.logger === null || typeof o.logger.error !== 'function')
  )
    bad('logger', 'a Logger (debug, info, warn, error)', typeof o.logger);
  for (const f of ['lockStaleMs', 'lockTimeoutMs', 'lockEmptyGraceMs'] as const) {
    const v = o[f];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) bad(f, 'a positive integer', v);
  }
}

/** Where the registry keeps content-addressed blobs (`blobs/sha256/<2 hex>/<sha256>`). */
const BLOB_PREFIX = 'blobs/';
const BLOB_KEY = /^blobs\/sha256\/([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;
/** The registry's version records, which reference blobs by `sha256`. */
const VERSION_KEY = /^models\/[^/]+\/versions\/\d{9}\.json$/;

/**
 * `mkdir -p`, with the real cause when it fails: a recursive `mkdir` reports ENOENT when creating
 * a parent failed with EROFS or EACCES, so then each level is created in turn to find the error.
 */
async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    return;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
    const chain: string[] = [];
    for (let d = dir; dirname(d) !== d; d = dirname(d)) chain.unshift(d);
    for (const d of chain) {
      try {
        await mkdir(d);
      } catch (e) {
        if (errnoOf(e) !== 'EEXIST') throw e;
      }
    }
    throw err;
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
 * into place under a per-key lock file (itself linked into place whole) for compare-and-set; empty,
 * dead-owner and stale locks are taken over (see `withKeyLock`). ETags are inode-size-mtime plus a
 * content hash for files up to 1 MiB (see the package README for why). File-system errors (EROFS,
 * EACCES, ENOSPC…) throw `STORE_FAILURE` naming the path and errno, and are logged. Temporary and
 * lock files start with `.`, which no key segment may, so they are never listed; {@link FsStore.sweep}
 * removes what crashed writers leave. The file system must support hard links (local disks, NFS;
 * not FAT or some SMB shares).
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
  private readonly lock: KeyLockOptions;
  private readonly log: Logger;
  private closed = false;

  /** Validates the options (`ValidationError` naming the field). */
  constructor(options: FsStoreOptions) {
    checkOptions(options);
    this.root = resolve(options.root);
    this.fsync = options.fsync ?? true;
    this.log = childLogger(options.logger, { component: 'FsStore' });
    this.lock = {
      staleMs: options.lockStaleMs ?? 30_000,
      timeoutMs: options.lockTimeoutMs ?? 30_000,
      emptyGraceMs: options.lockEmptyGraceMs ?? 250,
      logger: this.log,
    };
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
      throw this.fail('FsStore.get', key, err);
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
      throw this.fail('FsStore.head', key, err);
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
    await makeDirs(dir).catch((err) => {
      throw this.fail(operation, key, err);
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
      throw this.fail(operation, key, err);
    }
    try {
      if (options.ifNoneMatch === '*') {
        await this.createIfAbsent(tmp, p, key, operation);
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
      throw this.fail(operation, key, err);
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
        throw this.fail('FsStore.list', prefix, err);
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
      throw this.fail('FsStore.delete', key, err);
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
      throw this.fail('FsStore.delete', key, err);
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
      throw this.fail('FsStore.getStream', key, err);
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
   * `link`s `tmp` into place at `p`; `CONFLICT` when `p` exists. For a blob (`blobs/…`) found
   * present, it first changes the blob's ctime (a `chmod` to its own mode, under the blob's lock;
   * the etag does not change), so that {@link FsStore.sweep} sees it as young: the register that
   * found it is about to write a version record that references it. If the sweep removed the blob
   * meanwhile, the link is tried again.
   */
  private async createIfAbsent(tmp: string, p: string, key: string, operation: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, p);
        return;
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
      if (!key.startsWith(BLOB_PREFIX) || attempt >= 3) throw storeConflict(operation, key, 'key already exists');
      const marked = await withKeyLock(this.lockPath(p), this.lock, async () => {
        try {
          const st = await stat(p);
          await chmod(p, st.mode & 0o7777);
          return true;
        } catch (err) {
          if (errnoOf(err) === 'ENOENT') return false; // swept meanwhile: link again
          if (errnoOf(err) === 'EPERM') {
            // Another user's blob on a shared folder: it cannot be marked; only the grace protects it.
            this.log.warn({ key }, `${operation}: cannot mark the existing blob as in use (EPERM)`);
            return true;
          }
          throw err;
        }
      });
      if (marked) throw storeConflict(operation, key, 'key already exists');
    }
  }

  /**
   * Removes what crashed writers leave behind, when unchanged (mtime and ctime) for at least
   * `graceMs`: temporary files (`.tmp-*`), locks moved aside (`.lock-*.stale-*`) and, unless
   * `blobs: false`, blobs that no version record references (a register killed after its blob
   * write). It never removes a referenced blob, nor one a register is using: the references are
   * read after the sweep starts, a blob is removed under its key lock only when it is older than
   * the sweep's start minus `graceMs`, and a register that finds its blob present refreshes it
   * under the same lock. The one assumption is that a register writes its version record within
   * `graceMs` of writing (or finding) its blob. When a version record cannot be read, no blob is
   * removed (`blobsSkipped` says why). Errors (EROFS, EACCES…) throw `STORE_FAILURE`.
   *
   * @example
   * ```ts
   * const { tempFiles, blobs } = await store.sweep({ graceMs: 3_600_000 });
   * ```
   */
  async sweep(options: FsSweepOptions = {}): Promise<FsSweepReport> {
    this.assertOpen('FsStore.sweep');
    const graceMs = options.graceMs ?? 3_600_000;
    if (!(Number.isFinite(graceMs) && graceMs >= 0)) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `FsStore.sweep: graceMs: expected a number >= 0, received ${graceMs}`,
        {
          operation: 'FsStore.sweep',
          details: { field: 'graceMs' },
        },
      );
    }
    const cutoff = Date.now() - graceMs;
    const op = 'FsStore.sweep';
    const report: FsSweepReport = { tempFiles: 0, blobs: 0 };
    const blobFiles: { key: string; sha256: string }[] = [];
    const unlinkOld = async (p: string): Promise<boolean> => {
      const st = await stat(p).catch(() => undefined);
      if (!st || Math.max(st.mtimeMs, st.ctimeMs) >= cutoff) return false;
      try {
        await unlink(p);
        return true;
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return false;
        throw this.fail(op, relative(this.root, p), err);
      }
    };
    const walk = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (missing(err)) return;
        throw this.fail(op, relative(this.root, dir), err);
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.startsWith('.tmp-') || (e.name.startsWith('.lock-') && e.name.includes('.stale-'))) {
          if (await unlinkOld(p)) report.tempFiles++;
        } else if (e.isFile()) {
          const key = relative(this.root, p).split(/[\\/]/).join('/');
          const m = BLOB_KEY.exec(key);
          if (m?.[2]) blobFiles.push({ key, sha256: m[2] });
        }
      }
    };
    await walk(this.root);
    if (options.blobs !== false && blobFiles.length > 0) {
      const refs = await this.blobReferences();
      if (typeof refs === 'string') {
        report.blobsSkipped = refs;
        this.log.warn({ reason: refs }, `${op}: removed no blob`);
      } else {
        for (const b of blobFiles) {
          if (refs.has(b.sha256)) continue;
          const p = this.pathOf(b.key, op);
          const removed = await withKeyLock(this.lockPath(p), this.lock, () => unlinkOld(p));
          if (removed) {
            report.blobs++;
            await this.syncDir(dirname(p));
          }
        }
      }
    }
    if (report.tempFiles || report.blobs) this.log.info({ ...report, graceMs }, `${op}: removed leftovers`);
    return report;
  }

  /** The sha256 of every blob a version record references, or why they cannot all be read. */
  private async blobReferences(): Promise<Set<string> | string> {
    const refs = new Set<string>();
    for (const key of await this.list('models/')) {
      if (!VERSION_KEY.test(key)) continue;
      let text: string;
      try {
        text = await readFile(this.pathOf(key, 'FsStore.sweep'), 'utf8');
      } catch (err) {
        if (missing(err)) continue;
        throw this.fail('FsStore.sweep', key, err);
      }
      let sha: unknown;
      try {
        sha = (JSON.parse(text) as { sha256?: unknown }).sha256;
      } catch {
        sha = undefined;
      }
      if (typeof sha !== 'string') return `version record ${key} has no readable sha256`;
      refs.add(sha);
    }
    return refs;
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
      throw this.fail(operation, key, err);
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

  /** A file-system error as a `STORE_FAILURE` naming the key and the path (see `fsFailure`), logged at error level. */
  private fail(operation: string, key: string, cause: unknown): RegistryError {
    const path = (cause as NodeJS.ErrnoException | undefined)?.path ?? join(this.root, key);
    const e = fsFailure(operation, path, cause, { key });
    this.log.error({ err: e, key, path }, `${operation} failed`);
    return e;
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
