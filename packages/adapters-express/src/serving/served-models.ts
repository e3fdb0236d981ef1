/**
 * What the serving side knows of each served model beyond its router: the artifact facts of the
 * versions in its rollout (schema, task, classes, target, metrics, lineage), read from the
 * registry when the router swaps, so that the request path never waits on the registry.
 */
import { decodeArtifact, type Logger, type ModelArtifact, type Schema } from '@modelship/core';
import type { ModelRouter, RouterRollout } from '@modelship/router';

/** The facts of one model version the HTTP layer needs. */
export interface VersionFacts {
  /** The version. */
  readonly version: number;
  /** The input schema. */
  readonly schema: Schema;
  /** Input columns in schema order (the target and id columns left out). */
  readonly inputColumns: readonly string[];
  /** True when every input column is numeric (a 2-D V2 tensor can carry the row). */
  readonly allNumeric: boolean;
  /** `regression` or `classification`. */
  readonly task: 'regression' | 'classification';
  /** Class labels (classification). */
  readonly classes: readonly string[] | undefined;
  /** The predicted column. */
  readonly target: string;
  /** Offline metrics. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Where the model came from. */
  readonly lineage: {
    readonly fingerprint: string;
    readonly dataset: unknown;
    readonly createdAt: string;
    readonly learner: string;
    readonly params: unknown;
    readonly sha256: string;
    readonly registeredAt: number;
  };
}

/** The registry calls the serving side makes (core's `ModelRegistry` has them). */
export interface ServingRegistry {
  /** Verified artifact bytes of a version. */
  load(name: string, version: number): Promise<{ bytes: Uint8Array; version: { sha256: string; createdAt: number } }>;
  /** The rollout record. */
  getRollout(name: string): Promise<(RouterRollout & { updatedAt?: number; history?: unknown[] }) | undefined>;
}

/** One served model: its router and the facts of its rollout's versions. */
export class ServedModel {
  /** The model name. */
  readonly name: string;
  /** Its router. */
  readonly router: ModelRouter;
  readonly #registry: ServingRegistry;
  readonly #facts = new Map<number, VersionFacts>();
  readonly #pending = new Map<number, Promise<VersionFacts>>();
  readonly #logger: Logger | undefined;
  #lastError: unknown;

  constructor(name: string, router: ModelRouter, registry: ServingRegistry, logger?: Logger) {
    this.name = name;
    this.router = router;
    this.#registry = registry;
    this.#logger = logger;
    router.on('modelSwapped', (e) => void this.prefetch(e.rollout));
  }

  /** Loads the facts of a rollout's versions (idempotent; errors are kept for readiness). */
  async prefetch(rollout: RouterRollout | undefined = this.router.rollout): Promise<void> {
    if (!rollout) return;
    const versions = rollout.candidate === undefined ? [rollout.production] : [rollout.production, rollout.candidate];
    await Promise.all(
      versions.map((v) =>
        this.factsOf(v).catch((err: unknown) => {
          this.#lastError = err;
          this.#logger?.warn({ err, model: this.name, version: v }, 'could not read the artifact facts');
        }),
      ),
    );
  }

  /** The facts of `version`, loading them once. */
  factsOf(version: number): Promise<VersionFacts> {
    const have = this.#facts.get(version);
    if (have) return Promise.resolve(have);
    let p = this.#pending.get(version);
    if (!p) {
      p = this.#registry.load(this.name, version).then((l) => {
        const facts = toFacts(version, decodeArtifact(l.bytes), l.version.sha256, l.version.createdAt);
        this.#facts.set(version, facts);
        if (this.#facts.size > 16) this.#facts.delete(this.#facts.keys().next().value!);
        return facts;
      });
      this.#pending.set(version, p);
      const done = (): void => void this.#pending.delete(version);
      p.then(done, done);
    }
    return p;
  }

  /** The facts of the production version in force, if loaded (else those of any loaded version). */
  get current(): VersionFacts | undefined {
    const r = this.router.rollout;
    if (r) {
      const f = this.#facts.get(r.production);
      if (f) return f;
    }
    let last: VersionFacts | undefined;
    for (const f of this.#facts.values()) last = f;
    return last;
  }

  /** The facts of a loaded version, if any. */
  loaded(version: number): VersionFacts | undefined {
    return this.#facts.get(version);
  }

  /** Ready: a rollout loaded (models verified by the router) and its production facts known. */
  get ready(): boolean {
    const r = this.router.rollout;
    return (
      r !== undefined && this.#facts.has(r.production) && (r.candidate === undefined || this.#facts.has(r.candidate))
    );
  }

  /** The last error reading facts, if any. */
  get lastError(): unknown {
    return this.#lastError;
  }
}

function toFacts(version: number, a: ModelArtifact, sha256: string, registeredAt: number): VersionFacts {
  const inputColumns = Object.entries(a.schema.columns)
    .filter(([, c]) => (c.role ?? 'feature') === 'feature')
    .map(([n]) => n);
  return {
    version,
    schema: a.schema,
    inputColumns,
    allNumeric: inputColumns.every((c) => a.schema.columns[c]!.type === 'numeric'),
    task: a.task,
    classes: a.target.classes,
    target: a.target.name,
    metrics: a.metrics,
    lineage: {
      fingerprint: a.fingerprint,
      dataset: a.dataset,
      createdAt: a.createdAt,
      learner: a.learner.kind,
      params: a.params,
      sha256,
      registeredAt,
    },
  };
}
