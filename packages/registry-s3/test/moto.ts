import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ConformanceOptions, ProcessConformanceOptions } from '@modelship/registry-conformance';
import { describe, it } from 'vitest';
import { S3Store, type S3StoreOptions } from '../src/index.js';
import { MotoServer, motoAvailable } from '../../../test-support/moto-server.js';

export { motoAvailable };
/** CI sets MODELSHIP_REQUIRE_S3=1: then a missing moto_server fails instead of skipping. */
export const requireS3 = process.env.MODELSHIP_REQUIRE_S3 === '1';

/** A moto_server on 127.0.0.1 that one test file starts and stops, with the suites' store options. */
export class Moto extends MotoServer {
  /** Options of a store in a new bucket (its own, so outside writes can be listed). */
  async freshOptions(): Promise<S3StoreOptions> {
    const o: S3StoreOptions = {
      bucket: `ms-${randomBytes(6).toString('hex')}`,
      prefix: 'registry/',
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const s = new S3Store(o);
    await s.ensureBucket();
    await s.close();
    return o;
  }

  /** Every key of the bucket that lies outside the store's prefix. */
  async outside(o: S3StoreOptions): Promise<string[]> {
    const s = new S3Store(o);
    const r = await s.client.send(new ListObjectsV2Command({ Bucket: o.bucket }));
    await s.close();
    return (r.Contents ?? []).map((c) => c.Key!).filter((k) => !k.startsWith(o.prefix!));
  }

  /** Conformance options for S3Store against this server. */
  conformance(): ConformanceOptions {
    return {
      name: 'S3Store (moto_server)',
      setup: () => this.start(),
      teardown: () => this.stop(),
      largeArtifactBytes: 16 * 1024 * 1024,
      createStore: async () => {
        const o = await this.freshOptions();
        const stores: S3Store[] = [];
        const open = (): S3Store => {
          const s = new S3Store(o);
          stores.push(s);
          return s;
        };
        return {
          store: open(),
          reopen: async () => open(),
          outsideWrites: () => this.outside(o),
          destroy: async () => void (await Promise.all(stores.map((s) => s.close()))),
        };
      },
    };
  }

  /** Multi-process options for S3Store against this server. */
  processes(): ProcessConformanceOptions {
    return {
      name: 'S3Store (built dist, separate OS processes, moto_server)',
      storeModule: '@modelship/registry-s3',
      storeExport: 'S3Store',
      setup: () => this.start(),
      teardown: () => this.stop(),
      storeOptions: () => this.freshOptions(),
      createStore: (o) => new S3Store(o as S3StoreOptions),
    };
  }
}

/**
 * Defines `suite(moto)` when moto_server is available. Otherwise: with MODELSHIP_REQUIRE_S3=1 a
 * failing test; without it a loud warning and one skipped test saying the S3 suite did not run.
 */
export function withMoto(what: string, suite: (moto: Moto) => void): void {
  if (motoAvailable) {
    suite(new Moto());
    return;
  }
  const msg = `moto_server not found on PATH: the S3 ${what} suite did NOT run (install it: pip install 'moto[server]')`;
  if (requireS3) {
    describe(`S3 ${what}`, () =>
      it('needs moto_server (MODELSHIP_REQUIRE_S3=1)', () => {
        throw new Error(msg);
      }));
    return;
  }
  console.warn(`\n${'!'.repeat(100)}\n!!! ${msg}\n${'!'.repeat(100)}\n`);
  describe(`S3 ${what}`, () => it.skip(`DID NOT RUN: ${msg}`, () => {}));
}
