import { createRegistry, type Logger, MemoryStore, type ModelRegistry, ValidationError } from '@modelship/core';
import type { ModelRouter } from '../src/model-router.js';
import type { ServableModel } from '../src/servable-model.js';

/** A tiny model spec stored as the artifact bytes of the test registry (real artifacts are tested elsewhere). */
export interface FakeSpec {
  kind: 'linear' | 'flaky' | 'nan' | 'label';
  factor: number;
}

/** Validates `{ x: number }` the way a real model's schema does. */
function checkInput(input: unknown): number {
  const x = (input as { x?: unknown } | null)?.x;
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ValidationError('INVALID_INPUT', `x: expected a finite number, received ${JSON.stringify(x)}`, {
      operation: 'predict',
      details: { field: 'x' },
    });
  }
  return x;
}

/** Loader for {@link FakeSpec} bytes. */
export function fakeLoader(bytes: Uint8Array): ServableModel {
  const spec = JSON.parse(new TextDecoder().decode(bytes)) as FakeSpec;
  return {
    predict(input: unknown) {
      const x = checkInput(input);
      if (spec.kind === 'flaky' && x % 10 === 0) throw new Error(`flaky model fails on x=${x}`);
      if (spec.kind === 'nan') return Number.NaN;
      if (spec.kind === 'label') return x > 0 ? 'positive' : 'negative';
      return x * spec.factor;
    },
  };
}

/** A real core registry over a MemoryStore with one version per spec (versions 1, 2, …). */
export async function registryWith(name: string, specs: FakeSpec[]): Promise<ModelRegistry> {
  const registry = createRegistry({ store: new MemoryStore() });
  for (const spec of specs) await registry.register(name, new TextEncoder().encode(JSON.stringify(spec)));
  return registry;
}

/** A counter timer: every read advances by `step` ms (so latencies are exact and replayable). */
export function stepTimer(step = 0.5): () => number {
  let t = 0;
  return () => (t += step);
}

export const HMAC_KEY = 'router-test-hmac-key-0123456789abcdef';

/** Resolves once `router` serves `revision` or a later one (event-driven: no fixed wait that a loaded machine could outlast). */
export function untilRevision(router: ModelRouter, revision: number): Promise<void> {
  if ((router.rollout?.revision ?? 0) >= revision) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (e: { rollout: { revision: number } }): void => {
      if (e.rollout.revision < revision) return;
      router.off('modelSwapped', on);
      resolve();
    };
    router.on('modelSwapped', on);
  });
}

/** A pino-compatible logger whose `loadFailed` promise resolves at the router's first "could not load the rollout" error. */
export function loadFailureLogger(): { logger: Logger; loadFailed: Promise<void> } {
  let resolve!: () => void;
  const loadFailed = new Promise<void>((r) => (resolve = r));
  const logger: Logger = {
    error: (_obj: unknown, msg?: string) => {
      if (typeof msg === 'string' && msg.includes('could not load the rollout')) resolve();
    },
    warn() {},
    info() {},
    debug() {},
    child: () => logger,
  } as unknown as Logger;
  return { logger, loadFailed };
}
