/**
 * A simulated clock and a simulated serving latency, so that the pipeline's run is the same on
 * every machine: the router reads request times and latencies from here, and a model "takes"
 * a seeded random latency when it answers.
 */
import { createRandom, loadModel, type ModelArtifact } from '@modelship/core';
import type { ModelLoader, ServableModel } from '@modelship/router';

/** Simulated wall clock (epoch ms) and high-resolution timer (ms), advanced explicitly. */
export interface SimulatedTime {
  /** Wall clock in ms since the epoch (the router's `clock`). */
  clock: () => number;
  /** High-resolution timer in ms (the router's `timer`). */
  timer: () => number;
  /** Moves both forward by `ms`. */
  advance(ms: number): void;
}

/** Creates a simulated time source starting at `startMs` (epoch ms). */
export function createSimulatedTime(startMs: number): SimulatedTime {
  let now = startMs;
  return {
    clock: () => now,
    timer: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Mean simulated serving latency per learner kind, in ms (network and feature lookup included). */
export const SIMULATED_LATENCY_MS: Readonly<Record<string, number>> = { linear: 38, gbdt: 40, forest: 42 };

/**
 * A router model loader: core's `loadModel` (sha256 checked), wrapped so every prediction
 * advances the simulated timer by a seeded random latency (exponential jitter around the
 * learner's mean in {@link SIMULATED_LATENCY_MS}). The servable keeps the artifact, so router
 * observers (the drift sink) see its reference profile.
 */
export function simulatedLatencyLoader(time: SimulatedTime, seed: number): ModelLoader {
  return (bytes, info) => {
    const model = loadModel(bytes, info.sha256 !== undefined ? { expectedSha256: info.sha256 } : {});
    const mean = SIMULATED_LATENCY_MS[model.learnerKind] ?? 40;
    const rng = createRandom(seed + info.version);
    const servable: ServableModel & { readonly artifact: ModelArtifact } = {
      artifact: model.artifact, // router observers (the drift sink) read its profile
      predict(input: unknown) {
        const p = model.predict(input as Record<string, unknown>);
        time.advance(mean * 0.7 - mean * 0.3 * Math.log(1 - rng.next()));
        return p;
      },
    };
    return servable;
  };
}
