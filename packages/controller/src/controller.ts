/**
 * The lifecycle controller: one loop that, for every model it manages, picks up new versions,
 * gates them offline, starts and ramps their rollout, judges them on live outcomes, promotes or
 * rolls back, asks a human when configured, and retrains on a schedule, on drift or on
 * degradation. Every step is one compare-and-set write of the model's rollout record, with the
 * controller's state machine stored in the same record, so a crash between two steps is
 * impossible by construction and a restart resumes where the last write left off.
 */
import {
  childLogger,
  compareOffline,
  createEvaluator,
  createRollbackPolicy,
  isModelshipError,
  SafeEmitter,
  type Decision,
  type Evaluator,
  type ExperimentAggregates,
  type Logger,
  type ModelRegistry,
  type RolloutRecord,
} from '@modelship/core';
import { subtractExperimentAggregates } from '@modelship/core/outcomes';
import type { JsonValue, RolloutFence, SetRolloutOptions } from '@modelship/core/registry';
import type { DriftReport } from '@modelship/drift';
import { randomUUID } from 'node:crypto';
import { ControllerError } from './errors.js';
import { Lease, type ControllerLease, type LeaseState } from './lease.js';
import { controllerKeys as CK, getJson, isConflict, putJson, updateJson } from './store-json.js';
import type { Clock, ControllerEvent, ControllerEventType, JobRunner, JobTrigger, Notifier } from './types.js';
import {
  parseControllerOptions,
  type ControllerOptions,
  type OutcomeSource,
  type ResolvedModelConfig,
} from './options.js';
import { driftReasons, type DriftRules } from './triggers.js';
import { createSchedule, type Schedule } from './jobs/schedule.js';

/** The phase of a model's rollout state machine. */
export type Phase = 'idle' | 'awaiting-approval' | 'shadow' | 'canary' | 'held';

/** The controller's state of one model, stored in its rollout record (`state`). */
export interface ModelState {
  /** Format version of this state. */
  v: 1;
  /** The phase. */
  phase: Phase;
  /** The highest version the controller has looked at (versions above it are new candidates). */
  seenVersion: number;
  /** The candidate under rollout, awaiting approval or held. */
  candidate?: number;
  /** When the phase began (epoch ms). */
  phaseStartedAt: number;
  /** When the rollout began. */
  rolloutStartedAt?: number;
  /** When the current ramp step began. */
  stepStartedAt?: number;
  /** When the last decision that changed the rollout was applied. */
  lastDecisionAt?: number;
  /** The approval awaited (id and what it approves). */
  approval?: { id: string; kind: 'start' | 'promote' };
  /** The last applied decision's log entry id (replayed into the log if its append was lost). */
  lastDecisionId?: string;
  /** The revision whose start the evaluation baseline was taken at (outcomes before it are left out). */
  baselineRevision?: number;
  /** The last retraining: job id, trigger and when. */
  retrain?: { jobId: string; trigger: JobTrigger; at: number; done?: 'succeeded' | 'failed' | 'cancelled' };
}

/** One entry of the append-only decision log. */
export interface DecisionLogEntry {
  /** Entry id (sortable: time, then a random suffix). */
  id: string;
  /** The model. */
  model: string;
  /** When (epoch ms). */
  at: number;
  /** The policy's action. */
  action: Decision['action'];
  /**
   * What the controller did with it: `none`, or `ramped`, `promoted`, `rolled-back`, `held`,
   * `awaiting-approval`, `awaiting-confirmation`, `gate-failed`, `rejected`. The entry is written
   * before the change it describes, so no applied decision is ever missing from the log.
   */
  applied: string;
  /**
   * For `ramped`, `promoted` and `rolled-back` (read-time): whether the change landed, i.e. the
   * rollout history holds an entry with this decision's id. `false` when the controller stopped
   * between writing the entry and the change (the next tick decides again).
   */
  landed?: boolean;
  /** The decision's reasons. */
  reasons: Decision['reasons'];
  /** The figures it rests on. */
  evidence: Decision['evidence'];
  /** Every input, for `recomputeDecision` (absent on offline-gate decisions). */
  record?: Decision['record'];
  /** Production and candidate versions when it was taken. */
  production: number;
  /** The candidate. */
  candidate: number | null;
  /** The rollout revision it was read from. */
  revision: number;
  /** The lease epoch and holder under which it was taken. */
  fence: RolloutFence;
}

/** An approval record (persisted: it survives restarts). */
export interface ApprovalRecord {
  /** The approval id. */
  id: string;
  /** The model. */
  model: string;
  /** What it approves. */
  kind: 'start' | 'promote';
  /** The candidate version. */
  candidate: number;
  /** Its status. */
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  /** When it was requested. */
  requestedAt: number;
  /** When it expires (then `onTimeout` applies). */
  expiresAt: number;
  /** When it was decided. */
  decidedAt?: number;
  /** Who decided. */
  by?: string;
  /** Why. */
  reason?: string;
}

/** An alert record. */
export interface AlertRecord {
  /** Stable id per (kind, subject). */
  id: string;
  /** The model. */
  model: string;
  /** What raised it. */
  kind: 'drift' | 'guardrail' | 'degradation' | 'job';
  /** Severity. */
  severity: 'low' | 'medium' | 'high';
  /** What it is about (a feature, a guardrail). */
  subject: string;
  /** The last message. */
  message: string;
  /** First and last seen (epoch ms). */
  firstSeenAt: number;
  /** Last seen. */
  lastSeenAt: number;
  /** Times seen. */
  count: number;
  /** Acknowledged by whom, when. */
  acknowledged?: { by: string; at: number };
  /** When it resolved (the condition cleared). */
  resolvedAt?: number;
}

/** Events of a {@link Controller}. */
export interface ControllerEvents {
  /** Every lifecycle event (also sent to the notifiers). */
  event: (event: ControllerEvent) => void;
  /** A tick of the loop finished (leader or not). */
  ticked: (e: { at: number; leader: boolean; epoch: number }) => void;
}

/** Decisions that change the deployment (and so have a history entry when they landed). */
const CHANGES: ReadonlySet<string> = new Set(['ramped', 'promoted', 'rolled-back']);

