import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type ModelVersion, type RegistryOptions } from '@modelship/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FsStore, type FsSweepReport } from '../src/index.js';
import { blobKey, bytesOf, sha256Hex, sleep } from './fs-testkit.js';

let base = '';
afterEach(() => rm(base, { recursive: true, force: true }));

async function freshRoot(): Promise<string> {
  base = await mkdtemp(join(tmpdir(), 'modelship-fssweep-'));
  return join(base, 'root');
}

const registryOver = (root: string, extra: Partial<RegistryOptions<Uint8Array>> = {}) =>
  createRegistry<Uint8Array>({ store: new FsStore({ root }), actor: 'test', ...extra });

/** Writes blobs as a register killed after its blob write leaves them (no version references them). */
async function orphanBlobs(root: string, artifacts: Uint8Array[]): Promise<void> {
  const store = new FsStore({ root });
  for (const a of artifacts) await store.put(blobKey(sha256Hex(a)), a, { ifNoneMatch: '*' });
}

/** Asserts that a registry with a cold cache loads every version intact. */
async function expectAllLoad(root: string, versions: ModelVersion[]): Promise<void> {
  const r = registryOver(root);
  for (const v of versions) {
    const loaded = await r.load(v.name, v.version);
    expect(sha256Hex(loaded.bytes), `${v.name} v${v.version}`).toBe(v.sha256);
  }
}

const total = (reports: FsSweepReport[], f: 'tempFiles' | 'blobs'): number => reports.reduce((n, r) => n + r[f], 0);

describe('FsStore.sweep', () => {
  it('under concurrent registers it removes old leftovers and nothing referenced: afterwards every version loads', async () => {
    const root = await freshRoot();
    const graceMs = 300;
    const before: ModelVersion[] = [];
    const r0 = registryOver(root);
    for (let i = 0; i < 4; i++) before.push(await r0.register('old', bytesOf(`old-${i}`)));
    // Old orphans: some are artifacts that registers below will register again (they find the blob
    // present while the sweep judges it unreferenced), others nobody references.
    const reused = Array.from({ length: 24 }, (_, i) => bytesOf(`reused-${i}`, 64 + i));
    const unused = Array.from({ length: 8 }, (_, i) => bytesOf(`unused-${i}`));
    await orphanBlobs(root, [...reused, ...unused]);
    await writeFile(join(root, 'models', 'old', 'versions', '.tmp-crashed'), 'partial');
    await writeFile(join(root, 'blobs', 'sha256', '.tmp-crashed'), 'partial');
    await sleep(graceMs + 100);

    const fresh = Array.from({ length: 24 }, (_, i) => bytesOf(`fresh-${i}`, 80 + i));
    const queue = [...reused, ...fresh].sort((a, b) => sha256Hex(a).localeCompare(sha256Hex(b)));
    const reports: FsSweepReport[] = [];
    let registering = true;
    const sweeper = (async () => {
      const s = new FsStore({ root });
      while (registering) reports.push(await s.sweep({ graceMs }));
    })();
    const workers = Array.from({ length: 4 }, async (_, w) => {
      const r = registryOver(root); // one registry and store per worker, as separate processes have
      const out: ModelVersion[] = [];
      for (let i = w; i < queue.length; i += 4) {
        out.push(await r.register(`m${w}`, queue[i]!));
        await sleep(Math.random() * 15);
      }
      return out;
    });
    const registered = (await Promise.all(workers)).flat();
    registering = false;
    await sweeper;
    await sleep(graceMs + 100);
    reports.push(await new FsStore({ root }).sweep({ graceMs }));

    console.info(
      `sweep under ${registered.length} concurrent registers: ${reports.length} sweeps removed ${total(reports, 'blobs')} blobs and ${total(reports, 'tempFiles')} temporary files`,
    );
    expect(reports.length).toBeGreaterThan(2);
    expect(registered).toHaveLength(48);
    await expectAllLoad(root, [...before, ...registered]);
    const store = new FsStore({ root });
    for (const a of unused) expect(await store.head(blobKey(sha256Hex(a)))).toBeUndefined();
    for (const a of [...reused, ...fresh]) expect(await store.head(blobKey(sha256Hex(a)))).toBeDefined();
    expect(total(reports, 'blobs')).toBeGreaterThanOrEqual(unused.length);
    expect(total(reports, 'tempFiles')).toBe(2);
    expect((await readdir(root, { recursive: true })).map(String).filter((f) => f.includes('/.'))).toEqual([]);
  });

  it('a register that finds its old orphaned blob present keeps it, even when a whole sweep runs before its version commit', async () => {
    const root = await freshRoot();
    const graceMs = 200;
    const artifact = bytesOf('paused');
    await orphanBlobs(root, [artifact]);
    await sleep(graceMs + 100);
    let report: FsSweepReport | undefined;
    const r = registryOver(root, {
      hooks: {
        beforeVersionCommit: async () => {
          // The blob is old and no version references it yet: only the register's mark protects it.
          report = await new FsStore({ root }).sweep({ graceMs });
        },
      },
    });
    const v = await r.register('m', artifact);
    expect(report).toEqual({ tempFiles: 0, blobs: 0 });
    await expectAllLoad(root, [v]);
  });

  it('keeps young unreferenced blobs, and every blob with blobs: false', async () => {
    const root = await freshRoot();
    const young = bytesOf('young');
    await orphanBlobs(root, [young]);
    const store = new FsStore({ root });
    expect(await store.sweep({ graceMs: 60_000 })).toEqual({ tempFiles: 0, blobs: 0 });
    await sleep(60);
    expect(await store.sweep({ graceMs: 30, blobs: false })).toEqual({ tempFiles: 0, blobs: 0 });
    expect(await store.head(blobKey(sha256Hex(young)))).toBeDefined();
    expect(await store.sweep({ graceMs: 30 })).toEqual({ tempFiles: 0, blobs: 1 });
    expect(await store.head(blobKey(sha256Hex(young)))).toBeUndefined();
  });

  it('removes no blob when a version record cannot be read, and says why', async () => {
    const root = await freshRoot();
    const r = registryOver(root);
    const v = await r.register('m', bytesOf('kept'));
    await orphanBlobs(root, [bytesOf('orphan')]);
    const store = new FsStore({ root });
    await store.put('models/x/versions/000000001.json', new TextEncoder().encode('{not json'));
    await sleep(60);
    const report = await store.sweep({ graceMs: 30 });
    expect(report.blobs).toBe(0);
    expect(report.blobsSkipped).toMatch(/models\/x\/versions\/000000001\.json/);
    expect(await store.head(blobKey(sha256Hex(bytesOf('orphan'))))).toBeDefined();
    await expectAllLoad(root, [v]);
  });

  it('rejects a bad graceMs naming the field', async () => {
    const store = new FsStore({ root: await freshRoot() });
    await expect(store.sweep({ graceMs: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: /graceMs/ });
  });
});
