/** Every command of the CLI against one registry location (run once on fs, once on S3). */
import { join } from 'node:path';
import { controllerKeys, type DecisionLogEntry, type JobRecord } from '@modelship/controller';
import {
  createRegistry,
  createRollbackPolicy,
  emptyAggregates,
  evaluate,
  recordFeedback,
  recordPrediction,
  type ModelRegistry,
  type Store,
  type VariantAggregates,
} from '@modelship/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, workdir, type RunResult } from './helpers.js';

/** Where the suite's registry lives. */
export interface Target {
  /** Global arguments that select the registry (`--registry …`). */
  args: string[];
  /** Environment for the runs (AWS credentials for S3). */
  env: Record<string, string>;
  /** A store on the same registry, for writing job and decision records as the controller would. */
  store(): Store;
}

const enc = new TextEncoder();
const T0 = Date.UTC(2026, 0, 5);

function variant(name: string, stars: number[]): VariantAggregates {
  const agg = emptyAggregates(name);
  let i = 0;
  stars.forEach((n, s) => {
    for (let k = 0; k < n; k++) {
      recordPrediction(agg, { latencyMs: 200, at: T0 + ++i });
      recordFeedback(agg, { rating: s + 1, at: T0 + i });
    }
  });
  return agg;
}

/** A decision log entry with a complete record, as the controller writes it. */
function decisionEntry(id: string, at: number): DecisionLogEntry {
  const d = createRollbackPolicy().decide(
    evaluate({
      schemaVersion: 1,
      variants: {
        production: variant('production', [16, 60, 160, 236, 328]),
        candidate: variant('candidate', [2, 10, 33, 56, 99]),
      },
      since: T0,
      until: T0 + 86_400_000,
      weights: { production: 0.8, candidate: 0.2 },
    }),
    { startedAt: T0, now: T0 + 86_400_000 },
  );
  return JSON.parse(
    JSON.stringify({
      id,
      model: 'sim',
      at,
      action: d.action,
      applied: 'none',
      reasons: d.reasons,
      evidence: d.evidence,
      record: d.record,
      production: 1,
      candidate: 2,
      revision: 3,
      fence: { epoch: 1, holder: 'test' },
    }),
  ) as DecisionLogEntry;
}

function jobRecord(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    model: 'sim',
    trigger: 'manual',
    status: 'running',
    spec: {
      model: 'sim',
      data: { kind: 'csv', path: 'x.csv' },
      task: 'regression',
      target: 'y',
      features: { features: [{}] },
      variants: { l: { learner: 'linear' } },
    },
    progress: 0.5,
    logs: ['loaded 300 rows', 'variant l (1/1) started'],
    attempts: 1,
    maxAttempts: 3,
    createdAt: T0,
    startedAt: T0,
    revision: 2,
    ...over,
  };
}

const oneLine = (r: RunResult) => r.stderr.trimEnd().split('\n').length === 1;

