import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceHarness } from '@modelship/registry-conformance';
import { FsStore } from '../src/index.js';

/** A fresh FsStore in a new temporary folder (its `root` subfolder); anything else appearing in that folder is an outside write. */
export async function fsHarness(): Promise<ConformanceHarness> {
  const base = await mkdtemp(join(tmpdir(), 'modelship-fs-'));
  const root = join(base, 'root');
  return {
    store: new FsStore({ root }),
    reopen: async () => new FsStore({ root }),
    outsideWrites: async () =>
      (await readdir(base, { recursive: true })).filter((f) => f !== 'root' && !f.startsWith('root/')),
    destroy: () => rm(base, { recursive: true, force: true }),
  };
}