/** The lifecycle controller; create one with {@link createController}. */
export class Controller extends SafeEmitter<ControllerEvents> {
  /** This controller's id (the lease holder name). */
  readonly id: string;
  readonly #registry: ModelRegistry;
  readonly #outcomes: OutcomeSource | undefined;
  readonly #jobs: JobRunner | undefined;
  readonly #notifiers: Notifier[];
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #lease: ControllerLease;
  readonly #models: Map<string, ResolvedModelConfig>;
  readonly #evaluator: Evaluator;
  readonly #intervalMs: number;
  readonly #drift:
    | ((model: string, version: number) => DriftReport | undefined | Promise<DriftReport | undefined>)
    | undefined;
  readonly #driftRules: DriftRules;
  readonly #fetch: typeof fetch;
  readonly #hook: NonNullable<NonNullable<ControllerOptions['hooks']>['step']>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #leaseTimer: ReturnType<typeof setInterval> | undefined;
  readonly #schedules: Schedule[] = [];
  #leaseCheck: Promise<void> | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #epoch = 0;
  #leader = false;

  /** Use {@link createController}. */
  constructor(options: ControllerOptions) {
    const o = parseControllerOptions(options);
    const log = childLogger(o.logger, { component: 'controller' });
    super(log);
    this.#log = log;
    this.id = o.id ?? o.lease?.id ?? `controller-${randomUUID().slice(0, 8)}`;
    this.#registry = o.registry;
    this.#outcomes = o.outcomes;
    this.#jobs = o.jobs;
    this.#notifiers = o.notifiers;
    this.#clock = o.clock ?? Date.now;
    this.#intervalMs = o.intervalMs;
    this.#evaluator = o.evaluator ?? createEvaluator();
    this.#lease =
      o.lease ??
      new Lease(
        o.registry.store,
        this.id,
        o.leaseMs,
        this.#clock,
        undefined,
        Math.max(1, Math.min(o.intervalMs, Math.floor(o.leaseMs / 5))),
      );
    this.#models = o.models;
    this.#drift = o.drift;
    this.#driftRules = o.driftRules;
    this.#fetch = o.fetch ?? fetch;
    this.#hook = o.hooks?.step ?? (() => undefined);
  }

  /** True while this controller holds the lease. */
  get isLeader(): boolean {
    return this.#leader && this.#lease.heldEpoch() !== undefined;
  }

