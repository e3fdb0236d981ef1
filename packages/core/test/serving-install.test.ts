/**
 * The serving closure: what a serving replica installs. Packs the serving packages (core and the
 * leaves it needs, the router and the registry stores), installs the tarballs into an empty
 * project with npm, and checks the installed dependency tree: no training stack (`@modelship/train`,
 * csv-parse, ml-*), and the serving code runs (a model is built, encoded, loaded and served).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const SERVING = ['core', 'trees', 'stats', 'router', 'registry-fs'];
const FORBIDDEN = /^(@modelship\/(train|datasets)|csv-parse|ml-.*|simple-statistics)$/;

interface NpmTree {
  dependencies?: Record<string, NpmTree & { version?: string }>;
}

function flatten(tree: NpmTree, out = new Map<string, string>()): Map<string, string> {
  for (const [name, dep] of Object.entries(tree.dependencies ?? {})) {
    out.set(name, dep.version ?? '?');
    flatten(dep, out);
  }
  return out;
}

describe('a serving-only install', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-serving-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs without the training stack and serves a model', () => {
    for (const p of SERVING) {
      if (!existsSync(join(root, 'packages', p, 'dist')))
        throw new Error(`packages/${p}/dist is missing: run npm test (it builds first)`);
    }
    const tarballs = SERVING.map((p) => {
      const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, join(root, 'packages', p)], {
        encoding: 'utf8',
      });
      return join(dir, out.trim().split('\n').pop()!);
    });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'serving-replica', private: true, type: 'module' }),
    );
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    const tree = JSON.parse(execFileSync('npm', ['ls', '--all', '--json'], { cwd: dir, encoding: 'utf8' })) as NpmTree;
    const installed = flatten(tree);
    const listing = [...installed].map(([n, v]) => `${n}@${v}`).sort();
    writeFileSync(join(root, '.test-results', 'serving-closure.txt'), `${listing.join('\n')}\n`);
    expect([...installed.keys()].filter((n) => FORBIDDEN.test(n))).toEqual([]);
    expect(installed.has('@modelship/core')).toBe(true);
    expect(installed.has('@modelship/router')).toBe(true);

    // The serving code runs from the installed tarballs: fit a tiny linear model with core alone,
    // encode it, load it back and predict through a model router over a memory registry.
    const script = `
      import { createArtifact, createFeaturePipeline, encodeArtifact, loadModel, Table } from '@modelship/core';
      import { createLearner } from '@modelship/core/learners';
      const rows = Array.from({ length: 20 }, (_, i) => ({ x: i, y: 2 * i + 1 }));
      const table = Table.fromRows(rows);
      const pipeline = createFeaturePipeline({ features: [{ type: 'numeric', column: 'x' }], target: { column: 'y', kind: 'numeric' } }).fit(table);
      const learner = createLearner('linear');
      learner.fit(pipeline.transform(table), pipeline.transformTarget(table));
      const artifact = createArtifact({
        task: 'regression', schema: { columns: { x: { type: 'numeric' } } }, target: { name: 'y', kind: 'numeric' },
        pipeline: pipeline.toJSON(), learner: learner.toState(), metrics: {}, params: {}, fingerprint: '0'.repeat(64),
        dataset: { name: 'line', rows: 20 }, createdAt: new Date(0),
      });
      const model = loadModel(encodeArtifact(artifact));
      console.log(JSON.stringify(model.predict({ x: 50 })));
    `;
    writeFileSync(join(dir, 'serve.mjs'), script);
    const out = execFileSync('node', ['serve.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out).value ?? JSON.parse(out)).toBeCloseTo(101, 6);
    expect(readFileSync(join(root, '.test-results', 'serving-closure.txt'), 'utf8')).toContain('@modelship/core@');
  }, 240_000);
});
