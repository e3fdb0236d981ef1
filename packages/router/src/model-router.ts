import { childLogger, type ExperimentAggregates, isModelshipError, type Logger, SafeEmitter } from '@modelship/core';
import { feedbackLimits, type FeedbackLimits, type OutcomeRecorder } from '@modelship/core/outcomes';
import { performance } from 'node:perf_hooks';
import { RouterError } from './errors.js';
import { toFeedbackOutcome, type FeedbackInput } from './feedback.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { PredictionLog, type FallbackReason } from './prediction-log.js';
import { ShadowRunner } from './shadow-runner.js';
import { createRequestIdCodec, type RequestIdClaims, type RequestIdCodec } from './request-id.js';
import { RoutedPrediction, type PredictionExplanation, type PredictionResult } from './routed-prediction.js';
import type { ModelRouterEvents } from './router-events.js';
import type { RouterRollout } from './rollout-source.js';
import { parseRouterOptions, type ModelRouterOptions } from './router-options.js';
import { RolloutFollower } from './rollout-follower.js';
import { CANDIDATE, PRODUCTION, type Snapshot } from './snapshot.js';
import { ObserverQueue } from './observers.js';

/** Options of `waitForRevision`. */
export interface WaitForRevisionOptions {
  /** Reject with `RouterError('TIMEOUT')` after this many ms (`Infinity`: never). Default 30,000. */
  readonly timeoutMs?: number;
  /** Rejects with `RouterError('ABORTED')` (its reason as `cause`) when aborted. */
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly revision: number;
  resolve(rollout: RouterRollout): void;
  reject(err: RouterError): void;
}

/** Per-request options of `predict`. */
export interface PredictOptions {
  /** The unit key (user, session…) for sticky assignment; random assignment without it. */
  readonly unit?: string;
  /** Forces a variant (`'production'` or `'candidate'`), e.g. from a request header. */
  readonly override?: string;
  /** Attach the answering model's explanation to the result (`result.explanation`); default `false`. Computed after the latency is measured. */
  readonly explain?: boolean;
}

/** Per-call options of `predictBatch`. */
export interface PredictBatchOptions {
  /** One unit key per input (or `undefined` entries for random assignment). */
  readonly units?: readonly (string | undefined)[];
  /** One unit key for every input. */
  readonly unit?: string;
  /** Forces a variant for every input. */
  readonly override?: string;
  /** Attach an explanation to every result; default `false`. */
  readonly explain?: boolean;
}

/** True for an answer the router may return: finite numbers, labels, arrays and typed arrays without a non-finite number, objects with a finite `value`. */
function isFiniteAnswer(p: unknown): boolean {
  if (typeof p === 'number') return Number.isFinite(p);
  if (p === undefined || p === null) return false;
  if (typeof p === 'object') {
    if (Array.isArray(p)) {
      for (const x of p) if (typeof x === 'number' && !Number.isFinite(x)) return false;
      return true;
    }
    if (ArrayBuffer.isView(p)) {
      const a = p as unknown as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
      return true;
    }
    if (typeof (p as { then?: unknown }).then === 'function') {
      (p as Promise<unknown>).then(undefined, () => {}); // never an unhandled rejection
      return false; // an async answer cannot be served synchronously
    }
    const v = (p as { value?: unknown }).value;
    if (typeof v === 'number') return Number.isFinite(v);
  }
  return true;
}

/**
 * Serves one model's rollout: assigns each request to a variant, answers it with that
 * variant's model (falling back to production when a non-production variant fails), records
 * it, and hot-swaps models when the rollout changes. Create with {@link createModelRouter}.
 */