/** Defines the command tests over `target()` (called in beforeAll). */
export function commandSuite(name: string, target: () => Promise<Target>): void {
  describe(`every command (${name})`, () => {
    let t: Target;
    let dir: string;
    let store: Store;
    let registry: ModelRegistry;
    const run = (...argv: string[]) => cli([...t.args, ...argv], { cwd: dir, env: t.env });
    const json = async (...argv: string[]) => {
      const r = await run(...argv, '--json');
      expect(r.stderr, r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as unknown;
    };
    let beforePromote = 0;

    beforeAll(async () => {
      t = await target();
      dir = workdir();
      store = t.store();
      registry = createRegistry({ store });
    });
    afterAll(async () => {
      await registry.close();
    });

    it('train: trains a YAML spec, prints progress lines (no TTY) and the metrics table of the variants', async () => {
      const r = await run('train', 'spec.yaml');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^registered sim v1 \(best variant (linear|ridge), 300 rows from .*train\.csv/);
      expect(r.stdout).toMatch(/VARIANT\s+LEARNER\s+.*r2.*FIT_S/);
      expect(r.stdout).toMatch(/linear\s+linear\s/);
      expect(r.stdout).toMatch(/ridge\s+linear\s/);
      expect(r.stderr).toContain('progress 0%');
      expect(r.stderr).toContain('progress 100%');
      expect(r.stderr).not.toContain('\r');
    });

    it('train: a JSON spec with --json (a TTY gets a redrawn bar); the same --job-id registers nothing new', async () => {
      const r = await cli([...t.args, 'train', 'spec.json', '--json', '--job-id', 'cli-test-1'], {
        cwd: dir,
        env: t.env,
        tty: true,
      });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        model: string;
        version: number;
        reused: boolean;
        variants: unknown[];
        metrics: Record<string, number>;
      };
      expect(out).toMatchObject({ model: 'sim', version: 2, reused: false });
      expect(out.variants).toHaveLength(1);
      expect(out.metrics.r2).toBeGreaterThan(0.9);
      expect(r.stderr).toMatch(/\r\[#+\] 100%/);
      const again = await run('train', 'spec.json', '--json', '--job-id', 'cli-test-1');
      expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, reused: true });
    });

    it('models and versions', async () => {
      expect(await json('models')).toEqual([
        { name: 'sim', versions: 2, latest: 2, production: null, candidate: null, aliases: {} },
      ]);
      const h = await run('models');
      expect(h.stdout).toMatch(/MODEL\s+VERSIONS\s+LATEST\s+PRODUCTION\s+CANDIDATE\nsim\s+2\s+v2\s+-\s+-/);
      const v = (await json('versions', 'sim')) as Array<{ version: number; tags: Record<string, string> }>;
      expect(v.map((x) => x.version)).toEqual([1, 2]);
      expect(v[1]!.tags.job).toBe('cli-test-1');
      expect((await run('versions', 'sim')).stdout).toMatch(/VERSION\s+CREATED.*\nv1 .*r2=/);
      const missing = await run('versions', 'nope');
      expect(missing.code).toBe(4);
      expect(missing.stderr).toMatch(/^error: .*nope.*\n$/);
    });

    it('promote --version deploys; rollout start / ramp / status; promote moves the candidate to production', async () => {
      const d = await run('promote', 'sim', '--version', '1', '--reason', 'first');
      expect(d.code, d.stderr).toBe(0);
      expect(d.stdout).toMatch(/deployed sim v1: production v1 alone/);
      beforePromote = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const s = await run('rollout', 'start', 'sim', '--candidate', '2', '--steps', '0.1,0.5');
      expect(s.code, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/candidate v2 at 10% \(ramp step 1\/2/);
      const again = await run('rollout', 'start', 'sim', '--candidate', '2');
      expect(again.code).toBe(5);
      expect(oneLine(again)).toBe(true);
      expect((await run('rollout', 'ramp', 'sim')).stdout).toMatch(/at 50% \(ramp step 2\/2/);
      const past = await run('rollout', 'ramp', 'sim');
      expect(past.code).toBe(5);
      expect(await json('rollout', 'status', 'sim')).toMatchObject({ production: 1, candidate: 2, mode: 'ramp' });
      const p = await run('promote', 'sim');
      expect(p.code, p.stderr).toBe(0);
      expect(p.stdout).toMatch(/promoted sim v2 to production \(was v1\): production v2 alone/);
      const none = await run('promote', 'sim');
      expect(none.code).toBe(5);
      expect(none.stderr).toMatch(/^error: .*candidate/);
    });

    it('aliases now and --at a past time (ISO or epoch ms)', async () => {
      expect(await json('aliases', 'sim')).toEqual({ model: 'sim', aliases: { production: 2 } });
      const past = (await json('aliases', 'sim', '--at', String(beforePromote))) as {
        aliases: Record<string, number | null>;
      };
      expect(past.aliases).toEqual({ candidate: null, production: 1 });
      const iso = await run('aliases', 'sim', '--at', new Date(beforePromote).toISOString());
      expect(iso.stdout).toMatch(/production\s+v1/);
      const early = (await json('aliases', 'sim', '--at', '0')) as { aliases: Record<string, number | null> };
      expect(early.aliases.production).toBeNull();
    });

    it('rollback: without a candidate production goes back; with one the candidate is rolled back; rollout abort', async () => {
      const r = await run('rollback', 'sim', '--reason', 'v2 misbehaves');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/rolled production of sim back from v2 to v1/);
      expect(await json('rollout', 'status', 'sim')).toMatchObject({ production: 1 });
      expect(
        (await run('rollout', 'start', 'sim', '--candidate', '2', '--mode', 'split', '--weight', '0.2')).stdout,
      ).toMatch(/candidate v2 at 20% \(split\)/);
      const c = await run('rollback', 'sim');
      expect(c.stdout).toMatch(/rolled back candidate v2 of sim: production v1 alone/);
      expect((await run('rollout', 'start', 'sim', '--candidate', '2', '--mode', 'shadow')).stdout).toMatch(
        /in shadow/,
      );
      const a = await run('rollout', 'abort', 'sim');
      expect(a.stdout).toMatch(/aborted the rollout of sim v2: production v1 alone/);
      const nothing = await run('rollout', 'abort', 'sim');
      expect(nothing.code).toBe(5);
      expect((await run('rollback', 'nope')).code).toBe(4);
      expect((await run('rollout', 'status', 'nope')).code).toBe(4);
    });

    it('datasets register (fingerprint; the same rows again: the same version) and ls', async () => {
      const r = await run('datasets', 'register', 'houses', 'train.csv', '--description', 'synthetic');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^registered dataset houses V1 \(300 rows, fingerprint [0-9a-f]{12}\)/);
      expect((await run('datasets', 'register', 'houses', 'train.csv')).stdout).toMatch(
        /already registered dataset houses V1/,
      );
      expect((await run('datasets', 'register', 'houses', 'live-shifted.csv')).stdout).toMatch(
        /registered dataset houses V2/,
      );
      const ls = (await json('datasets', 'ls')) as Array<{
        name: string;
        label: string;
        rowCount: number;
        location: string;
      }>;
      expect(ls.map((d) => [d.name, d.label, d.rowCount])).toEqual([
        ['houses', 'V1', 300],
        ['houses', 'V2', 300],
      ]);
      expect(ls[0]!.location).toBe(join(dir, 'train.csv'));
      expect((await run('datasets', 'ls')).stdout).toMatch(/DATASET\s+VERSION\s+ROWS.*\nhouses\s+V1\s+300/);
    });

    it('drift: exit 3 on shifted rows with the report, 0 on the training rows; --version; no production → 4', async () => {
      const d = await run('drift', 'sim', 'live-shifted.csv');
      expect(d.code, d.stderr).toBe(3);
      expect(d.stdout).toMatch(/^sim v1 vs .*live-shifted\.csv\nDrift report/);
      expect(d.stdout).toMatch(/Verdict: drift/);
      const ok = await run('drift', 'sim', 'train.csv', '--json');
      expect(ok.code, ok.stderr).toBe(0);
      const rep = JSON.parse(ok.stdout) as { version: number; report: { summary: { verdict: string } } };
      expect(rep.version).toBe(1);
      expect(rep.report.summary.verdict).toBe('no-drift');
      expect((await run('drift', 'sim', 'live-shifted.csv', '--version', '2')).code).toBe(3);
      expect((await run('drift', 'nope', 'train.csv')).code).toBe(4);
    });

    it('jobs ls and jobs logs (-f follows until the job ends)', async () => {
      const put = (j: JobRecord) => store.put(controllerKeys.job(j.id), enc.encode(JSON.stringify(j)));
      await put(jobRecord('job-a', { status: 'succeeded', progress: 1, version: 2, createdAt: T0, logs: ['done'] }));
      await put(jobRecord('job-b', { createdAt: T0 + 1000 }));
      const ls = (await json('jobs', 'ls')) as JobRecord[];
      expect(ls.map((j) => [j.id, j.status])).toEqual([
        ['job-b', 'running'],
        ['job-a', 'succeeded'],
      ]);
      expect(((await json('jobs', 'ls', '--status', 'succeeded')) as JobRecord[]).map((j) => j.id)).toEqual(['job-a']);
      expect((await run('jobs', 'ls')).stdout).toMatch(/ID\s+MODEL\s+STATUS.*\njob-b\s+sim\s+running\s+50%\s+1\/3/);
      const logs = await run('jobs', 'logs', 'job-a');
      expect(logs.code).toBe(0);
      expect(logs.stdout).toBe('done\n');
      expect(logs.stderr).toBe('job job-a succeeded: registered sim v2\n');
      const following = run('jobs', 'logs', 'job-b', '-f', '--interval', '50');
      await new Promise((r) => setTimeout(r, 200));
      await put(
        jobRecord('job-b', { createdAt: T0 + 1000, logs: [...jobRecord('b').logs, 'variant l finished'], revision: 3 }),
      );
      await new Promise((r) => setTimeout(r, 200));
      await put(
        jobRecord('job-b', {
          createdAt: T0 + 1000,
          status: 'failed',
          error: 'boom',
          logs: [...jobRecord('b').logs, 'variant l finished', 'failed: boom'],
          revision: 4,
        }),
      );
      const f = await following;
      expect(f.code).toBe(1);
      expect(f.stdout).toBe('loaded 300 rows\nvariant l (1/1) started\nvariant l finished\nfailed: boom\n');
      expect(f.stderr).toBe('job job-b failed: boom\n');
      expect(((await json('jobs', 'logs', 'job-a')) as JobRecord).version).toBe(2);
      const missing = await run('jobs', 'logs', 'job-zzz');
      expect(missing.code).toBe(4);
      expect(missing.stderr).toBe('error: job "job-zzz" not found\n');
    });

    it('decisions lists the log; --replay recomputes each record (exit 1 when one differs)', async () => {
      const prefix = controllerKeys.decisionsPrefix('sim');
      const put = (e: DecisionLogEntry) => store.put(`${prefix}${e.id}.json`, enc.encode(JSON.stringify(e)));
      const good = decisionEntry('d-0001', T0 + 1);
      await put(good);
      const { record: _r, ...gate } = decisionEntry('d-0002', T0 + 2);
      await put({ ...gate, applied: 'gate-failed' });
      const list = (await json('decisions', 'sim')) as { decisions: DecisionLogEntry[] };
      expect(list.decisions.map((d) => d.id)).toEqual(['d-0001', 'd-0002']);
      expect((await run('decisions', 'sim')).stdout).toMatch(/ID\s+AT\s+ACTION\s+APPLIED.*\nd-0001 /);
      const ok = await run('decisions', 'sim', '--replay');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/d-0001 .* match\n/);
      expect(ok.stdout).toMatch(/replayed 1: 1 match, 0 differ, 0 failed; 1 without a record/);
      await put({ ...decisionEntry('d-0003', T0 + 3), action: 'promote' });
      const bad = await run('decisions', 'sim', '--replay', '--json');
      expect(bad.code).toBe(1);
      const out = JSON.parse(bad.stdout) as {
        decisions: Array<{ id: string; replay: { status: string; detail?: string } }>;
        replay: Record<string, number>;
      };
      expect(out.replay).toEqual({ replayed: 2, match: 1, mismatch: 1, error: 0, noRecord: 1 });
      expect(out.decisions[2]!.replay).toMatchObject({
        status: 'mismatch',
        detail: expect.stringMatching(/^action promote → /),
      });
      expect(((await json('decisions', 'sim', '--limit', '1')) as { decisions: unknown[] }).decisions).toHaveLength(1);
      expect((await run('decisions', 'nope')).code).toBe(4);
    });

    describe('bad arguments: exit 2 and one line naming the argument', () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /missing command/],
        [['rollout'], /missing command: modelship rollout/],
        [['bogus'], /unknown command 'bogus'/],
        [['models', '--nope'], /unknown option '--nope'/],
        [['versions'], /missing required argument 'model'/],
        [['versions', 'a', 'b'], /too many arguments/],
        [['versions', 'bad name!'], /name/],
        [['aliases', 'sim', '--at', 'yesterday'], /--at.*yesterday.*ISO time/],
        [['promote', 'sim', '--version', '0'], /--version.*positive integer/],
        [['rollout', 'start', 'sim'], /required option '--candidate <v>'/],
        [['rollout', 'start', 'sim', '--candidate', 'x'], /--candidate.*'x'.*positive integer/],
        [['rollout', 'start', 'sim', '--candidate', '2', '--steps', '0.5,0.1'], /--steps.*increasing/],
        [['rollout', 'start', 'sim', '--candidate', '2', '--steps', '0.1,2'], /--steps.*\(0, 1\]/],
        [['rollout', 'start', 'sim', '--candidate', '2', '--mode', 'canary'], /--mode.*canary.*ramp, split, shadow/],
        [
          ['rollout', 'start', 'sim', '--candidate', '2', '--mode', 'split', '--weight', '1.5'],
          /--weight.*between 0 and 1/,
        ],
        [['rollout', 'start', 'sim', '--candidate', '2', '--weight', '0.2'], /--weight: only with --mode split/],
        [['rollout', 'ramp', 'sim', '--step', '-1'], /--step/],
        [['train', 'missing.yaml'], /<spec>: cannot read .*missing\.yaml: no such file/],
        [['train', 'bad-spec.yaml'], /spec\.variants: at least one variant/],
        [['datasets', 'register', 'd', 'missing.csv'], /<csv>: cannot read .*missing\.csv/],
        [['datasets', 'register', 'd'], /missing required argument 'csv'/],
        [['drift', 'sim', 'missing.csv'], /<live\.csv>: cannot read/],
        [['jobs', 'logs', 'bad id!'], /<id>: "bad id!" is not a job id/],
        [['jobs', 'ls', '--status', 'done'], /--status.*done/],
        [['jobs', 'logs', 'job-a', '--interval', 'soon'], /--interval/],
        [['serve', '--port', 'x'], /--port.*port number/],
      ];
      for (const [argv, message] of cases) {
        it(argv.join(' ') || '(nothing)', async () => {
          const r = await run(...argv);
          expect(r.code, r.stderr).toBe(2);
          expect(r.stdout).toBe('');
          expect(oneLine(r), r.stderr).toBe(true);
          expect(r.stderr).toMatch(message);
          expect(r.stderr).not.toMatch(/\n\s+at /);
        });
      }
    });
  });
}
