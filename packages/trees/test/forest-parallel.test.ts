import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { regressionData } from './helpers.js';

/*
 * Worker threads load built JavaScript, so this test imports the BUILT package
 * (packages/trees/dist; `npm test` builds it first) rather than the TypeScript sources.
 */
const dist = join(__dirname, '..', 'dist', 'index.js');

describe('trainForestParallel (built package, worker threads)', () => {
  it('splits the trees across workers and returns the same model as trainForest', async () => {
    if (!existsSync(dist))
      throw new Error(
        `${dist} is missing: build first (npx turbo run build --filter=@modelship/trees); npm test does this`,
      );
    const trees = (await import(dist)) as typeof import('../src/index.js');
    const d = regressionData(1500, 3);
    const progress: number[] = [];
    const opts = { trees: 12, seed: 5, oobScore: true, maxFeatures: 0.5 } as const;
    const par = await trees.trainForestParallel(d.x, d.y, {
      ...opts,
      workers: 2,
      onProgress: (p) => progress.push(p.completed),
    });
    const seq = trees.trainForest(d.x, d.y, opts);
    expect(par.model.toSerial()).toEqual(seq.model.toSerial());
    expect(par.oobScore).toBe(seq.oobScore);
    expect(progress.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});