export class ModelRouter extends SafeEmitter<ModelRouterEvents> {
  /** The model name. */
  readonly model: string;
  /** The prediction log (ring buffer and sinks). */
  readonly log: PredictionLog;
  #snapshot: Snapshot | undefined;
  readonly #codec: RequestIdCodec;
  readonly #metrics: PrometheusMetrics | undefined;
  readonly #options: ReturnType<typeof parseRouterOptions>;
  readonly #logger: Logger;
  readonly #clock: () => number;
  readonly #timer: () => number;
  readonly #timeoutMs: number;
  readonly #follower: RolloutFollower;
  readonly #seen = new Map<string, true>();
  readonly #recorders = new Map<string, OutcomeRecorder>();
  readonly #shadows: ShadowRunner;
  readonly #observers: ObserverQueue;
  readonly #waiters = new Set<Waiter>();
  #closed = false;

  /** Use {@link createModelRouter}. */
  constructor(options: ModelRouterOptions) {
    const o = parseRouterOptions(options);
    const logger = childLogger(o.logger, { component: 'router', model: o.model });
    super(logger);
    this.#options = o;
    this.model = o.model;
    this.#logger = logger;
    this.#clock = o.clock ?? Date.now;
    this.#timer = o.timer ?? (() => performance.now());
    this.#timeoutMs = o.candidateTimeoutMs ?? 1000;
    this.#codec = createRequestIdCodec({
      key: o.hmacKey,
      model: o.model,
      clock: this.#clock,
      ...(o.feedbackMaxAgeMs !== undefined ? { maxAgeMs: o.feedbackMaxAgeMs } : {}),
    });
    this.#metrics = o.metrics ? new PrometheusMetrics(o.metrics, o.model) : undefined;
    this.log = new PredictionLog({
      capacity: o.logCapacity ?? 10_000,
      sinks: o.sinks ?? [],
      logger: this.#logger,
      ...(o.redactInput !== undefined ? { redactInput: o.redactInput } : {}),
      ...(o.journal !== undefined ? { journal: o.journal } : {}),
    });
    this.#shadows = new ShadowRunner({
      model: o.model,
      log: this.log,
      metrics: this.#metrics,
      timer: this.#timer,
      maxQueue: o.maxShadowQueue ?? 10_000,
      isValidAnswer: isFiniteAnswer,
    });
    this.#observers = new ObserverQueue(o.observers ?? [], this.#logger, o.maxShadowQueue ?? 10_000);
    this.#follower = new RolloutFollower({
      registry: o.registry,
      model: o.model,
      pollIntervalMs: o.pollIntervalMs ?? 1000,
      logger: this.#logger,
      loadModel: o.loadModel,
      metrics: this.#metrics,
      outcomes: o.outcomeStore,
      random: o.random ?? Math.random,
      current: () => this.#snapshot,
      install: (s, loadMs) => {
        const previous = this.#snapshot?.rollout;
        this.#snapshot = s; // the atomic swap: requests that started keep the snapshot they read
        this.#metrics?.swapped();
        this.#logger.info({ rollout: s.rollout, loadMs }, 'router swapped models');
        this.emitSafely('modelSwapped', {
          model: this.model,
          rollout: s.rollout,
          ...(previous ? { previous } : {}),
          loadMs,
        });
        if (this.#observers.active)
          this.#observers.swap(
            [s.production, ...s.served.filter((v) => !v.isProduction)].map((v) => v.info),
            s.rollout,
          );
        for (const w of this.#waiters) if (s.rollout.revision >= w.revision) w.resolve(s.rollout);
      },
    });
  }

  /** Resolves once the first rollout is loaded; rejects (`NOT_READY`/`LOAD_FAILED`) if that first attempt fails. */
  ready(): Promise<void> {
    return this.#follower.ready;
  }

  /** Mirrored requests dropped because the shadow queue was full. */
  get shadowDropped(): number {
    return this.#shadows.dropped;
  }

  /** Observer notifications dropped because the observers' queue was full. */
  get observerDropped(): number {
    return this.#observers.dropped;
  }

  /**
   * Resolves with the rollout in force once this router serves rollout `revision` or a later one
   * (at once when it already does), from the router's own swap — no polling by the caller: the
   * router learns of the change from the registry's in-process `rolloutChanged` event or its
   * watcher, and reads the rollout once more when called. Rejects with `RouterError` `TIMEOUT`
   * (the message names the revision served and the last load error), `ABORTED` or `CLOSED`, and
   * `INVALID_OPTIONS` for a bad argument.
   *
   * @example
   * ```ts
   * const { revision } = await registry.setRollout('house-prices', plan);
   * await router.waitForRevision(revision, { timeoutMs: 5000 });
   * ```
   */
  waitForRevision(revision: number, options: WaitForRevisionOptions = {}): Promise<RouterRollout> {
    const op = { operation: 'router.waitForRevision' };
    if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0)
      return Promise.reject(
        new RouterError('INVALID_OPTIONS', `waitForRevision: revision: expected an integer >= 0, got ${revision}`, op),
      );
    const timeoutMs = options?.timeoutMs ?? 30_000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0))
      return Promise.reject(
        new RouterError(
          'INVALID_OPTIONS',
          `waitForRevision: timeoutMs: expected a positive number, got ${timeoutMs}`,
          op,
        ),
      );
    const signal = options.signal;
    if (this.#closed) return Promise.reject(new RouterError('CLOSED', `router of model "${this.model}" is closed`, op));
    const current = this.#snapshot?.rollout;
    if (current !== undefined && current.revision >= revision) return Promise.resolve(current);
    const aborted = () =>
      new RouterError('ABORTED', `waitForRevision(${revision}) of model "${this.model}" was aborted`, {
        ...op,
        cause: signal?.reason,
      });
    if (signal?.aborted) return Promise.reject(aborted());
    return new Promise<RouterRollout>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.reject(aborted());
      const done = (): void => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        revision,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      this.#waiters.add(waiter);
      if (Number.isFinite(timeoutMs))
        timer = setTimeout(() => {
          const served = this.#snapshot?.rollout.revision;
          const last = this.#follower.lastError as Error | undefined;
          waiter.reject(
            new RouterError(
              'TIMEOUT',
              `waitForRevision: model "${this.model}" did not reach revision ${revision} within ${timeoutMs} ms (serving ${served === undefined ? 'nothing' : `revision ${served}`}${last ? `; last load error: ${last.message ?? String(last)}` : ''})`,
              { ...op, details: { revision, ...(served !== undefined ? { served } : {}) } },
            ),
          );
        }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#follower.refresh();
    });
  }

  /** The rollout being served, `undefined` before the first load. */
  get rollout(): RouterRollout | undefined {
    return this.#snapshot?.rollout;
  }

  /**
   * Answers one input. Synchronous when the models are. Throws core's `ValidationError` for an
   * input the model rejects, `RouterError('UNKNOWN_VARIANT')` for a bad override,
   * `RouterError('NOT_READY')` before the first load, `RouterError('PREDICTION_FAILED')` when
   * production itself fails.
   *
   * @example
   * ```ts
   * const r = router.predict({ sqft: 1200, bath: 2, bhk: 2, location: 'Whitefield' }, { unit: userId });
   * res.json(r); // { prediction, variant, modelVersion, requestId, latencyMs }
   * ```
   */
  predict<P = unknown>(input: unknown, options?: PredictOptions): PredictionResult<P> {
    const s = this.#snapshot;
    if (s === undefined) throw this.#notReady();
    return this.#predictWith(
      s,
      input,
      options?.unit,
      options?.override,
      options?.explain === true,
    ) as PredictionResult<P>;
  }

  /** Answers many inputs against one snapshot (each assigned on its own). */
  predictBatch<P = unknown>(inputs: readonly unknown[], options: PredictBatchOptions = {}): PredictionResult<P>[] {
    const s = this.#snapshot;
    if (s === undefined) throw this.#notReady();
    if (!Array.isArray(inputs))
      throw new RouterError('INVALID_OPTIONS', 'predictBatch: inputs: expected an array', {
        operation: 'router.predictBatch',
      });
    if (typeof options !== 'object' || options === null)
      throw new RouterError(
        'INVALID_OPTIONS',
        'predictBatch: options: expected an object { units?, unit?, override? }',
        { operation: 'router.predictBatch' },
      );
    const { units, unit, override } = options;
    const explain = options.explain === true;
    if (units !== undefined && !Array.isArray(units))
      throw new RouterError('INVALID_OPTIONS', 'predictBatch: units: expected an array of unit keys', {
        operation: 'router.predictBatch',
      });
    if (units !== undefined && units.length !== inputs.length) {
      throw new RouterError(
        'INVALID_OPTIONS',
        `predictBatch: units: expected ${inputs.length} entries (one per input), received ${units.length}`,
        { operation: 'router.predictBatch' },
      );
    }
    const out = new Array<PredictionResult<P>>(inputs.length);
    for (let i = 0; i < inputs.length; i++)
      out[i] = this.#predictWith(s, inputs[i], units ? units[i] : unit, override, explain) as PredictionResult<P>;
    return out;
  }

  #notReady(): RouterError {
    return this.#closed
      ? new RouterError('CLOSED', `router of model "${this.model}" is closed`, { operation: 'router.predict' })
      : new RouterError(
          'NOT_READY',
          `router of model "${this.model}" has not loaded a rollout yet (await router.ready())`,
          { operation: 'router.predict' },
        );
  }

  #predictWith(
    s: Snapshot,
    input: unknown,
    unit: string | undefined,
    override: string | undefined,
    explain = false,
  ): RoutedPrediction {
    const time = this.#clock();
    let index: number;
    try {
      index = s.splitter.assignIndex(unit, override);
    } catch (err) {
      this.#metrics?.error('unknown', 'client'); // never a caller-chosen label value
      throw err;
    }
    const assigned = s.served[index]!;
    const t0 = this.#timer();
    let answered = assigned;
    let prediction: unknown;
    let reason: FallbackReason | undefined;
    let failure: unknown;
    if (assigned.isProduction) {
      prediction = this.#callProduction(s, input);
    } else {
      try {
        prediction = assigned.model.predict(input);
        if (!isFiniteAnswer(prediction)) reason = 'non_finite';
        else if (this.#timer() - t0 > this.#timeoutMs) reason = 'timeout';
      } catch (err) {
        reason = 'error';
        failure = err;
      }
      if (reason !== undefined) {
        answered = s.production;
        // A ValidationError of both models is the caller's fault: rethrown, not counted on the candidate.
        prediction = this.#callProduction(s, input, failure);
      }
    }
    const latencyMs = this.#timer() - t0;
    const rec = new RoutedPrediction(
      this.#codec,
      time,
      this.model,
      answered.name,
      answered.version,
      latencyMs,
      prediction,
      input,
    );
    answered.metrics?.observe(latencyMs / 1000);
    if (reason !== undefined) {
      rec.fallback = { from: assigned.name, fromVersion: assigned.version, reason };
      assigned.outcomes?.prediction({
        latencyMs,
        error: true,
        fallback: true,
        timeout: reason === 'timeout',
        at: time,
      });
      this.#metrics?.fallback(assigned.name, assigned.version, reason);
      this.#logger.warn(
        { err: failure, variant: assigned.name, modelVersion: assigned.version, reason },
        'variant failed; production answered',
      );
      this.emitSafely('fallbackUsed', {
        model: this.model,
        variant: assigned.name,
        modelVersion: assigned.version,
        reason,
        ...(failure !== undefined ? { error: failure } : {}),
      });
    } else {
      assigned.outcomes?.prediction({ latencyMs, at: time });
    }
    if (explain) rec.explanation = this.#explain(answered, input);
    this.log.record(rec);
    if (this.#observers.active) this.#observers.serve(answered.info, input, prediction);
    if (s.shadow !== undefined && answered.isProduction && override === undefined)
      this.#shadows.enqueue(s.shadow, input, rec);
    return rec;
  }

  /** The answering model's explanation; never throws (a model that cannot explain gets a note). */
  #explain(v: Snapshot['production'], input: unknown): PredictionExplanation {
    const model = v.model;
    if (typeof model.explain !== 'function')
      return { available: false, note: `model version ${v.version} cannot explain its predictions` };
    try {
      return { available: true, ...model.explain(input) };
    } catch (err) {
      if (!isModelshipError(err, 'ValidationError', 'NOT_EXPLAINABLE'))
        this.#logger.warn({ err, variant: v.name, modelVersion: v.version }, 'explanation failed');
      return { available: false, note: (err as Error)?.message ?? String(err) };
    }
  }

  #callProduction(s: Snapshot, input: unknown, candidateError?: unknown): unknown {
    const p = s.production;
    try {
      return p.model.predict(input);
    } catch (err) {
      if (isModelshipError(err, 'ValidationError')) {
        this.#metrics?.error(p.name, 'client');
        throw err;
      }
      p.outcomes?.prediction({ error: true, at: this.#clock() });
      this.#metrics?.error(p.name, 'model');
      this.#logger.error({ err }, 'production model failed');
      throw new RouterError(
        'PREDICTION_FAILED',
        `production model of "${this.model}" (version ${p.version}) failed: ${(err as Error)?.message ?? String(err)}`,
        {
          operation: 'router.predict',
          details: {
            variant: p.name,
            modelVersion: p.version,
            ...(candidateError !== undefined ? { candidateFailed: true } : {}),
          },
          cause: err,
        },
      );
    }
  }

  /**
   * Records feedback on a prediction, at any replica sharing the HMAC key. Throws
   * `RouterError` `INVALID_REQUEST_ID` (forged, altered, not an id), `EXPIRED_REQUEST_ID`,
   * `UNKNOWN_REQUEST_ID` (names a variant or version this model does not have),
   * `DUPLICATE_FEEDBACK` (already recorded on this replica), `FEEDBACK_NOT_DURABLE` (with
   * `durableFeedback`: the outcome store's flush failed), or core's `ValidationError` for bad
   * feedback fields.
   *
   * @example
   * ```ts
   * await router.feedback(requestId, { rating: 4, actual: 96.5 });
   * ```
   */
  async feedback(requestId: string, feedback: FeedbackInput): Promise<RequestIdClaims> {
    const claims = this.#codec.verify(requestId);
    const at = this.#clock();
    const { feedback: fb, outcome } = toFeedbackOutcome(feedback, claims, at, this.#limitsFor(claims.modelVersion));
    if (claims.variant !== PRODUCTION && claims.variant !== CANDIDATE) {
      throw new RouterError(
        'UNKNOWN_REQUEST_ID',
        `unknown request id: variant "${claims.variant}" is not served by this router`,
        { operation: 'router.feedback', details: { requestId } },
      );
    }
    await this.#checkVersion(claims.modelVersion, requestId);
    if (this.#seen.has(claims.nonce)) {
      throw new RouterError('DUPLICATE_FEEDBACK', `feedback for request ${requestId} was already recorded`, {
        operation: 'router.feedback',
        details: { requestId },
      });
    }
    this.#seen.set(claims.nonce, true);
    if (this.#seen.size > (this.#options.duplicateWindow ?? 100_000))
      this.#seen.delete(this.#seen.keys().next().value!);
    const store = this.#options.outcomeStore;
    if (store) {
      const key = `${claims.variant}\u0000${claims.modelVersion}`;
      let recorder = this.#recorders.get(key);
      if (!recorder)
        this.#recorders.set(
          key,
          (recorder = store.recorder({
            model: this.model,
            variant: claims.variant,
            modelVersion: claims.modelVersion,
          })),
        );
      recorder.feedback(outcome);
      if (this.#options.durableFeedback === true && store.flush) {
        try {
          await store.flush();
        } catch (err) {
          throw new RouterError(
            'FEEDBACK_NOT_DURABLE',
            `feedback for request ${requestId} was recorded but the outcome store could not make it durable: ${(err as Error)?.message ?? String(err)}`,
            { operation: 'router.feedback', details: { requestId }, cause: err },
          );
        }
      }
    }
    this.#metrics?.feedback(claims.variant, claims.modelVersion);
    this.emitSafely('feedbackRecorded', { model: this.model, requestId, claims, feedback: fb });
    return claims;
  }

  readonly #limits = new Map<number, FeedbackLimits>();
  /**
   * The feedback limits of a model version: the `feedbackLimits` option over what the served
   * artifact's training metrics imply (core's `feedbackLimits({ artifact })`: `actual` within 100
   * training-target standard deviations of the prediction); for a version not loaded here, the
   * option alone.
   */
  #limitsFor(version: number): FeedbackLimits {
    const cached = this.#limits.get(version);
    if (cached) return cached;
    const served = this.#snapshot?.served.find((v) => v.version === version)?.model as
      | { artifact?: { metrics?: unknown } }
      | undefined;
    const metrics = served?.artifact?.metrics;
    const artifact =
      typeof metrics === 'object' && metrics !== null
        ? { metrics: metrics as { readonly [name: string]: number } }
        : undefined;
    const limits = feedbackLimits({ ...(this.#options.feedbackLimits ?? {}), artifact });
    if (artifact) {
      if (this.#limits.size >= 64) this.#limits.delete(this.#limits.keys().next().value!);
      this.#limits.set(version, limits);
    }
    return limits;
  }

  readonly #knownVersions = new Set<number>();
  async #checkVersion(version: number, requestId: string): Promise<void> {
    const s = this.#snapshot;
    if (this.#knownVersions.has(version) || s?.production.version === version || s?.rollout.candidate === version)
      return;
    const registry = this.#options.registry;
    if (typeof registry.getVersion !== 'function') return;
    try {
      await registry.getVersion(this.model, version);
      this.#knownVersions.add(version);
    } catch (err) {
      if (isModelshipError(err, 'RegistryError', 'NOT_FOUND')) {
        throw new RouterError(
          'UNKNOWN_REQUEST_ID',
          `unknown request id: model "${this.model}" has no version ${version}`,
          { operation: 'router.feedback', details: { requestId }, cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * The outcome aggregates of the rollout being served (its production and candidate versions,
   * with its weights), ready for the evaluator. Throws `RouterError('INVALID_OPTIONS')` without
   * an `outcomeStore`, `NOT_READY` before the first load.
   */
  async aggregates(): Promise<ExperimentAggregates> {
    const store = this.#options.outcomeStore;
    if (!store)
      throw new RouterError('INVALID_OPTIONS', 'router.aggregates: this router has no outcomeStore', {
        operation: 'router.aggregates',
      });
    const s = this.#snapshot;
    if (!s) throw this.#notReady();
    const { rollout } = s;
    const versions: Record<string, number> = { [PRODUCTION]: rollout.production };
    const weights: Record<string, number> = { [PRODUCTION]: rollout.weights.production };
    if (rollout.candidate !== undefined) {
      versions[CANDIDATE] = rollout.candidate;
      weights[CANDIDATE] = rollout.weights.candidate ?? 0;
    }
    return store.aggregates(this.model, { versions, weights });
  }

  /** Stops following the rollout, rejects pending `waitForRevision` calls (`CLOSED`), delivers queued observer calls, and flushes and closes the prediction log's sinks. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#follower.close();
    this.#snapshot = undefined;
    for (const w of [...this.#waiters])
      w.reject(new RouterError('CLOSED', `router of model "${this.model}" was closed`, { operation: 'router.close' }));
    this.#shadows.drain();
    this.#observers.drain();
    await this.log.close();
  }
}

/**
 * Creates a {@link ModelRouter} that follows `model`'s rollout in `registry`; `await router.ready()`
 * before serving. Throws `RouterError('INVALID_OPTIONS')` naming the field.
 *
 * @example
 * ```ts
 * const router = createModelRouter({ registry, model: 'house-prices', hmacKey: process.env.HMAC_KEY!, metrics: promRegistry });
 * await router.ready();
 * const { prediction, requestId } = router.predict(row, { unit: userId });
 * ```
 */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  return new ModelRouter(options);
}
