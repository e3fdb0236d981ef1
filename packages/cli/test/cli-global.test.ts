import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbeddedJobRunner, parseTrainingSpec } from '@modelship/controller';
import { createRegistry } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { describe, expect, it } from 'vitest';
import { cli, workdir } from './helpers.js';

describe('global options, errors and jobs of the embedded runner', () => {
  it('the registry defaults to ./.modelship, else MODELSHIP_REGISTRY; --registry wins', async () => {
    const dir = workdir();
    expect((await cli(['train', 'spec.json'], { cwd: dir })).code).toBe(0);
    expect(existsSync(join(dir, '.modelship'))).toBe(true);
    const other = join(dir, 'other');
    expect((await cli(['train', 'spec.json'], { cwd: dir, env: { MODELSHIP_REGISTRY: other } })).code).toBe(0);
    const count = async (env: Record<string, string>, args: string[] = []) =>
      (
        JSON.parse((await cli([...args, 'models', '--json'], { cwd: dir, env })).stdout) as Array<{ versions: number }>
      )[0]!.versions;
    await cli(['train', 'spec.json', '--registry', other], { cwd: dir });
    expect(await count({})).toBe(1);
    expect(await count({ MODELSHIP_REGISTRY: other })).toBe(2);
    expect(await count({ MODELSHIP_REGISTRY: other }, ['--registry', '.modelship'])).toBe(2 - 1);
  });

  it('a read command on a directory that is no registry is exit 4, naming it; nothing is created', async () => {
    const dir = workdir();
    const r = await cli(['models'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `error: --registry: no registry at ${join(dir, '.modelship')} (nothing registered yet, or a wrong --registry)\n`,
    );
    expect(existsSync(join(dir, '.modelship'))).toBe(false);
  });

  it('bad registry locations are exit 2 naming --registry / --s3-endpoint', async () => {
    const dir = workdir();
    for (const [args, msg] of [
      [['--registry', 'ftp://host/x'], /^error: --registry: unsupported scheme/],
      [['--registry', 's3://UPPER_case/x'], /^error: --registry: "UPPER_case" is not a valid S3 bucket name/],
      [['--registry', 's3://bucket/x', '--s3-endpoint', 'not a url'], /^error: --s3-endpoint: expected a URL/],
    ] as const) {
      const r = await cli([...args, 'models'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('--help and --version exit 0; errors carry the stack only with MODELSHIP_DEBUG=1', async () => {
    const dir = workdir();
    const h = await cli(['--help'], { cwd: dir });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Usage: modelship/);
    expect(h.stdout).toMatch(/rollout/);
    const v = await cli(['--version'], { cwd: dir });
    expect(v).toEqual({ code: 0, stdout: '0.0.0\n', stderr: '' });
    const sub = await cli(['rollout', 'start', '--help'], { cwd: dir });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--candidate <v>/);
    await cli(['train', 'spec.json'], { cwd: dir });
    const quiet = await cli(['versions', 'nope'], { cwd: dir });
    expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(1);
    const loud = await cli(['versions', 'nope'], { cwd: dir, env: { MODELSHIP_DEBUG: '1' } });
    expect(loud.code).toBe(4);
    expect(loud.stderr).toMatch(/^error: .*nope.*\n.*Error.*\n\s+at /);
  });

  it('jobs ls / logs -f follow a job of the embedded runner (a real worker thread) until it succeeds', async () => {
    const dir = workdir();
    const root = join(dir, 'registry');
    const registry = createRegistry({ store: new FsStore({ root }) });
    const runner = createEmbeddedJobRunner({ registry, pollMs: 50, heartbeatMs: 200 });
    try {
      const spec = parseTrainingSpec(readFileSync(join(dir, 'spec.json'), 'utf8'));
      const job = await runner.submit({ ...spec, data: { kind: 'csv', path: join(dir, 'train.csv') } });
      const f = await cli(['--registry', root, 'jobs', 'logs', job.id, '-f', '--interval', '100'], { cwd: dir });
      expect(f.code, f.stderr).toBe(0);
      expect(f.stdout).toMatch(/loaded 300 rows/);
      expect(f.stdout).toMatch(/best variant: linear/);
      expect(f.stderr).toBe(`job ${job.id} succeeded: registered sim v1\n`);
      const ls = JSON.parse((await cli(['--registry', root, 'jobs', 'ls', '--json'], { cwd: dir })).stdout) as Array<{
        id: string;
        status: string;
        version: number;
      }>;
      expect(ls).toMatchObject([{ id: job.id, status: 'succeeded', version: 1 }]);
    } finally {
      await runner.close();
      await registry.close();
    }
  });

  it('jobs logs -f stops (exit 1, one line) when its signal is aborted', async () => {
    const dir = workdir();
    const root = join(dir, 'r');
    const registry = createRegistry({ store: new FsStore({ root }) });
    await registry.store.put(
      'controller/jobs/job-x.json',
      new TextEncoder().encode(
        JSON.stringify({
          id: 'job-x',
          model: 'sim',
          status: 'queued',
          logs: [],
          progress: 0,
          attempts: 0,
          maxAttempts: 1,
          createdAt: 1,
          trigger: 'manual',
          revision: 1,
        }),
      ),
    );
    await registry.close();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    const r = await cli(['--registry', root, 'jobs', 'logs', 'job-x', '-f', '--interval', '50'], {
      cwd: dir,
      signal: abort.signal,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: jobs logs: stopped following job "job-x" (queued)\n');
  });
});
