import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRegistry, type Store } from '@modelship/core';
import { registryKeys } from '@modelship/core/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameBytes, testBytes } from './bytes.js';
import type { WorkerConfig, WorkerTask } from './process-worker.js';

/** Options of {@link runProcessConformance}. */
export interface ProcessConformanceOptions {
  /** The store's name, shown in the suite title. */
  name: string;
  /** Module specifier the child processes import the store from (its built `dist`). */
  storeModule: string;
  /** The exported store class name in that module. */
  storeExport: string;
  /** Options for a fresh, empty store location (JSON-serialisable; called once per test). */
  storeOptions(): Promise<unknown>;
  /** Builds a store in the test process from those options (to check results). */
  createStore(options: unknown): Store;
  /** Called once before the suite; default none. */
  setup?(): Promise<void>;
  /** Called once after the suite; default none. */
  teardown?(): Promise<void>;
  /** How many processes register at once; default 16. */
  processes?: number;
}

/** The built worker script (`dist/process-worker.js` of this package). */
export const PROCESS_WORKER = fileURLToPath(new URL('../dist/process-worker.js', import.meta.url));

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  mid: Promise<void>;
  result: Promise<Record<string, unknown>>;
  stderr: () => string;
}

/** Marks a promise as handled (only awaited ones should fail a test) and returns it. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function startWorker(config: WorkerConfig): Child {
  const proc = spawn(process.execPath, [PROCESS_WORKER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<[string, (line: string) => void]> = [];
  const lines: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (line.startsWith(w[0])) w[1](line);
        else waiters.push(w);
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close' (not 'exit') fires after the child's stdout and stderr are drained, so every line it
  // wrote has been seen by then: no timed grace period that a loaded machine could outrun.
  const exited = new Promise<never>((_, reject) =>
    proc.on('close', (code, sig) =>
      reject(new Error(`worker exited (${code ?? sig}) before answering: ${err.slice(-2000)}`)),
    ),
  );
  exited.catch(() => {});
  const wait = (prefix: string): Promise<string> => {
    const p = Promise.race([
      new Promise<string>((res) => {
        const hit = lines.find((l) => l.startsWith(prefix));
        if (hit !== undefined) res(hit);
        else waiters.push([prefix, res]);
      }),
      exited,
    ]);
    p.catch(() => {}); // only awaited waits should fail a test
    return p;
  };
  return {
    proc,
    ready: handled(wait('ready').then(() => undefined)),
    mid: handled(wait('mid').then(() => undefined)),
    result: handled(wait('result ').then((l) => JSON.parse(l.slice(7)) as Record<string, unknown>)),
    stderr: () => err,
  };
}

/**
 * Defines the multi-process tests for one store (vitest): N OS processes registering at the
 * same moment, two processes racing an alias compare-and-set, and a process killed with SIGKILL
 * in the middle of `register`. The children run the built JS (`npm run build` first).
 */