  /** The names of the models it manages. */
  get models(): string[] {
    return [...this.#models.keys()];
  }

  /** Starts the loop: a tick now, then every `intervalMs` (ticks never overlap). */
  start(): this {
    if (this.#closed) throw new ControllerError('CLOSED', 'controller.start: the controller is closed');
    if (this.#timer || this.#running) return this;
    const loop = async (): Promise<void> => {
      this.#timer = undefined;
      await this.tick();
      if (!this.#closed) {
        this.#timer = setTimeout(() => void (this.#running = loop()), this.#intervalMs);
        this.#timer.unref?.();
      }
    };
    this.#running = loop();
    // the lease is renewed (or watched) on its own period, shorter than the lease, so a long
    // interval or a slow tick never lets it lapse
    this.#leaseTimer = setInterval(() => {
      if (!this.#leaseCheck) this.#leaseCheck = this.#checkLease().finally(() => (this.#leaseCheck = undefined));
    }, this.#lease.checkMs);
    this.#leaseTimer.unref?.();
    // scheduled retraining: every replica keeps the schedule, only the leader acts on it
    for (const cfg of this.#models.values()) {
      if (!cfg.schedule || !cfg.training || !this.#jobs) continue;
      this.#schedules.push(
        createSchedule(
          cfg.schedule,
          async () => {
            if (!this.isLeader) return;
            await this.#startRetraining(cfg, 'schedule', `schedule ${cfg.schedule}`, false);
          },
          { logger: this.#log, ...(cfg.timezone ? { timezone: cfg.timezone } : {}) },
        ),
      );
    }
    return this;
  }

  /** Acquires, renews or watches the lease; on acquiring, fences every model. Never throws. */
  async #checkLease(): Promise<void> {
    let state: LeaseState;
    try {
      state = await this.#lease.tryAcquire();
    } catch (err) {
      this.#log.warn({ err }, 'lease check failed');
      this.#setLeader(false, this.#epoch);
      return;
    }
    this.#setLeader(state.leader, state.epoch);
    if (state.leader && state.acquired) {
      for (const model of this.#models.keys()) {
        await this.#guard(model, () => this.#fenceModel(model));
      }
    }
  }

  /**
   * One pass of the loop: acquire or renew the lease; when leader, for every model: reconcile
   * the decision log, look for new versions, evaluate and decide, apply the decision in one
   * registry write, expire approvals, check the retraining triggers. Never throws (errors are
   * logged); resolves when the pass is done. Safe to call by hand (a test moving a fake clock).
   */
  async tick(): Promise<void> {
    if (this.#closed) return;
    await this.#hook('tick', '');
    while (this.#leaseCheck) await this.#leaseCheck;
    await (this.#leaseCheck = this.#checkLease().finally(() => (this.#leaseCheck = undefined)));
    await this.#hook('leased', '');
    if (this.isLeader) {
      for (const model of this.#models.keys()) {
        if (!this.isLeader) break;
        await this.#guard(model, () => this.#step(model));
      }
    }
    this.emitSafely('ticked', { at: this.#clock(), leader: this.isLeader, epoch: this.#epoch });
  }

  /** Stops the loop, waits for the running tick and releases the lease (a successor takes over at once). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#leaseTimer) clearInterval(this.#leaseTimer);
    for (const sch of this.#schedules.splice(0)) sch.stop();
    await this.#running?.catch(() => undefined);
    await this.#leaseCheck?.catch(() => undefined);
    if (this.#leader) await this.#lease.release().catch((err) => this.#log.warn({ err }, 'lease release failed'));
    for (const n of this.#notifiers) await n.close?.().catch(() => undefined);
  }

  // ---- operator actions (any replica may call them; the leader acts on them) -------------------

  /** The model's controller state (from its rollout record), or `undefined` before its first deployment. */
  async state(model: string): Promise<(ModelState & { rollout: RolloutRecord }) | undefined> {
    const r = await this.#registry.getRollout(this.#config(model, 'controller.state').name);
    if (!r) return undefined;
    return { ...stateOf(r), rollout: r };
  }

  /** Approves the pending approval of a model. Persisted; the leader acts on it at its next tick. */
  async approve(model: string, options: { by: string; reason?: string }): Promise<ApprovalRecord> {
    return this.#decideApproval(model, 'approved', options, 'controller.approve');
  }

  /** Rejects the pending approval of a model (the candidate is rolled back). */
  async reject(model: string, options: { by: string; reason?: string }): Promise<ApprovalRecord> {
    return this.#decideApproval(model, 'rejected', options, 'controller.reject');
  }

  /** A model's approvals, newest first. */
  async approvals(model: string): Promise<ApprovalRecord[]> {
    return this.#listRecords<ApprovalRecord>(CK.approvalsPrefix(this.#config(model, 'controller.approvals').name));
  }

  /** A model's decision log, newest first (`limit` default 100). */
  async decisions(model: string, options: { limit?: number } = {}): Promise<DecisionLogEntry[]> {
    const name = this.#config(model, 'controller.decisions').name;
    const keys = (await this.#registry.store.list(CK.decisionsPrefix(name))).reverse().slice(0, options.limit ?? 100);
    const landed = new Set(((await this.#registry.getRollout(name))?.history ?? []).map((h) => h.decision));
    const out: DecisionLogEntry[] = [];
    for (const k of keys) {
      const e = await getJson<DecisionLogEntry>(this.#registry.store, k);
      if (!e) continue;
      const d = e.value;
      out.push(CHANGES.has(d.applied) ? { ...d, landed: landed.has(d.id) } : d);
    }
    return out;
  }

  /** A model's alerts (open first, then resolved), newest first. */
  async alerts(model: string): Promise<AlertRecord[]> {
    const all = await this.#listRecords<AlertRecord>(CK.alertsPrefix(this.#config(model, 'controller.alerts').name));
    return all.sort(
      (a, b) => Number(a.resolvedAt !== undefined) - Number(b.resolvedAt !== undefined) || b.lastSeenAt - a.lastSeenAt,
    );
  }

  /** Acknowledges an alert. */
  async acknowledge(model: string, alertId: string, by: string): Promise<AlertRecord> {
    const name = this.#config(model, 'controller.acknowledge').name;
    const key = `${CK.alertsPrefix(name)}${alertId}.json`;
    const out = await updateJson<AlertRecord>(this.#registry.store, key, (cur) =>
      cur ? { ...cur, acknowledged: { by, at: this.#clock() } } : undefined,
    );
    if (!out)
      throw new ControllerError('NOT_FOUND', `controller.acknowledge: model "${name}" has no alert "${alertId}"`);
    return out;
  }

  /**
   * Starts a retraining of `model` now (a manual trigger), unless one is in flight. Resolves with
   * the job id, or `undefined` when one was already running.
   */
  async retrain(model: string, trigger: JobTrigger = 'manual'): Promise<string | undefined> {
    const cfg = this.#config(model, 'controller.retrain');
    if (!this.#jobs || !cfg.training) {
      throw new ControllerError(
        'INVALID_STATE',
        `controller.retrain: model "${model}" has no training spec or no job runner`,
      );
    }
    return this.#startRetraining(cfg, trigger, `manual retraining`, true);
  }

  // ---- the loop ------------------------------------------------------------------------------

  #setLeader(leader: boolean, epoch: number): void {
    const was = this.#leader;
    this.#leader = leader;
    if (leader) this.#epoch = epoch;
    if (leader && !was) {
      this.#event('lease.acquired', '', `controller ${this.id} is the leader (epoch ${epoch})`, {
        epoch,
        holder: this.id,
      });
    } else if (!leader && was) {
      this.#event('lease.lost', '', `controller ${this.id} is no longer the leader`, {
        epoch: this.#epoch,
        holder: this.id,
      });
    }
  }

  get #fence(): RolloutFence {
    return { epoch: this.#epoch, holder: this.id };
  }

  async #guard(model: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (isModelshipError(err, 'RegistryError', 'FENCED')) {
        this.#log.warn({ err, model }, 'write fenced: another controller leads now');
        this.#lease.drop();
        this.#setLeader(false, this.#epoch);
        return;
      }
      if (isConflict(err)) {
        this.#log.info({ model }, 'rollout changed concurrently; retrying at the next tick');
        return;
      }
      this.#log.error({ err, model }, 'controller step failed');
    }
  }

  async #fenceModel(model: string): Promise<void> {
    const r = await this.#registry.getRollout(model);
    if (r) await this.#registry.updateRolloutState(model, { fence: this.#fence, expect: r.revision });
  }

  /** Writes to the rollout record under our fence, in one compare-and-set on the revision read. */
  #opts(r: RolloutRecord | undefined, state: ModelState, reason?: string, decisionId?: string): SetRolloutOptions {
    return {
      expect: r?.revision ?? null,
      fence: this.#fence,
      state: state as unknown as { [k: string]: JsonValue },
      actor: this.id,
      ...(reason ? { reason } : {}),
      ...(decisionId ? { decisionId } : {}),
    };
  }

  async #step(model: string): Promise<void> {
    const cfg = this.#models.get(model)!;
    const r = await this.#registry.getRollout(model);
    await this.#hook('read', model);
    const versions = await this.#registry.listVersions(model).catch((err: unknown) => {
      if (isModelshipError(err, 'RegistryError', 'NOT_FOUND')) return [];
      throw err;
    });
    const latest = versions.length ? Math.max(...versions.map((v) => v.version)) : 0;
    if (!r) {
      if (latest === 0) return;
      // first deployment: no baseline to compare with
      const st: ModelState = { v: 1, phase: 'idle', seenVersion: latest, phaseStartedAt: this.#clock() };
      await this.#registry.deploy(model, latest, {
        ...this.#opts(undefined, st, 'first version of the model'),
        expect: null,
      });
      this.#event('rollout.deployed', model, `v${latest} deployed as the first production version`, {
        version: latest,
      });
      return;
    }
    const st = stateOf(r);
    if (st.retrain && !st.retrain.done && this.#jobs) {
      const job = await this.#jobs.get(st.retrain.jobId);
      if (job && (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled')) {
        const done = job.status;
        if (done === 'succeeded') {
          this.#event('retraining.succeeded', model, `retraining job ${job.id} registered v${job.version}`, {
            jobId: job.id,
            version: job.version ?? null,
            trigger: st.retrain.trigger,
          });
        } else {
          this.#event('retraining.failed', model, `retraining job ${job.id} ${done}: ${job.error ?? ''}`, {
            jobId: job.id,
            status: done,
            error: job.error ?? null,
          });
          await this.#raiseAlert(
            model,
            'job',
            job.id,
            'medium',
            `retraining job ${job.id} ${done}: ${job.error ?? ''}`,
          );
        }
        await this.#registry.updateRolloutState(model, this.#opts(r, { ...st, retrain: { ...st.retrain, done } }));
        return;
      }
    }
    if (r.candidate === undefined && (st.phase === 'canary' || st.phase === 'shadow' || st.phase === 'held')) {
      // the rollout ended outside the controller (a manual rollback or promote): back to idle
      await this.#registry.updateRolloutState(
        model,
        this.#opts(r, { ...st, phase: 'idle', phaseStartedAt: this.#clock() }),
      );
      return;
    }
    switch (st.phase) {
      case 'idle':
        if (latest > st.seenVersion) await this.#onNewVersion(cfg, r, st, latest);
        else await this.#checkTriggers(cfg, r, st);
        return;
      case 'awaiting-approval':
        await this.#onApprovalWait(cfg, r, st);
        return;
      case 'shadow':
      case 'canary':
        await this.#judge(cfg, r, st);
        return;
      case 'held':
        await this.#onApprovalWait(cfg, r, st);
        return;
    }
  }

  async #onNewVersion(cfg: ResolvedModelConfig, r: RolloutRecord, st: ModelState, latest: number): Promise<void> {
    const model = cfg.name;
    const now = this.#clock();
    const cand = await this.#registry.getVersion(model, latest);
    const prod = await this.#registry.getVersion(model, r.production);
    this.#event('candidate.registered', model, `v${latest} registered`, { version: latest, production: r.production });
    const seen: ModelState = { ...st, seenVersion: latest };
    const gate =
      cfg.gate ??
      (cfg.training?.gate
        ? { metric: cfg.training.gate.metric, tolerance: cfg.training.gate.tolerance ?? 0.01 }
        : undefined);
    if (gate) {
      let decision: Decision;
      try {
        decision = compareOffline({
          current: prod.metrics,
          candidate: cand.metrics,
          metrics: [gate.metric],
          tolerances: { [gate.metric]: gate.tolerance },
        });
      } catch (err) {
        decision = {
          action: 'rollback',
          reasons: [{ code: 'OFFLINE_WORSE', message: (err as Error).message }],
          evidence: {},
        };
      }
      if (decision.action === 'rollback') {
        await this.#appendLog(model, r, decision, 'gate-failed', latest);
        await this.#registry.updateRolloutState(model, this.#opts(r, seen));
        this.#event('gate.failed', model, `v${latest} failed the offline gate: ${text(decision)}`, {
          version: latest,
          reasons: decision.reasons,
        });
        return;
      }
      this.#event('gate.passed', model, `v${latest} passed the offline gate: ${text(decision)}`, {
        version: latest,
        reasons: decision.reasons,
      });
    }
    if (cfg.approval.beforeStart) {
      await this.#requestApproval(cfg, r, seen, latest, 'start');
      return;
    }
    if (
      cfg.webhooks.confirmRollout &&
      !(await this.#confirm(cfg.webhooks.confirmRollout, model, 'confirm-rollout', r, latest))
    ) {
      // not confirmed: look again at the next tick (the version stays unseen)
      return;
    }
    await this.#startRollout(cfg, r, seen, latest, now);
  }

  async #startRollout(
    cfg: ResolvedModelConfig,
    r: RolloutRecord,
    st: ModelState,
    candidate: number,
    now: number,
  ): Promise<void> {
    const model = cfg.name;
    const next: ModelState = {
      ...st,
      phase: cfg.shadowMs > 0 ? 'shadow' : 'canary',
      candidate,
      phaseStartedAt: now,
      rolloutStartedAt: now,
      stepStartedAt: now,
      baselineRevision: await this.#baseline(model, r, candidate),
    };
    delete next.approval;
    const rec =
      cfg.shadowMs > 0
        ? await this.#registry.startRollout(model, { candidate, mode: 'shadow' }, this.#opts(r, next, 'shadow'))
        : await this.#registry.startRollout(
            model,
            { candidate, steps: cfg.rampSteps, intervalMs: cfg.stepMs },
            this.#opts(r, next, `canary at ${pct(cfg.rampSteps[0]!)}`),
          );
    this.#event(
      'rollout.started',
      model,
      `rollout of v${candidate} started (${rec.mode}${rec.mode === 'ramp' ? ` at ${pct(rec.weights.candidate ?? 0)}` : ''})`,
      {
        candidate,
        production: rec.production,
        mode: rec.mode,
        weight: rec.weights.candidate ?? 0,
        revision: rec.revision,
      },
    );
  }

  async #judge(cfg: ResolvedModelConfig, r: RolloutRecord, st: ModelState): Promise<void> {
    const model = cfg.name;
    const now = this.#clock();
    if (!this.#outcomes) return;
    const candidate = r.candidate!;
    const aggregates = await this.#outcomes.aggregates(model, {
      versions: { production: r.production, candidate },
      weights: { production: r.weights.production, candidate: r.weights.candidate ?? 0 },
    });
    const evaluation = this.#evaluator.evaluate(await this.#experiment(model, st, aggregates));
    const policy = createRollbackPolicy({ ...cfg.policy, rampSteps: st.phase === 'shadow' ? [] : cfg.rampSteps });
    const decision = policy.decide(evaluation, {
      startedAt: st.rolloutStartedAt ?? st.phaseStartedAt,
      now,
      ...(st.stepStartedAt !== undefined && st.stepStartedAt !== st.rolloutStartedAt
        ? { lastDecisionAt: st.stepStartedAt }
        : {}),
      ...(r.ramp ? { rampStep: r.ramp.stepIndex } : {}),
    });
    this.#guardrailAlerts(model, decision);
    const stepDone = now - (st.stepStartedAt ?? now) >= cfg.stepMs;
    const base = { ...st, lastDecisionAt: now };
    const id = logId(now);
    // a ramp runs to its last step before a promotion (as Flagger's canary reaches its max weight)
    const midRamp = st.phase === 'canary' && r.ramp !== undefined && r.ramp.stepIndex < r.ramp.steps.length - 1;
    const action = decision.action === 'promote' && midRamp ? 'ramp' : decision.action;
    switch (action) {
      case 'rollback': {
        const next: ModelState = {
          v: 1,
          phase: 'idle',
          seenVersion: st.seenVersion,
          phaseStartedAt: now,
          lastDecisionAt: now,
          lastDecisionId: id,
          ...(st.retrain ? { retrain: st.retrain } : {}),
        };
        await this.#appendLog(model, r, decision, 'rolled-back', candidate, id);
        const rec = await this.#registry.rollbackCandidate(
          model,
          this.#opts(r, next, `policy rollback: ${codes(decision)}`, id),
        );
        this.#event('rollout.rolledBack', model, `v${candidate} rolled back: ${text(decision)}`, {
          candidate,
          production: rec.production,
          reasons: decision.reasons,
        });
        return;
      }
      case 'promote': {
        if (st.phase === 'shadow') {
          if (now - st.phaseStartedAt < cfg.shadowMs) break;
          await this.#toCanary(cfg, r, st, now);
          return;
        }
        if (cfg.approval.beforePromotion) {
          await this.#requestApproval(cfg, r, { ...base }, candidate, 'promote', decision);
          return;
        }
        if (
          cfg.webhooks.confirmPromotion &&
          !(await this.#confirm(cfg.webhooks.confirmPromotion, model, 'confirm-promotion', r, candidate))
        ) {
          await this.#appendLog(model, r, decision, 'awaiting-confirmation', candidate);
          return;
        }
        await this.#promote(cfg, r, st, decision, id, now);
        return;
      }
      case 'ramp': {
        if (st.phase === 'shadow') {
          if (now - st.phaseStartedAt < cfg.shadowMs) break;
          await this.#toCanary(cfg, r, st, now);
          return;
        }
        if (!stepDone || !r.ramp || r.ramp.stepIndex >= r.ramp.steps.length - 1) break;
        const next: ModelState = {
          ...base,
          stepStartedAt: now,
          lastDecisionId: id,
          baselineRevision: await this.#baseline(model, r, candidate),
        };
        await this.#appendLog(model, r, decision, 'ramped', candidate, id);
        const rec = await this.#registry.rampRollout(model, this.#opts(r, next, `policy ramp: ${codes(decision)}`, id));
        this.#event('rollout.ramped', model, `v${candidate} ramped to ${pct(rec.weights.candidate ?? 0)}`, {
          candidate,
          weight: rec.weights.candidate ?? 0,
          step: rec.ramp?.stepIndex ?? 0,
          revision: rec.revision,
        });
        return;
      }
      case 'hold': {
        const next: ModelState = { ...base, phase: 'held', phaseStartedAt: now, lastDecisionId: id };
        await this.#appendLog(model, r, decision, 'held', candidate, id);
        await this.#registry.updateRolloutState(model, this.#opts(r, next, undefined, id));
        this.#event('rollout.held', model, `v${candidate} held for a human: ${text(decision)}`, {
          candidate,
          reasons: decision.reasons,
        });
        return;
      }
      case 'continue':
        break;
    }
    await this.#appendLog(model, r, decision, 'none', candidate);
  }

  /**
   * Snapshots the cumulative outcomes of the versions about to serve, under the revision the next
   * write will produce: the evaluation of that revision's step subtracts it, so every step is
   * judged on its own traffic at its own weights (the sample-ratio test needs that, and a
   * production version's outcomes from before the experiment never count).
   */
  async #baseline(model: string, r: RolloutRecord, candidate: number | undefined): Promise<number> {
    const revision = r.revision + 1;
    const versions: Record<string, number> = { production: r.production };
    if (candidate !== undefined) versions.candidate = candidate;
    const agg = this.#outcomes ? await this.#outcomes.aggregates(model, { versions }) : undefined;
    if (agg)
      await putJson(this.#registry.store, `${CK.baselinesPrefix(model)}${revision}.json`, agg, { overwrite: true });
    return revision;
  }

  async #experiment(model: string, st: ModelState, agg: ExperimentAggregates): Promise<ExperimentAggregates> {
    if (st.baselineRevision === undefined) return snapshot(agg);
    const base = await getJson<ExperimentAggregates>(
      this.#registry.store,
      `${CK.baselinesPrefix(model)}${st.baselineRevision}.json`,
    );
    if (!base) return snapshot(agg);
    try {
      return subtractExperimentAggregates(agg, base.value);
    } catch (err) {
      this.#log.warn(
        { err, model },
        'baseline unusable (the outcome store was reset?): evaluating cumulative outcomes',
      );
      return snapshot(agg);
    }
  }

  async #toCanary(cfg: ResolvedModelConfig, r: RolloutRecord, st: ModelState, now: number): Promise<void> {
    // shadow → canary: end the shadow rollout and start the ramp, in two writes whose
    // intermediate state (production alone, phase idle, candidate unseen) is itself safe
    const back: ModelState = { ...st, phase: 'idle', phaseStartedAt: now };
    delete back.candidate;
    const mid = await this.#registry.rollbackCandidate(
      cfg.name,
      this.#opts(r, { ...back, seenVersion: (st.candidate ?? st.seenVersion) - 1 }, 'shadow done'),
    );
    await this.#startRollout(
      { ...cfg, shadowMs: 0 },
      mid,
      { ...back, seenVersion: st.seenVersion },
      st.candidate!,
      now,
    );
  }

  async #promote(
    cfg: ResolvedModelConfig,
    r: RolloutRecord,
    st: ModelState,
    decision: Decision,
    id: string,
    now: number,
  ): Promise<void> {
    const model = cfg.name;
    const candidate = r.candidate!;
    const next: ModelState = {
      v: 1,
      phase: 'idle',
      seenVersion: st.seenVersion,
      phaseStartedAt: now,
      lastDecisionAt: now,
      lastDecisionId: id,
      ...(st.retrain ? { retrain: st.retrain } : {}),
    };
    await this.#appendLog(model, r, decision, 'promoted', candidate, id);
    await this.#registry.promoteCandidate(model, this.#opts(r, next, `policy promote: ${codes(decision)}`, id));
    this.#event('rollout.promoted', model, `v${candidate} promoted to production: ${text(decision)}`, {
      candidate,
      previous: r.production,
      reasons: decision.reasons,
    });
  }

  async #requestApproval(
    cfg: ResolvedModelConfig,
    r: RolloutRecord,
    st: ModelState,
    candidate: number,
    kind: 'start' | 'promote',
    decision?: Decision,
  ): Promise<void> {
    const model = cfg.name;
    const now = this.#clock();
    const id = `${String(now).padStart(15, '0')}-${kind}-v${candidate}`;
    const rec: ApprovalRecord = {
      id,
      model,
      kind,
      candidate,
      status: 'pending',
      requestedAt: now,
      expiresAt: now + cfg.approval.timeoutMs,
    };
    // the approval record first (create-only: a retried tick finds it), then the state that points at it
    try {
      await putJson(this.#registry.store, `${CK.approvalsPrefix(model)}${id}.json`, rec, { create: true });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    const next: ModelState = {
      ...st,
      phase: 'awaiting-approval',
      phaseStartedAt: now,
      candidate,
      approval: { id, kind },
    };
    await this.#registry.updateRolloutState(model, this.#opts(r, next));
    if (decision) await this.#appendLog(model, r, decision, 'awaiting-approval', candidate);
    this.#event(
      'approval.requested',
      model,
      `approval requested to ${kind === 'start' ? 'start the rollout of' : 'promote'} v${candidate}`,
      {
        approvalId: id,
        kind,
        candidate,
        expiresAt: rec.expiresAt,
      },
    );
  }

  async #onApprovalWait(cfg: ResolvedModelConfig, r: RolloutRecord, st: ModelState): Promise<void> {
    const model = cfg.name;
    const now = this.#clock();
    if (st.phase === 'held' && !st.approval) {
      // held by the policy: an operator approves (promote) or rejects (rollback) through an approval
      await this.#requestApproval(cfg, r, st, r.candidate!, 'promote');
      return;
    }
    const key = `${CK.approvalsPrefix(model)}${st.approval!.id}.json`;
    const a = (await getJson<ApprovalRecord>(this.#registry.store, key))?.value;
    if (!a) return;
    let status = a.status;
    if (status === 'pending' && now >= a.expiresAt) {
      await updateJson<ApprovalRecord>(this.#registry.store, key, (cur) =>
        cur && cur.status === 'pending' ? { ...cur, status: 'expired', decidedAt: now } : undefined,
      );
      status = 'expired';
      if (cfg.approval.onTimeout === 'hold') {
        this.#event('rollout.held', model, `approval for v${a.candidate} timed out: held`, {
          candidate: a.candidate,
          approvalId: a.id,
        });
        const next: ModelState = { ...st, phase: 'held', phaseStartedAt: now };
        delete next.approval;
        await this.#registry.updateRolloutState(
          model,
          this.#opts(r, { ...next, approval: { id: a.id, kind: a.kind } }),
        );
        return;
      }
    }
    if (status === 'pending' || (status === 'expired' && cfg.approval.onTimeout === 'hold')) return;
    const approved = status === 'approved';
    const decision: Decision = {
      action: approved ? 'promote' : 'rollback',
      reasons: [
        {
          code: approved ? 'COMPOSITE_BETTER' : 'COMPOSITE_WORSE',
          message: `${status} by ${a.by ?? 'timeout'}${a.reason ? `: ${a.reason}` : ''}`,
        },
      ],
      evidence: { approval: a },
    };
    const id = logId(now);
    if (a.kind === 'start') {
      if (approved) {
        this.#event('approval.granted', model, `rollout of v${a.candidate} approved by ${a.by}`, {
          approvalId: a.id,
          by: a.by ?? null,
        });
        const idle: ModelState = { ...st, phase: 'idle' };
        delete idle.approval;
        await this.#startRollout(cfg, r, idle, a.candidate, now);
      } else {
        this.#event('approval.rejected', model, `rollout of v${a.candidate} ${status}`, {
          approvalId: a.id,
          by: a.by ?? null,
        });
        const idle: ModelState = { v: 1, phase: 'idle', seenVersion: st.seenVersion, phaseStartedAt: now };
        await this.#registry.updateRolloutState(model, this.#opts(r, idle));
        await this.#appendLog(model, r, decision, 'rejected', a.candidate);
      }
      return;
    }
    if (approved) {
      this.#event('approval.granted', model, `promotion of v${a.candidate} approved by ${a.by}`, {
        approvalId: a.id,
        by: a.by ?? null,
      });
      await this.#promote(cfg, r, st, decision, id, now);
    } else {
      this.#event('approval.rejected', model, `promotion of v${a.candidate} ${status}: rolled back`, {
        approvalId: a.id,
        by: a.by ?? null,
      });
      const next: ModelState = {
        v: 1,
        phase: 'idle',
        seenVersion: st.seenVersion,
        phaseStartedAt: now,
        lastDecisionAt: now,
        lastDecisionId: id,
      };
      await this.#appendLog(model, r, decision, 'rolled-back', a.candidate, id);
      await this.#registry.rollbackCandidate(model, this.#opts(r, next, `approval ${status}`, id));
      this.#event('rollout.rolledBack', model, `v${a.candidate} rolled back: approval ${status}`, {
        candidate: a.candidate,
      });
    }
  }

  async #decideApproval(
    model: string,
    status: 'approved' | 'rejected',
    options: { by: string; reason?: string },
    op: string,
  ): Promise<ApprovalRecord> {
    const name = this.#config(model, op).name;
    if (typeof options?.by !== 'string' || options.by.length === 0) {
      throw new ControllerError('INVALID_OPTIONS', `${op}: by: expected who decides (a non-empty string)`, {
        operation: op,
        details: { field: 'by' },
      });
    }
    const r = await this.#registry.getRollout(name);
    const st = r ? stateOf(r) : undefined;
    if (!st?.approval || (st.phase !== 'awaiting-approval' && st.phase !== 'held')) {
      throw new ControllerError(
        'INVALID_STATE',
        `${op}: model "${name}" awaits no approval (phase ${st?.phase ?? 'none'})`,
        { operation: op },
      );
    }
    const key = `${CK.approvalsPrefix(name)}${st.approval.id}.json`;
    let refused: string | undefined;
    const out = await updateJson<ApprovalRecord>(this.#registry.store, key, (cur) => {
      if (!cur) return undefined;
      if (cur.status !== 'pending' && !(cur.status === 'expired' && st.phase === 'held')) {
        refused = cur.status;
        return undefined;
      }
      return {
        ...cur,
        status,
        decidedAt: this.#clock(),
        by: options.by,
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
    if (!out || refused) {
      throw new ControllerError(
        'INVALID_STATE',
        `${op}: the approval of model "${name}" is already ${refused ?? 'gone'}`,
        { operation: op },
      );
    }
    return out;
  }

  async #confirm(url: string, model: string, hook: string, r: RolloutRecord, candidate: number): Promise<boolean> {
    try {
      const res = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: model,
          type: hook,
          production: r.production,
          candidate,
          revision: r.revision,
          phase: stateOf(r).phase,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      this.#log.warn({ err, model, hook }, 'gate webhook failed');
      return false;
    }
  }

  // ---- retraining triggers -----------------------------------------------------------------

  async #checkTriggers(cfg: ResolvedModelConfig, r: RolloutRecord, st: ModelState): Promise<void> {
    if (!this.#jobs || !cfg.training) return;
    const model = cfg.name;
    const now = this.#clock();
    if (st.retrain === undefined && cfg.trainOnStart) {
      await this.#startRetraining(cfg, 'schedule', 'first scheduled training', false, r, st);
      return;
    }
    if (cfg.triggers.drift && this.#drift) {
      const report = await this.#drift(model, r.production);
      if (report) {
        const reasons = driftReasons(report, this.#driftRules, await this.#referenceCategories(model, r.production));
        for (const f of report.features) {
          if (f.severity === 'high' || f.drifted)
            await this.#raiseAlert(
              model,
              'drift',
              f.feature,
              f.severity === 'high' ? 'high' : 'medium',
              `${f.feature}: ${f.test} ${f.statistic?.toFixed(4) ?? 'n/a'} (threshold ${f.threshold})`,
            );
          else await this.#resolveAlert(model, 'drift', f.feature);
        }
        if (reasons.length > 0) {
          this.#event('drift.detected', model, `drift on v${r.production}: ${reasons.join('; ')}`, {
            version: r.production,
            reasons,
          });
          await this.#startRetraining(cfg, 'drift', reasons.join('; '), false, r, st);
          return;
        }
      }
    }
    if (cfg.triggers.degradation && this.#outcomes) {
      const why = await this.#degradation(cfg, r);
      if (why) {
        await this.#raiseAlert(model, 'degradation', 'production', 'high', why);
        await this.#startRetraining(cfg, 'degradation', why, false, r, st);
        return;
      }
    }
    void now;
  }

  readonly #refCats = new Map<string, Record<string, number>>();

  /** The number of categories each categorical feature had in the served version's reference profile. */
  async #referenceCategories(model: string, version: number): Promise<Record<string, number>> {
    const key = `${model}@${version}`;
    let out = this.#refCats.get(key);
    if (!out) {
      out = {};
      try {
        const { artifact } = await this.#registry.loadArtifact(model, version);
        const profile = (
          artifact as { profile?: { features?: Record<string, { type?: string; categories?: unknown[] }> } }
        ).profile;
        for (const [name, f] of Object.entries(profile?.features ?? {})) {
          if (f.type === 'categorical' && Array.isArray(f.categories)) out[name] = f.categories.length;
        }
      } catch (err) {
        this.#log.warn(
          { err, model, version },
          'reference profile unreadable: the cardinality rule is off for this version',
        );
      }
      this.#refCats.set(key, out);
    }
    return out;
  }

  async #degradation(cfg: ResolvedModelConfig, r: RolloutRecord): Promise<string | undefined> {
    const agg = await this.#outcomes!.aggregates(cfg.name, { versions: { production: r.production } });
    const p = agg.variants.production;
    if (!p) return undefined;
    const f = p.feedback;
    const v = {
      feedbackCount: f.count,
      accuracy: f.correctTotal > 0 ? f.correctCount / f.correctTotal : null,
      mae: f.actualCount > 0 ? f.absErrorSum / f.actualCount : null,
    };
    const offline = (await this.#registry.getVersion(cfg.name, r.production)).metrics;
    const t = cfg.triggers.degradation as { maxDrop: number; minFeedback: number };
    if (v.feedbackCount < t.minFeedback) return undefined;
    if (v.accuracy !== null && offline.accuracy !== undefined && v.accuracy < offline.accuracy * (1 - t.maxDrop)) {
      return `online accuracy ${v.accuracy.toFixed(4)} is more than ${pct(t.maxDrop)} below the offline ${offline.accuracy.toFixed(4)}`;
    }
    if (v.mae !== null && offline.mae !== undefined && v.mae > offline.mae * (1 + t.maxDrop)) {
      return `online MAE ${v.mae.toFixed(4)} is more than ${pct(t.maxDrop)} above the offline ${offline.mae.toFixed(4)}`;
    }
    return undefined;
  }

  async #startRetraining(
    cfg: ResolvedModelConfig,
    trigger: JobTrigger,
    why: string,
    force: boolean,
    r?: RolloutRecord,
    st?: ModelState,
  ): Promise<string | undefined> {
    const model = cfg.name;
    const now = this.#clock();
    r ??= await this.#registry.getRollout(model);
    st ??= r ? stateOf(r) : undefined;
    const last = st?.retrain;
    if (last) {
      const job = await this.#jobs!.get(last.jobId);
      if (job && (job.status === 'queued' || job.status === 'running')) return undefined; // one in flight
      if (!force && now - last.at < cfg.triggers.cooldownMs) return undefined;
    }
    const window = Math.floor(now / Math.max(1, cfg.triggers.cooldownMs));
    const job = await this.#jobs!.submit(cfg.training!, {
      trigger,
      idempotencyKey: `${trigger}-${force ? now : window}`,
    });
    if (r && st)
      await this.#registry.updateRolloutState(
        model,
        this.#opts(r, { ...st, retrain: { jobId: job.id, trigger, at: now } }),
      );
    this.#event('retraining.started', model, `retraining started (${trigger}): ${why}`, { jobId: job.id, trigger });
    return job.id;
  }

  // ---- logs and alerts ------------------------------------------------------------------------

  async #appendLog(
    model: string,
    r: RolloutRecord,
    d: Decision,
    applied: string,
    candidate: number,
    id = logId(this.#clock()),
  ): Promise<void> {
    const entry: DecisionLogEntry = {
      id,
      model,
      at: this.#clock(),
      action: d.action,
      applied,
      reasons: d.reasons,
      evidence: d.evidence,
      ...(d.record ? { record: d.record } : {}),
      production: r.production,
      candidate,
      revision: r.revision,
      fence: this.#fence,
    };
    try {
      await putJson(this.#registry.store, `${CK.decisionsPrefix(model)}${id}.json`, entry, { create: true });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    if (CHANGES.has(applied)) await this.#hook('logged', model);
  }

  #guardrailAlerts(model: string, d: Decision): void {
    for (const reason of d.reasons) {
      if (reason.code.startsWith('GUARDRAIL_') || reason.code === 'SRM') {
        void this.#raiseAlert(model, 'guardrail', reason.code, 'high', reason.message).catch((err) =>
          this.#log.warn({ err }, 'alert write failed'),
        );
      }
    }
  }

  async #raiseAlert(
    model: string,
    kind: AlertRecord['kind'],
    subject: string,
    severity: AlertRecord['severity'],
    message: string,
  ): Promise<void> {
    const now = this.#clock();
    const id = `${kind}-${subject}`.replace(/[^A-Za-z0-9._-]/g, '_');
    await updateJson<AlertRecord>(this.#registry.store, `${CK.alertsPrefix(model)}${id}.json`, (cur) => {
      if (cur && cur.resolvedAt === undefined)
        return { ...cur, severity, message, lastSeenAt: now, count: cur.count + 1 };
      return { id, model, kind, severity, subject, message, firstSeenAt: now, lastSeenAt: now, count: 1 };
    });
  }

  async #resolveAlert(model: string, kind: AlertRecord['kind'], subject: string): Promise<void> {
    const id = `${kind}-${subject}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const key = `${CK.alertsPrefix(model)}${id}.json`;
    if ((await this.#registry.store.head(key)) === undefined) return;
    await updateJson<AlertRecord>(this.#registry.store, key, (cur) =>
      cur && cur.resolvedAt === undefined ? { ...cur, resolvedAt: this.#clock() } : undefined,
    );
  }

  async #listRecords<T extends { id: string }>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    for (const k of (await this.#registry.store.list(prefix)).reverse()) {
      const e = await getJson<T>(this.#registry.store, k);
      if (e) out.push(e.value);
    }
    return out;
  }

  #event(type: ControllerEventType, model: string, message: string, data: Record<string, unknown>): void {
    if (type.startsWith('rollout.')) void this.#hook('written', model);
    const event: ControllerEvent = { id: `evt_${randomUUID()}`, type, model, at: this.#clock(), message, data };
    this.#log.info({ type, model, ...data }, message);
    this.emitSafely('event', event);
    for (const n of this.#notifiers) {
      n.notify(event).catch((err: unknown) => this.#log.warn({ err, type }, 'notifier failed'));
    }
  }

  #config(model: string, op: string): ResolvedModelConfig {
    const c = this.#models.get(model);
    if (!c) {
      throw new ControllerError(
        'NOT_FOUND',
        `${op}: the controller does not manage model "${String(model)}" (models: ${[...this.#models.keys()].join(', ')})`,
        {
          operation: op,
          details: { field: 'model' },
        },
      );
    }
    return c;
  }
}

