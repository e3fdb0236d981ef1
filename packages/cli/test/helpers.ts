/** Shared pieces of the CLI tests: run() in-process with collected output, synthetic data, specs and records. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { S3Store, type S3StoreOptions } from '@modelship/registry-s3';
import { describe, it } from 'vitest';
import { run } from '../src/index.js';
import { MotoServer, motoAvailable } from '../../../test-support/moto-server.js';

/** What one in-process run produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process in `cwd` with `env`. */
export async function cli(
  argv: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; tty?: boolean; signal?: AbortSignal },
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s), isTTY: opts.tty === true },
    env: opts.env ?? {},
    cwd: opts.cwd,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, stdout, stderr };
}

/** y = 3x + noise, x ~ U(0, 10) + shift, seeded. */
export function rows(n: number, seed: number, shift = 0): Array<{ x: number; y: number }> {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const x = u() * 10 + shift;
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    out.push({ x, y: 3 * x + z });
  }
  return out;
}

/** Writes rows as a CSV file. */
export function writeCsv(path: string, data: Array<{ x: number; y: number }>): void {
  writeFileSync(path, `x,y\n${data.map((r) => `${r.x},${r.y}`).join('\n')}\n`);
}

/** A working directory with `train.csv`, `live-same.csv`, `live-shifted.csv`, `spec.yaml`, `spec.json` and a bad spec. */
export function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-cli-'));
  writeCsv(join(dir, 'train.csv'), rows(300, 1));
  writeCsv(join(dir, 'live-shifted.csv'), rows(300, 2, 20));
  writeFileSync(
    join(dir, 'spec.yaml'),
    [
      'model: sim',
      'data: { kind: csv, path: train.csv }',
      'task: regression',
      'target: y',
      'features: { features: [{ type: numeric, column: x }] }',
      'variants:',
      '  linear: { learner: linear }',
      '  ridge: { learner: linear, params: { alpha: 1 } }',
      'evaluation: { kind: holdout, testFraction: 0.2 }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      model: 'sim',
      data: { kind: 'csv', path: 'train.csv' },
      task: 'regression',
      target: 'y',
      features: { features: [{ type: 'numeric', column: 'x' }] },
      variants: { linear: { learner: 'linear' } },
      evaluation: { kind: 'holdout', testFraction: 0.2 },
    }),
  );
  writeFileSync(
    join(dir, 'bad-spec.yaml'),
    'model: sim\ndata: { kind: csv, path: train.csv }\ntask: regression\ntarget: y\nfeatures: { features: [{ type: numeric, column: x }] }\nvariants: {}\n',
  );
  return dir;
}

/** CI sets MODELSHIP_REQUIRE_S3=1: then a missing moto_server fails instead of skipping. */
const requireS3 = process.env.MODELSHIP_REQUIRE_S3 === '1';

/** A moto_server for one test file, with fresh buckets. */
export class Moto extends MotoServer {
  /** A new bucket; its `--registry` location and the store options of the same place. */
  async freshBucket(): Promise<{ location: string; options: S3StoreOptions }> {
    const bucket = `ms-cli-${randomBytes(6).toString('hex')}`;
    const options: S3StoreOptions = {
      bucket,
      prefix: 'registry/',
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const s = new S3Store(options);
    await s.ensureBucket();
    await s.close();
    return { location: `s3://${bucket}/registry`, options };
  }
}

/** Defines `suite(moto)` when moto_server is available; else a loud skip (or a failure with MODELSHIP_REQUIRE_S3=1). */
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
