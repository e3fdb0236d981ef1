/** The commands' work, one function each, over an opened registry. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import {
  parseTrainingSpec,
  registerTrained,
  trainFromSpec,
  controllerKeys,
  type DecisionLogEntry,
  type JobRecord,
  type TrainingSpec,
} from '@modelship/controller';
import {
  recomputeDecision,
  type ModelRegistry,
  type DatasetVersion,
  type RolloutRecord,
  type Table,
} from '@modelship/core';
import { detectDrift, renderDriftReport, type ReferenceProfile } from '@modelship/drift';
import { fingerprint, parseCsv } from '@modelship/train';
import { CliError, EXIT_CODES, notFound, oneLine, usage, type ExitCode } from './errors.js';
import { metricsLine, num, table, time, ver } from './format.js';
import type { RunContext } from './io.js';
import { createProgress } from './progress.js';
import type { PredictionQuery, PredictionRow } from '@modelship/prediction-log-sql';

/** What every command gets: the context, the output mode and the registry (opened on first use). */
export interface CommandContext extends RunContext {
  /** Machine-readable output. */
  json: boolean;
  /** The registry (opened on first call; `write`: create a missing fs registry). */
  registry(write: boolean): ModelRegistry;
}

const dec = new TextDecoder();

function emit(ctx: CommandContext, data: unknown, human: () => string): void {
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else {
    const text = human();
    if (text) ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** Reads a file named on the command line; a missing or unreadable one is a usage error naming `arg`. */
function readArg(ctx: RunContext, path: string, arg: string): { path: string; text: string } {
  const abs = resolve(ctx.cwd, path);
  try {
    return { path: abs, text: readFileSync(abs, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : oneLine(err);
    throw usage(`${arg}: cannot read ${abs}: ${why}`);
  }
}

/** A CSV named on the command line as a Table; a file that is not a CSV is a usage error naming `arg`. */
function readCsvArg(ctx: RunContext, path: string, arg: string): { path: string; table: Table } {
  const f = readArg(ctx, path, arg);
  try {
    return { path: f.path, table: parseCsv(f.text, { source: f.path }) };
  } catch (err) {
    throw usage(`${arg}: ${oneLine(err)}`);
  }
}

/** Throws exit 4 when the model does not exist. */
async function requireModel(reg: ModelRegistry, model: string): Promise<void> {
  await reg.getModel(model);
}

// ---- train -------------------------------------------------------------------------------

/** Options of `train`. */
export interface TrainOptions {
  /** The job id tagged on the version (a retry with the same id registers nothing new). */
  jobId?: string | undefined;
}

/** `train <spec>`: trains the spec's variants here, registers the best one, prints the metrics table. */
export async function trainCommand(ctx: CommandContext, specPath: string, o: TrainOptions): Promise<ExitCode> {
  const file = readArg(ctx, specPath, '<spec>');
  const ext = extname(file.path).toLowerCase();
  const fmt = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  let spec: TrainingSpec = parseTrainingSpec(file.text, fmt);
  // relative data paths are relative to the spec file
  const base = dirname(file.path);
  if (spec.data.kind === 'csv' && !isAbsolute(spec.data.path))
    spec = { ...spec, data: { ...spec.data, path: resolve(base, spec.data.path) } };
  else if (spec.data.kind === 'dataset' && spec.data.dataDir !== undefined && !isAbsolute(spec.data.dataDir))
    spec = { ...spec, data: { ...spec.data, dataDir: resolve(base, spec.data.dataDir) } };
  const registry = ctx.registry(true);
  const jobId = o.jobId ?? `cli-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const progress = createProgress(ctx.stderr);
  let trained: Awaited<ReturnType<typeof trainFromSpec>>;
  try {
    trained = await trainFromSpec(spec, {
      onProgress: (p) => progress.update(p),
      onLog: (l) => progress.log(l),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } finally {
    progress.done();
  }
  const reg = await registerTrained(registry, spec, trained, { jobId, trigger: 'manual' });
  const result = {
    model: spec.model,
    version: reg.version,
    reused: reg.reused,
    jobId,
    best: trained.best,
    metrics: reg.metrics,
    rows: trained.data.rows,
    data: trained.data.location,
    variants: trained.variants,
  };
  emit(ctx, result, () => {
    const names: string[] = [];
    for (const v of trained.variants) for (const k of Object.keys(v.metrics)) if (!names.includes(k)) names.push(k);
    const rows = trained.variants.map((v) => [
      `${v.name === trained.best ? '*' : ' '} ${v.name}`,
      v.learner,
      ...names.map((k) => num(v.metrics[k])),
      num(v.fitSeconds),
    ]);
    const head = `${reg.reused ? 'found already registered' : 'registered'} ${spec.model} ${ver(reg.version)} (best variant ${trained.best}, ${trained.data.rows} rows from ${trained.data.location}, job ${jobId})`;
    return `${head}\n${table(['  VARIANT', 'LEARNER', ...names, 'FIT_S'], rows)}`;
  });
  return EXIT_CODES.OK;
}

// ---- models, versions, aliases -----------------------------------------------------------------

/** `models`: every model with its version count, production and candidate. */
export async function modelsCommand(ctx: CommandContext): Promise<ExitCode> {
  const reg = ctx.registry(false);
  const out: Array<{
    name: string;
    versions: number;
    latest: number | null;
    production: number | null;
    candidate: number | null;
    aliases: Record<string, number>;
  }> = [];
  for (const name of await reg.listModels()) {
    const versions = await reg.listVersions(name);
    const rollout = await reg.getRollout(name);
    out.push({
      name,
      versions: versions.length,
      latest: versions.at(-1)?.version ?? null,
      production: rollout?.production ?? (await reg.getAlias(name, 'production')) ?? null,
      candidate: rollout?.candidate ?? null,
      aliases: await reg.listAliases(name),
    });
  }
  emit(ctx, out, () =>
    out.length === 0
      ? 'no models'
      : table(
          ['MODEL', 'VERSIONS', 'LATEST', 'PRODUCTION', 'CANDIDATE'],
          out.map((m) => [m.name, String(m.versions), ver(m.latest), ver(m.production), ver(m.candidate)]),
        ),
  );
  return EXIT_CODES.OK;
}

/** `versions <model>`: every version, oldest first, with its aliases and metrics. */
export async function versionsCommand(ctx: CommandContext, model: string): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const aliases = await reg.listAliases(model);
  const byVersion = new Map<number, string[]>();
  for (const [a, v] of Object.entries(aliases)) byVersion.set(v, [...(byVersion.get(v) ?? []), a]);
  const versions = (await reg.listVersions(model)).map((v) => ({ ...v, aliases: byVersion.get(v.version) ?? [] }));
  emit(ctx, versions, () =>
    table(
      ['VERSION', 'CREATED', 'BY', 'ALIASES', 'SHA256', 'METRICS'],
      versions.map((v) => [
        ver(v.version),
        time(v.createdAt),
        v.createdBy,
        v.aliases.join(',') || '-',
        v.sha256.slice(0, 12),
        metricsLine(v.metrics),
      ]),
    ),
  );
  return EXIT_CODES.OK;
}

/** Parses `--at`: an ISO 8601 time or epoch milliseconds. */
export function parseTime(value: string, arg: string): number {
  const v = value.trim();
  const t = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t))
    throw usage(`${arg}: expected an ISO time (2026-01-05T12:00:00Z) or epoch milliseconds, got "${value}"`);
  return t;
}

/** `aliases <model> [--at <time>]`: the aliases now, or what each pointed to at a time. */
export async function aliasesCommand(ctx: CommandContext, model: string, at: number | undefined): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const now = await reg.listAliases(model);
  let aliases: Record<string, number | null>;
  if (at === undefined) aliases = { ...now };
  else {
    aliases = {};
    const names = [...new Set(['production', 'candidate', ...Object.keys(now)])].sort();
    for (const a of names) aliases[a] = (await reg.aliasAt(model, a, at)) ?? null;
  }
  emit(ctx, { model, ...(at !== undefined ? { at: new Date(at).toISOString() } : {}), aliases }, () => {
    const rows = Object.entries(aliases).map(([a, v]) => [a, ver(v)]);
    if (rows.length === 0) return `${model} has no aliases`;
    return `${at !== undefined ? `aliases of ${model} at ${new Date(at).toISOString()}\n` : ''}${table(['ALIAS', 'VERSION'], rows)}`;
  });
  return EXIT_CODES.OK;
}

// ---- deployment ------------------------------------------------------------------------------

function describeRollout(r: RolloutRecord): string {
  const c = r.candidate;
  if (c === undefined) return `production ${ver(r.production)} alone`;
  const share = `${num((r.weights.candidate ?? 0) * 100)}%`;
  if (r.mode === 'shadow') return `production ${ver(r.production)}, candidate ${ver(c)} in shadow (mirrored traffic)`;
  if (r.mode === 'ramp' && r.ramp)
    return `production ${ver(r.production)}, candidate ${ver(c)} at ${share} (ramp step ${r.ramp.stepIndex + 1}/${r.ramp.steps.length}: ${r.ramp.steps.map((s) => `${num(s * 100)}%`).join(' → ')})`;
  return `production ${ver(r.production)}, candidate ${ver(c)} at ${share} (split)`;
}

/** Options of changes: why (recorded in the history). */
export interface ChangeOptions {
  /** Why (recorded). */
  reason?: string | undefined;
}

const reasonOf = (o: ChangeOptions) => (o.reason !== undefined ? { reason: o.reason } : {});

function emitRollout(ctx: CommandContext, what: string, r: RolloutRecord): ExitCode {
  emit(ctx, r, () => `${what}: ${describeRollout(r)} (revision ${r.revision})`);
  return EXIT_CODES.OK;
}

/** `promote <model> [--version <v>]`: the candidate becomes production; with `--version`, deploys that version directly. */
export async function promoteCommand(
  ctx: CommandContext,
  model: string,
  o: ChangeOptions & { version?: number | undefined },
): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  if (o.version !== undefined) {
    const r = await reg.deploy(model, o.version, reasonOf(o));
    return emitRollout(ctx, `deployed ${model} ${ver(o.version)}`, r);
  }
  const before = await reg.getRollout(model);
  const r = await reg.promoteCandidate(model, reasonOf(o));
  return emitRollout(
    ctx,
    `promoted ${model} ${ver(before?.candidate)} to production (was ${ver(before?.production)})`,
    r,
  );
}

/**
 * `rollback <model>`: with a candidate in flight, rolls the candidate back (production stays);
 * otherwise moves production back to the version it had before.
 */
export async function rollbackCommand(
  ctx: CommandContext,
  model: string,
  o: ChangeOptions & { force?: boolean | undefined },
): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const before = await reg.getRollout(model);
  if (before?.candidate !== undefined) {
    const r = await reg.rollbackCandidate(model, reasonOf(o));
    return emitRollout(ctx, `rolled back candidate ${ver(before.candidate)} of ${model}`, r);
  }
  const entry = await reg.rollback(model, 'production', { ...reasonOf(o), ...(o.force ? { force: true } : {}) });
  emit(
    ctx,
    {
      model,
      alias: 'production',
      from: entry.from,
      to: entry.to,
      entry,
      rollout: (await reg.getRollout(model)) ?? null,
    },
    () => `rolled production of ${model} back from ${ver(entry.from)} to ${ver(entry.to)}`,
  );
  return EXIT_CODES.OK;
}

/** Options of `rollout start`. */
export interface RolloutStartOptions extends ChangeOptions {
  /** The candidate version. */
  candidate: number;
  /** Ramp steps. */
  steps?: number[] | undefined;
  /** The mode. */
  mode?: 'ramp' | 'split' | 'shadow' | undefined;
  /** The candidate's share in split mode. */
  weight?: number | undefined;
}

/** `rollout start <model> --candidate <v>`. */
export async function rolloutStartCommand(
  ctx: CommandContext,
  model: string,
  o: RolloutStartOptions,
): Promise<ExitCode> {
  const mode = o.mode ?? 'ramp';
  if (o.steps !== undefined && mode !== 'ramp') throw usage(`--steps: only with --mode ramp (got --mode ${mode})`);
  if (o.weight !== undefined && mode !== 'split') throw usage(`--weight: only with --mode split (got --mode ${mode})`);
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const r = await reg.startRollout(
    model,
    {
      candidate: o.candidate,
      mode,
      ...(o.steps ? { steps: o.steps } : {}),
      ...(o.weight !== undefined ? { weight: o.weight } : {}),
    },
    reasonOf(o),
  );
  return emitRollout(ctx, `started a ${mode} rollout of ${model} ${ver(o.candidate)}`, r);
}

/** `rollout ramp <model> [--step <i>]`. */
export async function rolloutRampCommand(
  ctx: CommandContext,
  model: string,
  o: ChangeOptions & { step?: number | undefined },
): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const r = await reg.rampRollout(model, { ...reasonOf(o), ...(o.step !== undefined ? { step: o.step } : {}) });
  return emitRollout(ctx, `ramped ${model}`, r);
}

/** `rollout abort <model>`: rolls the candidate back. */
export async function rolloutAbortCommand(ctx: CommandContext, model: string, o: ChangeOptions): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const before = await reg.getRollout(model);
  const r = await reg.rollbackCandidate(model, reasonOf(o));
  return emitRollout(ctx, `aborted the rollout of ${model} ${ver(before?.candidate)}`, r);
}

/** `rollout status <model>`. */
export async function rolloutStatusCommand(ctx: CommandContext, model: string): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const r = await reg.getRollout(model);
  if (!r)
    throw notFound(
      `model "${model}" has no rollout (deploy a version first: modelship promote ${model} --version <v>)`,
    );
  return emitRollout(ctx, model, r);
}

// ---- datasets --------------------------------------------------------------------------------

/** `datasets ls`. */
export async function datasetsLsCommand(ctx: CommandContext): Promise<ExitCode> {
  const reg = ctx.registry(false);
  const out: DatasetVersion[] = [];
  for (const name of await reg.listDatasets()) out.push(...(await reg.listDatasetVersions(name)));
  emit(ctx, out, () =>
    out.length === 0
      ? 'no datasets'
      : table(
          ['DATASET', 'VERSION', 'ROWS', 'FINGERPRINT', 'CREATED', 'LOCATION'],
          out.map((d) => [
            d.name,
            d.label,
            String(d.rowCount),
            d.fingerprint.slice(0, 12),
            time(d.createdAt),
            d.location ?? '-',
          ]),
        ),
  );
  return EXIT_CODES.OK;
}

/** `datasets register <name> <csv>`: fingerprints the CSV and registers it (the same rows again: the existing version). */
export async function datasetsRegisterCommand(
  ctx: CommandContext,
  name: string,
  csv: string,
  o: { description?: string | undefined },
): Promise<ExitCode> {
  const { path, table: t } = readCsvArg(ctx, csv, '<csv>');
  const reg = ctx.registry(true);
  const before = (await reg.listDatasets()).includes(name) ? await reg.listDatasetVersions(name) : [];
  const fp = fingerprint(t);
  const d = await reg.registerDataset(name, {
    fingerprint: fp,
    rowCount: t.numRows,
    location: path,
    ...(o.description !== undefined ? { description: o.description } : {}),
  });
  const existed = before.some((v) => v.version === d.version);
  emit(
    ctx,
    { ...d, existed },
    () =>
      `${existed ? 'already registered' : 'registered'} dataset ${name} ${d.label} (${d.rowCount} rows, fingerprint ${d.fingerprint.slice(0, 12)})`,
  );
  return EXIT_CODES.OK;
}

// ---- drift -----------------------------------------------------------------------------------

/** `drift <model> <live.csv> [--version <v>]`: the artifact's reference profile against the CSV; 3 when drift. */
export async function driftCommand(
  ctx: CommandContext,
  model: string,
  csv: string,
  o: { version?: number | undefined },
): Promise<ExitCode> {
  const live = readCsvArg(ctx, csv, '<live.csv>');
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const version = o.version ?? (await reg.getAlias(model, 'production'));
  if (version === undefined)
    throw notFound(`model "${model}" has no production version (deploy one, or pass --version)`);
  const { artifact } = await reg.loadArtifact(model, version);
  if (artifact.profile === undefined)
    throw notFound(`${model} ${ver(version)} has no reference profile (train it with a drift profile: profileColumns)`);
  const report = detectDrift(artifact.profile as unknown as ReferenceProfile, live.table);
  emit(
    ctx,
    { model, version, data: live.path, report },
    () => `${model} ${ver(version)} vs ${live.path}\n${renderDriftReport(report)}`,
  );
  return report.summary.verdict === 'drift' ? EXIT_CODES.DRIFT : EXIT_CODES.OK;
}

// ---- jobs ------------------------------------------------------------------------------------

async function readJson<T>(reg: ModelRegistry, key: string): Promise<T | undefined> {
  const e = await reg.store.get(key);
  if (!e) return undefined;
  try {
    return JSON.parse(dec.decode(e.body)) as T;
  } catch {
    throw new CliError(EXIT_CODES.FAILURE, `record ${key} is not valid JSON`);
  }
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** `jobs ls [--model] [--status]`: job records, newest first. */
export async function jobsLsCommand(
  ctx: CommandContext,
  o: { model?: string | undefined; status?: string | undefined; limit?: number | undefined },
): Promise<ExitCode> {
  const reg = ctx.registry(false);
  const keys = (await reg.store.list(controllerKeys.jobsPrefix())).filter((k) => k.endsWith('.json'));
  let jobs: JobRecord[] = [];
  for (const k of keys) {
    const j = await readJson<JobRecord>(reg, k);
    if (j) jobs.push(j);
  }
  jobs = jobs
    .filter((j) => (o.model === undefined || j.model === o.model) && (o.status === undefined || j.status === o.status))
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .slice(0, o.limit ?? Number.POSITIVE_INFINITY);
  emit(ctx, jobs, () =>
    jobs.length === 0
      ? 'no jobs'
      : table(
          ['ID', 'MODEL', 'STATUS', 'PROGRESS', 'ATTEMPTS', 'VERSION', 'TRIGGER', 'CREATED'],
          jobs.map((j) => [
            j.id,
            j.model,
            j.status,
            `${Math.round(j.progress * 100)}%`,
            `${j.attempts}/${j.maxAttempts}`,
            ver(j.version),
            j.trigger,
            time(j.createdAt),
          ]),
        ),
  );
  return EXIT_CODES.OK;
}

/** The lines of `next` not printed yet, given the (bounded, newest-last) lines printed before. */
export function newLines(printed: readonly string[], next: readonly string[]): string[] {
  for (let j = 0; j <= printed.length; j++) {
    const tail = printed.slice(j);
    if (tail.length <= next.length && tail.every((l, i) => next[i] === l)) return next.slice(tail.length);
  }
  return [...next];
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((res) => {
    if (signal?.aborted) return res(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      res(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function jobEnd(j: JobRecord): string {
  if (j.status === 'succeeded') return `job ${j.id} succeeded: registered ${j.model} ${ver(j.version)}`;
  return `job ${j.id} ${j.status}${j.error ? `: ${j.error}` : ''}`;
}

/** `jobs logs <id> [-f]`: a job's log lines; `-f` follows until the job ends (exit 1 when it failed or was cancelled). */
export async function jobsLogsCommand(
  ctx: CommandContext,
  id: string,
  o: { follow?: boolean | undefined; interval?: number | undefined },
): Promise<ExitCode> {
  if (!/^[A-Za-z0-9_.-]{1,256}$/.test(id)) throw usage(`<id>: "${id}" is not a job id (letters, digits, _ . -)`);
  const reg = ctx.registry(false);
  const key = controllerKeys.job(id);
  let job = await readJson<JobRecord>(reg, key);
  if (!job) throw notFound(`job "${id}" not found`);
  if (!ctx.json) for (const l of job.logs) ctx.stdout.write(`${l}\n`);
  let printed = job.logs;
  if (o.follow) {
    while (!TERMINAL.has(job.status)) {
      if (!(await sleep(o.interval ?? 1000, ctx.signal)))
        throw new CliError(EXIT_CODES.FAILURE, `jobs logs: stopped following job "${id}" (${job.status})`);
      const next = await readJson<JobRecord>(reg, key);
      if (!next) throw notFound(`job "${id}" was deleted while following it`);
      job = next;
      if (!ctx.json) for (const l of newLines(printed, job.logs)) ctx.stdout.write(`${l}\n`);
      printed = job.logs;
    }
  }
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  else if (TERMINAL.has(job.status)) ctx.stderr.write(`${jobEnd(job)}\n`);
  else ctx.stderr.write(`job ${job.id} is ${job.status} (${Math.round(job.progress * 100)}%)\n`);
  return o.follow && job.status !== 'succeeded' ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}

// ---- decisions -------------------------------------------------------------------------------

/** The replay of one decision. */
interface Replay {
  status: 'match' | 'mismatch' | 'no-record' | 'error';
  action?: string;
  detail?: string;
}

function replay(d: DecisionLogEntry): Replay {
  if (!d.record) return { status: 'no-record', detail: 'offline-gate decision: nothing to recompute' };
  try {
    const again = recomputeDecision(d.record);
    const diffs: string[] = [];
    if (again.action !== d.action) diffs.push(`action ${d.action} → ${again.action}`);
    if (JSON.stringify(again.reasons) !== JSON.stringify(d.reasons)) diffs.push('reasons differ');
    if (JSON.stringify(again.evidence) !== JSON.stringify(d.evidence)) diffs.push('evidence differs');
    return diffs.length
      ? { status: 'mismatch', action: again.action, detail: diffs.join(', ') }
      : { status: 'match', action: again.action };
  } catch (err) {
    return { status: 'error', detail: oneLine(err) };
  }
}

/** `decisions <model> [--replay]`: the controller's decision log, oldest first; `--replay` recomputes each (exit 1 unless all match). */
export async function decisionsCommand(
  ctx: CommandContext,
  model: string,
  o: { replay?: boolean | undefined; limit?: number | undefined },
): Promise<ExitCode> {
  const reg = ctx.registry(false);
  await requireModel(reg, model);
  const keys = (await reg.store.list(controllerKeys.decisionsPrefix(model))).filter((k) => k.endsWith('.json')).sort();
  const shown = o.limit !== undefined ? keys.slice(-o.limit) : keys;
  const landed = new Set(((await reg.getRollout(model))?.history ?? []).map((h) => h.decision));
  const out: Array<DecisionLogEntry & { replay?: Replay }> = [];
  for (const k of shown) {
    const d = await readJson<DecisionLogEntry>(reg, k);
    if (!d) continue;
    const changed = ['ramped', 'promoted', 'rolled-back'].includes(d.applied);
    out.push({ ...d, ...(changed ? { landed: landed.has(d.id) } : {}), ...(o.replay ? { replay: replay(d) } : {}) });
  }
  const count = (s: Replay['status']) => out.filter((d) => d.replay?.status === s).length;
  const bad = count('mismatch') + count('error');
  const summary = o.replay
    ? {
        replayed: out.length - count('no-record'),
        match: count('match'),
        mismatch: count('mismatch'),
        error: count('error'),
        noRecord: count('no-record'),
      }
    : undefined;
  emit(ctx, { model, decisions: out, ...(summary ? { replay: summary } : {}) }, () => {
    if (out.length === 0) return `no decisions logged for ${model}`;
    const rows = out.map((d) => [
      d.id,
      time(d.at),
      d.action,
      `${d.applied}${d.landed === false ? ' (not landed)' : ''}`,
      ver(d.production),
      ver(d.candidate),
      d.reasons[0]?.code ?? '-',
      ...(o.replay ? [`${d.replay!.status}${d.replay!.detail ? ` (${d.replay!.detail})` : ''}`] : []),
    ]);
    const head = ['ID', 'AT', 'ACTION', 'APPLIED', 'PROD', 'CAND', 'REASON', ...(o.replay ? ['REPLAY'] : [])];
    const s = summary
      ? `\nreplayed ${summary.replayed}: ${summary.match} match, ${summary.mismatch} differ, ${summary.error} failed; ${summary.noRecord} without a record`
      : '';
    return `${table(head, rows)}${s}`;
  });
  return bad > 0 ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}

// ---- predictions -----------------------------------------------------------------------------

/** The query API of a prediction log: a SQLite file, or a `postgres://` URL. */
async function openPredictionLog(
  ctx: RunContext,
  log: string | undefined,
): Promise<PredictionQuery & { close(): void | Promise<void> }> {
  const where = log ?? ctx.env.MODELSHIP_PREDICTION_LOG;
  if (where === undefined || where === '')
    throw usage(
      '--log: expected the prediction log (a SQLite file or a postgres:// URL), or set MODELSHIP_PREDICTION_LOG',
    );
  if (/^postgres(ql)?:\/\//.test(where)) {
    const { createPostgresPredictionQuery } = await import('@modelship/prediction-log-sql/postgres');
    return createPostgresPredictionQuery({ connectionString: where });
  }
  const { createSqlitePredictionQuery } = await import('@modelship/prediction-log-sql/sqlite');
  return createSqlitePredictionQuery({ path: resolve(ctx.cwd, where) });
}

/** An epoch-ms or ISO 8601 time given on the command line. */
function timeArg(value: string, option: string): number {
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t))
    throw usage(`${option}: expected epoch milliseconds or an ISO 8601 time, received "${value}"`);
  return t;
}

/**
 * `predictions [requestId] --log <file|url>`: the prediction log through its query API — one
 * request id's rows; a model's rows in `[--from, --to)` (one page; `--cursor` for the next); or
 * the newest rows.
 */
export async function predictionsCommand(
  ctx: CommandContext,
  requestId: string | undefined,
  o: {
    log?: string | undefined;
    model?: string | undefined;
    variant?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit?: number | undefined;
    cursor?: string | undefined;
  },
): Promise<ExitCode> {
  const ranged = o.from !== undefined || o.to !== undefined;
  if (ranged && (o.from === undefined || o.to === undefined || o.model === undefined))
    throw usage('--from and --to go together, with --model');
  if (requestId !== undefined && (ranged || o.variant !== undefined))
    throw usage('<requestId>: give a request id, or --from/--to, not both');
  if (o.variant !== undefined && !ranged) throw usage('--variant: only with --from and --to');
  const q = await openPredictionLog(ctx, o.log);
  try {
    let rows: PredictionRow[];
    let next: string | undefined;
    if (requestId !== undefined) {
      rows = await q.byRequestId(requestId);
      if (rows.length === 0) throw notFound(`no logged prediction with request id "${requestId}"`);
    } else if (ranged) {
      const page = await q.range({
        model: o.model!,
        from: timeArg(o.from!, '--from'),
        to: timeArg(o.to!, '--to'),
        ...(o.variant !== undefined ? { variant: o.variant } : {}),
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
        ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      });
      rows = page.rows;
      next = page.nextCursor;
    } else {
      rows = await q.recent({
        ...(o.model !== undefined ? { model: o.model } : {}),
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
      });
    }
    emit(ctx, { predictions: rows, ...(next !== undefined ? { next } : {}) }, () => {
      const t = table(
        ['TIME', 'MODEL', 'VARIANT', 'VERSION', 'LATENCY MS', 'PREDICTION', 'REQUEST ID'],
        rows.map((r) => [
          time(r.time),
          r.model,
          r.shadow ? `${r.variant} (shadow)` : r.variant,
          ver(r.modelVersion),
          num(r.latencyMs),
          typeof r.prediction === 'number' ? num(r.prediction) : JSON.stringify(r.prediction),
          r.requestId,
        ]),
      );
      return next !== undefined ? `${t}\nmore: --cursor ${next}` : t;
    });
    return EXIT_CODES.OK;
  } finally {
    await q.close();
  }
}