/** The controller state stored in a rollout record (a fresh idle state when absent). */
export function stateOf(r: RolloutRecord): ModelState {
  const s = r.state as unknown as ModelState | undefined;
  if (s && s.v === 1) return s;
  return {
    v: 1,
    phase: r.candidate !== undefined ? 'canary' : 'idle',
    seenVersion: Math.max(r.production, r.candidate ?? 0),
    phaseStartedAt: r.updatedAt,
    rolloutStartedAt: r.updatedAt,
    stepStartedAt: r.updatedAt,
  };
}

function snapshot(a: ExperimentAggregates): ExperimentAggregates {
  return structuredClone(a);
}

function logId(now: number): string {
  return `${String(now).padStart(15, '0')}-${randomUUID().slice(0, 8)}`;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

function codes(d: Decision): string {
  return d.reasons.map((r) => r.code).join(', ');
}

function text(d: Decision): string {
  return d.reasons.map((r) => `${r.code} — ${r.message}`).join('; ');
}

/**
 * Creates the lifecycle controller over a registry. Call `start()` to run its loop (one tick
 * now, then every `intervalMs`, default 60 s), `tick()` to run one pass by hand, `close()` to stop.
 *
 * @example
 * ```ts
 * import { createController } from '@modelship/controller';
 * import { createMemoryOutcomeStore, createRegistry, MemoryStore } from '@modelship/core';
 *
 * const registry = createRegistry({ store: new MemoryStore() });
 * const outcomes = createMemoryOutcomeStore();
 * const controller = createController({
 *   registry,
 *   outcomes,
 *   models: { iris: { rampSteps: [0.05, 0.1, 0.2, 0.5], stepMs: 10 * 60_000 } },
 * }).start();
 * // … serve with a router over the same registry and outcome store …
 * await controller.close();
 * ```
 */
export function createController(options: ControllerOptions): Controller {
  return new Controller(options);
}
