/**
 * What the router serves: a model with a synchronous `predict`, and the loader that turns
 * verified artifact bytes into one.
 */
import type { Explanation, ModelArtifact } from '@modelship/core';

/**
 * A model the router can serve: a synchronous `predict` that validates its input (throwing
 * core's `ValidationError` naming the field) and returns a number, a label, or an object.
 */
export interface ServableModel {
  /** Predicts one input. */
  predict(input: unknown): unknown;
  /**
   * Explains the prediction of one input (core's `Model.explain`: per-column contributions and the
   * expected value); optional. A model without it, or one that throws ValidationError
   * `NOT_EXPLAINABLE`, is answered with `{ available: false, note }` by `predict(input, { explain: true })`.
   */
  explain?(input: unknown): Explanation;
  /**
   * The artifact it was loaded from (core's `Model` has it). Observers such as the drift sink read
   * its reference profile; a custom loader that wraps a model should pass it on, or the served
   * version is not monitored.
   */
  readonly artifact?: ModelArtifact | undefined;
}

/** Turns verified artifact bytes into a servable model (default: core's `loadModel`). */
export type ModelLoader = (
  bytes: Uint8Array,
  info: { readonly name: string; readonly version: number; readonly sha256?: string },
) => ServableModel | Promise<ServableModel>;