export function runProcessConformance(o: ProcessConformanceOptions): void {
  describe(`registry across processes: ${o.name}`, { timeout: 120_000 }, () => {
    const children: Child[] = [];
    beforeAll(async () => {
      await o.setup?.();
      if (!existsSync(PROCESS_WORKER)) {
        throw new Error(
          `registry-conformance: ${PROCESS_WORKER} is missing: these tests run built code, run \`npm run build\` first`,
        );
      }
    }, 120_000);
    afterAll(async () => {
      for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
      await o.teardown?.();
    });
    const run = (storeOptions: unknown, task: WorkerTask): Child => {
      const c = startWorker({ storeModule: o.storeModule, storeExport: o.storeExport, storeOptions, task });
      children.push(c);
      return c;
    };

    it(`${o.processes ?? 16} processes registering one model at the same moment end with versions 1…N, each intact, no error`, async () => {
      const n = o.processes ?? 16;
      const opts = await o.storeOptions();
      const kids = Array.from({ length: n }, (_, i) =>
        run(opts, { kind: 'register', name: 'shared', size: 20_000 + i, seed: 500 + i, worker: i }),
      );
      await Promise.all(kids.map((k) => k.ready));
      for (const k of kids) k.proc.stdin!.write('go\n');
      const results = await Promise.all(kids.map((k) => k.result));
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      expect(results.map((r) => r.version as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
      const reg = createRegistry<Uint8Array>({ store: o.createStore(opts) });
      const versions = await reg.listVersions('shared');
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      for (const v of versions) {
        const seed = Number(v.tags.seed);
        expect(sameBytes((await reg.load('shared', v.version)).bytes, testBytes(20_000 + seed - 500, seed))).toBe(true);
      }
      await reg.close();
    });

    it('two processes moving an alias with the same expect: exactly one wins, the other gets CONFLICT', async () => {
      const opts = await o.storeOptions();
      const reg = createRegistry<Uint8Array>({ store: o.createStore(opts) });
      for (let i = 1; i <= 3; i++) await reg.register('m', testBytes(100, i));
      await reg.setAlias('m', 'candidate', 1, { expect: null });
      const kids = [2, 3].map((v, i) =>
        run(opts, { kind: 'setAlias', name: 'm', alias: 'candidate', version: v, expect: 1, worker: i }),
      );
      await Promise.all(kids.map((k) => k.ready));
      for (const k of kids) k.proc.stdin!.write('go\n');
      const results = await Promise.all(kids.map((k) => k.result));
      expect(results.filter((r) => r.ok === true)).toHaveLength(1);
      expect(results.filter((r) => r.ok === false).map((r) => [r.name, r.code])).toEqual([
        ['RegistryError', 'CONFLICT'],
      ]);
      const winner = results.find((r) => r.ok)!;
      expect(await reg.getAlias('m', 'candidate')).toBe(winner.to);
      expect((await reg.aliasHistory('m', 'candidate')).map((h) => h.to)).toEqual([1, winner.to]);
      await reg.close();
    });

    for (const at of ['blob', 'commit'] as const) {
      it(`a process killed with SIGKILL mid-register (${at === 'blob' ? 'half-way through the artifact write' : 'before the version commit'}) leaves no visible version and does not block the next`, async () => {
        const opts = await o.storeOptions();
        const store = o.createStore(opts);
        const reg = createRegistry<Uint8Array>({ store });
        await reg.register('crashy', testBytes(1000, 1));
        const kid = run(opts, { kind: 'crash-register', name: 'crashy', size: 4 * 1024 * 1024 + 17, seed: 2, at });
        await kid.ready;
        kid.proc.stdin!.write('go\n');
        await kid.mid;
        const gone = new Promise((res) => kid.proc.once('exit', res));
        kid.proc.kill('SIGKILL');
        await gone;
        expect(kid.proc.signalCode).toBe('SIGKILL');
        expect((await reg.listVersions('crashy')).map((v) => v.version)).toEqual([1]);
        expect(await store.head(registryKeys.version('crashy', 2))).toBeUndefined();
        const fresh = createRegistry<Uint8Array>({ store: o.createStore(opts) });
        const v2 = await fresh.register('crashy', testBytes(4 * 1024 * 1024 + 17, 2));
        expect(v2.version).toBe(2);
        expect(sameBytes((await fresh.load('crashy', 2)).bytes, testBytes(4 * 1024 * 1024 + 17, 2))).toBe(true);
        await fresh.setAlias('crashy', 'candidate', 2);
        await Promise.all([reg.close(), fresh.close()]);
      });
    }

    it('a process SIGKILLed at random points of promote, rollback, start-rollout and ramp never leaves the aliases and the rollout disagreeing', async () => {
      const opts = await o.storeOptions();
      const reg = createRegistry<Uint8Array>({ store: o.createStore(opts) });
      for (let i = 1; i <= 3; i++) await reg.register('dep', testBytes(100, i));
      await reg.deploy('dep', 1, { reason: 'first' });
      let kills = 0;
      let lastRevision = 1;
      for (let round = 0; round < 22; round++) {
        const kid = run(opts, { kind: 'deploy-loop', name: 'dep', versions: 3 });
        await kid.ready;
        kid.proc.stdin!.write('go\n');
        await kid.mid;
        await new Promise((res) => setTimeout(res, 5 + ((round * 37) % 60)));
        const gone = new Promise((res) => kid.proc.once('exit', res));
        kid.proc.kill('SIGKILL');
        await gone;
        if (kid.proc.signalCode === 'SIGKILL') kills++;
        const fresh = createRegistry<Uint8Array>({ store: o.createStore(opts) });
        const r = (await fresh.getRollout('dep'))!;
        const aliases = await fresh.listAliases('dep');
        // the aliases are the rollout's, and its history ends in the state it holds
        expect(aliases.production).toBe(r.production);
        expect(aliases.candidate).toBe(r.candidate);
        expect(await fresh.getAlias('dep', 'production')).toBe(r.production);
        const last = r.history!.at(-1)!;
        expect(last.revision).toBe(r.revision);
        expect([last.production, last.candidate ?? undefined, last.candidateWeight]).toEqual([
          r.production,
          r.candidate,
          r.weights.candidate ?? 0,
        ]);
        expect(r.history!.map((h) => h.revision)).toEqual(Array.from({ length: r.revision }, (_, i) => i + 1));
        expect(r.revision).toBeGreaterThan(lastRevision);
        lastRevision = r.revision;
        const served = (await fresh.load('dep', 'production')).version.version;
        expect(served).toBe(r.production);
        await fresh.close();
      }
      expect(kills).toBeGreaterThanOrEqual(20);
      await reg.close();
    });
  });
}
