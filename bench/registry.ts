/**
 * Registry latencies on FsStore and on S3Store (against a moto_server this suite starts on
 * 127.0.0.1): register-1mb, resolve-cold (a new registry: alias + record + 1 MiB blob, verified),
 * resolve-cached (same registry: alias read, record and blob from cache), move-alias
 * (compare-and-set) and load-1mb (uncached, verified). Writes bench/results/registry.json with
 * `{ case, p50Millis, p99Millis, n }`. There is no Python peer for this suite.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type Store } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { S3Store } from '@modelship/registry-s3';
import { quantile, writeResults, type BenchRecord } from './_lib.js';
import { MotoServer, motoAvailable } from '../test-support/moto-server.js';

const MB = 1024 * 1024;
const quick = process.argv.includes('--quick');

async function time(
  n: number,
  fn: (i: number) => Promise<unknown>,
): Promise<{ p50Millis: number; p99Millis: number; n: number }> {
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    lat[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50Millis: r(quantile(lat, 0.5)), p99Millis: r(quantile(lat, 0.99)), n };
}

async function suite(prefix: string, makeStore: () => Store, n: number): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  const reg = createRegistry<Uint8Array>({ store: makeStore(), actor: 'bench' });
  const blobs = Array.from({ length: n }, () => new Uint8Array(randomBytes(MB)));
  out.push({ case: `${prefix}/register-1mb`, ...(await time(n, (i) => reg.register('bench', blobs[i]!))) });
  await reg.setAlias('bench', 'production', 1, { force: true, reason: 'bench' });
  out.push({
    case: `${prefix}/resolve-cold`,
    ...(await time(n, async () => {
      const cold = createRegistry<Uint8Array>({ store: makeStore() });
      await cold.resolve('bench', ['production']);
      await cold.close();
    })),
  });
  await reg.resolve('bench', ['production']);
  out.push({ case: `${prefix}/resolve-cached`, ...(await time(n * 10, () => reg.resolve('bench', ['production']))) });
  let cur: number | null = null;
  out.push({
    case: `${prefix}/move-alias`,
    ...(await time(n, async (i) => {
      const to = (i % n) + 1;
      await reg.setAlias('bench', 'candidate', to === cur ? (to % n) + 1 : to, { expect: cur });
      cur = (await reg.getAlias('bench', 'candidate'))!;
    })),
  });
  const uncached = createRegistry<Uint8Array>({ store: makeStore(), cacheBytes: 0 });
  out.push({ case: `${prefix}/load-1mb`, ...(await time(n, (i) => uncached.load('bench', (i % n) + 1))) });
  await Promise.all([reg.close(), uncached.close()]);
  return out;
}

async function main(): Promise<void> {
  const records: BenchRecord[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'modelship-bench-registry-'));
  try {
    const root = join(dir, 'root');
    records.push(...(await suite('fs', () => new FsStore({ root }), quick ? 10 : 50)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!motoAvailable) {
    console.error('moto_server not found: the s3/ cases cannot run (pip install "moto[server]")');
    process.exitCode = 1;
  } else {
    const moto = new MotoServer();
    await moto.start();
    try {
      const opts = {
        bucket: 'modelship-bench',
        prefix: 'registry',
        endpoint: moto.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      };
      const first = new S3Store(opts);
      await first.ensureBucket();
      await first.close();
      records.push(...(await suite('s3', () => new S3Store(opts), quick ? 10 : 30)));
    } finally {
      await moto.stop();
    }
  }
  const note = 'taken under load: 2 cores shared with other jobs; s3 = moto_server on 127.0.0.1; no Python peer';
  writeResults(
    'registry',
    records.map((r) => ({ ...r, note })),
  );
}

void main();
