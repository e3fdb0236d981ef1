import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcessConformance } from '@modelship/registry-conformance';
import { afterAll } from 'vitest';
import { FsStore, type FsStoreOptions } from '../src/index.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

runProcessConformance({
  name: 'FsStore (built dist, separate OS processes sharing one folder)',
  storeModule: '@modelship/registry-fs',
  storeExport: 'FsStore',
  storeOptions: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelship-fsproc-'));
    made.push(dir);
    return { root: join(dir, 'root') } satisfies FsStoreOptions;
  },
  createStore: (o) => new FsStore(o as FsStoreOptions),
});
