// The dashboard page: a hash router over five views (overview, rollout, versions, drift, jobs),
// rendered from the management API and refreshed by its event stream.
import { ApiError, call, config, get, loadConfig, servingMetrics, setToken, stream, token } from './api.js';
import { duration, facts, h, int, num, pct, summarize, table, time } from './dom.js';

const PAGE = 50;
const CHART_DECISIONS = 200;
const ROLES = ['viewer', 'operator', 'admin'];

/** @type {{ id: string, role: string } | null} */
let me = null;
/** @type {AbortController | undefined} */
let live;
/** @type {AbortController | undefined} */
let logTail;
let refreshTimer = 0;
let renderSeq = 0;
let firstDecisionsRender = true;
/** @type {string | null} the model's charts and tables last shown, to keep paging across refreshes */
let pagedKey = null;
/** @type {any[]} older decision pages loaded by the person */
let olderDecisions = [];
let olderMore = false;
/** @type {{ model: string, text: string, status: string } | null} the last action's result, kept across refreshes */
let lastResult = null;

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const liveText = /** @type {HTMLElement} */ (document.getElementById('live'));

const can = (/** @type {string} */ role) => me !== null && ROLES.indexOf(me.role) >= ROLES.indexOf(role);
const enc = encodeURIComponent;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'models' && parts[1]) return { view: parts[2] ?? 'rollout', model: parts[1] };
  if (parts[0] === 'jobs') return { view: 'jobs', model: null };
  return { view: 'overview', model: null };
}

function errorBox(/** @type {unknown} */ err) {
  const e = /** @type {any} */ (err);
  const text =
    e instanceof ApiError
      ? e.status === 401
        ? 'The token is missing or not valid: enter a bearer token above.'
        : `${e.status}: ${e.message}${e.requestId ? ` (request ${e.requestId})` : ''}`
      : String(e?.message ?? e);
  return h('p', { class: 'error', role: 'alert' }, h('strong', { text: 'Error: ' }), text);
}

function modelTabs(/** @type {string} */ model, /** @type {string} */ view) {
  const tab = (/** @type {string} */ v, /** @type {string} */ label) =>
    h(
      'li',
      {},
      h('a', { href: `#/models/${enc(model)}/${v}`, 'aria-current': v === view ? 'page' : null, text: label }),
    );
  return h(
    'nav',
    { 'aria-label': `Model ${model}`, class: 'tabs' },
    h(
      'ul',
      {},
      tab('rollout', 'Rollout'),
      tab('versions', 'Versions'),
      tab('drift', 'Drift'),
      tab('predictions', 'Predictions'),
    ),
  );
}

function weightsText(/** @type {any} */ r) {
  if (!r) return 'n/a';
  const w = r.weights ?? {};
  return r.candidate !== undefined
    ? `production ${pct(w.production)} · candidate ${pct(w.candidate ?? 0)}`
    : 'production 100.0 %';
}

// ---- overview -------------------------------------------------------------------------------

async function overview() {
  const { models } = await get('/models');
  const rows = await Promise.all(
    models.map(async (/** @type {string} */ name) => {
      const [m, d, a] = await Promise.all([
        get(`/models/${enc(name)}`),
        get(`/models/${enc(name)}/decisions?limit=1`).catch(() => ({ decisions: [] })),
        get(`/models/${enc(name)}/alerts`).catch(() => ({ alerts: [] })),
      ]);
      const r = m.rollout;
      const st = r?.state ?? {};
      const last = d.decisions[0];
      const open = a.alerts.filter((/** @type {any} */ x) => x.resolvedAt === undefined);
      return [
        h('a', { href: `#/models/${enc(name)}/rollout`, text: name }),
        h('span', { 'data-field': 'production', text: r ? `v${r.production}` : 'none' }),
        h('span', { 'data-field': 'candidate', text: r?.candidate !== undefined ? `v${r.candidate}` : 'none' }),
        h('span', { 'data-field': 'phase', text: st.phase ?? (r ? r.mode : 'n/a') }),
        weightsText(r),
        st.phaseStartedAt !== undefined ? duration(Date.now() - st.phaseStartedAt) : 'n/a',
        last ? `${last.action} → ${last.applied} (${time(last.at)})` : 'none',
        h('span', { 'data-field': 'alerts', text: open.length === 0 ? 'none' : `${open.length} open` }),
      ];
    }),
  );
  return [
    h('h2', { text: 'Overview' }),
    table(
      'Every model: versions, rollout phase and weights',
      ['Model', 'Production', 'Candidate', 'Phase', 'Weights', 'Time in phase', 'Last decision', 'Alerts'],
      rows,
      { id: 'models-table' },
    ),
  ];
}

// ---- rollout ------------------------------------------------------------------------------

function variantCard(
  /** @type {string} */ variant,
  /** @type {any} */ agg,
  /** @type {any} */ composite,
  /** @type {string} */ version,
) {
  const s = summarize(agg);
  const est = composite?.[variant];
  const pairs = [
    ['Requests', int(s.requests)],
    ['Feedback received', int(s.feedback)],
    ['Rating mean', num(s.ratingMean)],
    ['Accuracy', num(s.accuracy)],
    ['MAE', num(s.mae)],
    ['Error rate', num(s.errorRate)],
    ['Latency p50 (ms)', num(s.p50, 2)],
    ['Latency p95 (ms)', num(s.p95, 2)],
    ['Latency p99 (ms)', num(s.p99, 2)],
    ['Composite', num(est?.value)],
  ];
  if (variant === 'candidate' && composite) {
    pairs.push(['Composite delta', num(composite.delta)]);
    pairs.push(['Delta CI', composite.ci ? `[${num(composite.ci[0])}, ${num(composite.ci[1])}]` : 'n/a']);
  }
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `card-${variant}`, 'data-variant': variant },
    h('h4', { id: `card-${variant}`, text: `${variant} ${version}` }),
    h(
      'dl',
      { class: 'facts' },
      ...pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { 'data-metric': k, text: v })]),
    ),
  );
}

function reasonsList(/** @type {any[]} */ reasons) {
  if (!reasons || reasons.length === 0) return 'none';
  return h(
    'ul',
    { class: 'reasons' },
    ...reasons.map((r) =>
      h('li', {}, typeof r === 'string' ? r : `${r.code ?? ''}: ${r.message ?? JSON.stringify(r)}`),
    ),
  );
}

function decisionRows(/** @type {any[]} */ ds) {
  return ds.map((d) => [
    time(d.at),
    d.action,
    d.applied + (d.landed === false ? ' (not landed)' : ''),
    `v${d.production}${d.candidate !== null && d.candidate !== undefined ? ` / v${d.candidate}` : ''}`,
    reasonsList(d.reasons),
  ]);
}

/** The confirmation dialog: resolves with the reason (possibly '') or null when cancelled. */
function confirmAction(/** @type {string} */ text) {
  const dlg = /** @type {HTMLDialogElement} */ (document.getElementById('confirm'));
  const reason = /** @type {HTMLInputElement} */ (document.getElementById('confirm-reason'));
  /** @type {HTMLElement} */ (document.getElementById('confirm-text')).textContent = text;
  reason.value = '';
  dlg.returnValue = '';
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok' ? reason.value.trim() : null), { once: true });
    dlg.showModal();
    reason.focus();
  });
}

async function auditRecordOf(/** @type {string} */ requestId) {
  if (!can('admin') || !requestId) return null;
  const { records } = await get(`/audit?from=${Date.now() - 10 * 60_000}&limit=1000`);
  return records.find((/** @type {any} */ r) => r.requestId === requestId) ?? null;
}

function actionButtons(/** @type {string} */ model, /** @type {any} */ r) {
  if (!can('operator') || !r) return null;
  const st = r.state ?? {};
  const base = `/models/${enc(model)}`;
  const kept = lastResult?.model === model ? lastResult : null;
  const result = h('p', {
    id: 'action-result',
    role: 'status',
    'aria-live': 'polite',
    'data-status': kept?.status,
    text: kept?.text,
  });
  const show = (/** @type {string} */ text, /** @type {string} */ status) => {
    lastResult = { model, text, status };
    const el = document.getElementById('action-result') ?? result;
    el.textContent = text;
    el.dataset.status = status;
  };
  /** @type {Array<[string, string, string, any]>} */
  const actions = [];
  if (st.phase === 'awaiting-approval') {
    actions.push([
      'approve',
      `Approve (${st.approval?.kind ?? 'pending'} of v${st.candidate})`,
      `${base}/approvals/approve`,
      {},
    ]);
    actions.push(['reject', 'Reject', `${base}/approvals/reject`, {}]);
  }
  if (r.candidate !== undefined) {
    actions.push(['promote', `Promote v${r.candidate}`, `${base}/promote`, { expect: r.revision }]);
    actions.push(['abort', 'Abort rollout', `${base}/rollout/abort`, { expect: r.revision }]);
  }
  // production is a protected alias: moving it back needs the admin role (the server checks it too)
  if (can('admin')) actions.push(['rollback', 'Roll production back', `${base}/rollback`, { expect: r.production }]);
  const buttons = actions.map(([id, label, path, body]) =>
    h('button', {
      type: 'button',
      'data-action': id,
      'data-focus-key': `action-${id}`,
      text: label,
      onClick: async () => {
        const reason = await confirmAction(`${label} of model ${model}?`);
        if (reason === null) return;
        try {
          const res = await call(path, { method: 'POST', body: reason ? { ...body, reason } : body });
          const rec = await auditRecordOf(res.requestId).catch(() => null);
          const audit = rec
            ? `${rec.route} by ${rec.actor} (${rec.role}), status ${rec.status}, at ${time(rec.at)}`
            : `request ${res.requestId}`;
          show(`${label}: done (HTTP ${res.status}). Audit: ${audit}.`, String(res.status));
        } catch (err) {
          const e = /** @type {any} */ (err);
          show(
            `${label}: refused (${e.status ?? ''} ${e.message}). Audit: request ${e.requestId ?? 'n/a'}.`,
            String(e.status ?? 0),
          );
        }
        scheduleRefresh(0);
      },
    }),
  );
  return h(
    'section',
    { 'aria-labelledby': 'actions-h', class: 'actions-panel' },
    h('h3', { id: 'actions-h', text: 'Actions' }),
    h('div', { class: 'actions' }, ...buttons),
    result,
  );
}

async function rollout(/** @type {string} */ model) {
  const base = `/models/${enc(model)}`;
  const [m, d, metrics, approvals] = await Promise.all([
    get(base),
    get(`${base}/decisions?limit=${CHART_DECISIONS}`),
    servingMetrics().catch(() => null),
    get(`${base}/approvals`).catch(() => ({ approvals: [] })),
  ]);
  if (pagedKey !== model) {
    pagedKey = model;
    olderDecisions = [];
    olderMore = false;
  }
  const r = m.rollout;
  const st = r?.state ?? {};
  const decisions = d.decisions;
  const latest = decisions.find((/** @type {any} */ x) => x.evidence?.composite) ?? null;
  const ev = latest?.evidence ?? null;
  const agg = metrics?.models?.[model] ?? latest?.record?.aggregates ?? null;
  const variants = agg ? Object.keys(agg.variants).sort() : [];
  const versionOf = (/** @type {string} */ v) =>
    v === 'production' && r
      ? `v${r.production}`
      : v === 'candidate' && r?.candidate !== undefined
        ? `v${r.candidate}`
        : '';

  const out = [h('h2', { text: `Model ${model}: rollout` }), modelTabs(model, 'rollout')];
  out.push(
    facts(
      [
        ['Production', h('span', { 'data-field': 'production', text: r ? `v${r.production}` : 'none' })],
        [
          'Candidate',
          h('span', { 'data-field': 'candidate', text: r?.candidate !== undefined ? `v${r.candidate}` : 'none' }),
        ],
        ['Phase', h('span', { 'data-field': 'phase', text: st.phase ?? 'n/a' })],
        ['Mode', r?.mode ?? 'n/a'],
        ['Weights', weightsText(r)],
        ['Time in phase', st.phaseStartedAt !== undefined ? duration(Date.now() - st.phaseStartedAt) : 'n/a'],
        ['Revision', r ? String(r.revision) : 'n/a'],
      ],
      { id: 'rollout-facts' },
    ),
  );
  if (ev?.srm?.mismatch) {
    out.push(
      h(
        'p',
        { class: 'banner srm', role: 'alert', id: 'srm-banner' },
        h('strong', { text: 'Sample ratio mismatch: ' }),
        `the observed split ${JSON.stringify(ev.srm.observed)} differs from the configured one (p = ${num(ev.srm.pValue, 6)}); the comparison is not trustworthy.`,
      ),
    );
  }
  const pending = approvals.approvals.find((/** @type {any} */ a) => a.status === 'pending');
  if (pending) {
    out.push(
      h(
        'p',
        { class: 'banner pending', role: 'status', id: 'approval-banner' },
        h('strong', { text: 'Approval pending: ' }),
        `${pending.kind} of v${pending.candidate}, requested ${time(pending.requestedAt)}.`,
      ),
    );
  }
  const actions = actionButtons(model, r);
  if (actions) out.push(actions);

  if (r?.ramp) {
    const steps = r.ramp.steps.map((/** @type {number} */ w, /** @type {number} */ i) => {
      const state = i < r.ramp.stepIndex ? 'done' : i === r.ramp.stepIndex ? 'current' : 'next';
      return h(
        'li',
        { class: `step ${state}`, 'aria-current': state === 'current' ? 'step' : null },
        `${pct(w)} (${state})`,
      );
    });
    out.push(
      h(
        'section',
        { 'aria-labelledby': 'ramp-h' },
        h('h3', { id: 'ramp-h', text: 'Ramp steps' }),
        h('ol', { class: 'ramp' }, ...steps),
      ),
    );
  }

  out.push(
    h(
      'section',
      { 'aria-labelledby': 'variants-h' },
      h('h3', { id: 'variants-h', text: 'Variants' }),
      h(
        'p',
        { class: 'note' },
        `Outcomes ${metrics?.models?.[model] ? 'from the serving metrics (/metrics.json)' : 'of the latest decision'}; composite from the latest decision${latest ? ` (${time(latest.at)})` : ''}.`,
      ),
      variants.length === 0
        ? h('p', { text: 'No outcomes yet.' })
        : h(
            'div',
            { class: 'cards' },
            ...variants.map((v) => variantCard(v, agg.variants[v], ev?.composite ?? null, versionOf(v))),
          ),
    ),
  );

  const policy = latest?.record?.policyOptions ?? null;
  const chartData = decisions.filter((/** @type {any} */ x) => x.evidence?.composite).reverse();
  const traffic = h('div', { class: 'chart', role: 'img', 'aria-label': 'Requests per variant over time' });
  const delta = h('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'Composite delta with its confidence band and the thresholds',
  });
  out.push(
    h(
      'section',
      { 'aria-labelledby': 'charts-h' },
      h('h3', { id: 'charts-h', text: 'Time series' }),
      h(
        'p',
        { class: 'note' },
        `${chartData.length} decisions. Promote threshold: delta ≥ ${num(policy?.promoteThreshold)}; rollback threshold: relative delta ≤ −${num(policy?.rollbackThreshold)}. Latest delta ${num(ev?.composite?.delta)}, CI ${ev?.composite?.ci ? `[${num(ev.composite.ci[0])}, ${num(ev.composite.ci[1])}]` : 'n/a'}.`,
      ),
      h(
        'div',
        { class: 'charts' },
        h(
          'figure',
          {},
          traffic,
          h('figcaption', { text: 'Traffic: requests per variant (solid: production, dashed: candidate)' }),
        ),
        h(
          'figure',
          {},
          delta,
          h('figcaption', {
            text: 'Composite delta, confidence band, promote (long dash) and rollback (dash-dot) thresholds',
          }),
        ),
      ),
    ),
  );

  const pageRows = decisions.slice(0, PAGE).concat(olderDecisions);
  const cursor = pageRows[pageRows.length - 1]?.id;
  const more = olderDecisions.length > 0 ? olderMore : decisions.length > PAGE || d.next !== undefined;
  const older = h('button', {
    type: 'button',
    id: 'older-decisions',
    'data-focus-key': 'older-decisions',
    text: 'Older decisions',
    disabled: !more || !cursor,
    onClick: async () => {
      const p = await get(`${base}/decisions?limit=${PAGE}&before=${enc(cursor ?? '')}`);
      olderDecisions = olderDecisions.concat(p.decisions);
      olderMore = p.next !== undefined;
      scheduleRefresh(0);
    },
  });
  out.push(
    h(
      'section',
      { 'aria-labelledby': 'decisions-h' },
      h('h3', { id: 'decisions-h', text: 'Decision timeline' }),
      table(
        'Decisions, newest first, with their reasons',
        ['Time', 'Action', 'Applied', 'Versions', 'Reasons'],
        decisionRows(pageRows),
        { id: 'decisions-table' },
      ),
      h('p', { class: 'pager' }, `${pageRows.length} shown. `, older),
    ),
  );

  return {
    nodes: out,
    after: () => {
      if (chartData.length > 0) {
        const promote = policy?.promoteThreshold ?? null;
        const rb = policy?.rollbackThreshold ?? null;
        void import('./charts.js').then(async (c) => {
          await c.trafficChart(traffic, chartData);
          await c.deltaChart(delta, chartData, {
            promote,
            rollback: rb === null ? null : -rb * Math.abs(ev?.composite?.production?.value ?? 0),
          });
        });
      } else {
        traffic.append(h('p', { text: 'No decisions with evidence yet.' }));
      }
      if (firstDecisionsRender && main.querySelector('#decisions-table tbody tr')) {
        firstDecisionsRender = false;
        performance.mark('decisions-rendered');
        document.body.dataset.renderedMs = performance.now().toFixed(1);
      }
    },
  };
}

// ---- versions -----------------------------------------------------------------------------

async function versions(/** @type {string} */ model) {
  const base = `/models/${enc(model)}`;
  const [{ versions: vs }, { aliases }, { history }] = await Promise.all([
    get(`${base}/versions`),
    get(`${base}/aliases`),
    get(`${base}/aliases/production/history`).catch(() => ({ history: [] })),
  ]);
  const datasets = new Map();
  for (const v of vs) {
    if (!v.dataset) continue;
    const key = `${v.dataset.name}@${v.dataset.version}`;
    if (!datasets.has(key))
      datasets.set(
        key,
        get(`/datasets/${enc(v.dataset.name)}/versions/${v.dataset.version}`).catch(() => null),
      );
  }
  const newest = [...vs].reverse().slice(0, PAGE);
  const rows = await Promise.all(
    newest.map(async (v) => {
      const ds = v.dataset ? await datasets.get(`${v.dataset.name}@${v.dataset.version}`) : null;
      const aliasNames = Object.entries(aliases)
        .filter(([, n]) => n === v.version)
        .map(([a]) => a);
      return [
        `v${v.version}`,
        time(v.createdAt),
        Object.keys(v.metrics).length === 0
          ? 'none'
          : Object.entries(v.metrics)
              .map(([k, x]) => `${k} ${num(x)}`)
              .join(', '),
        v.dataset ? `${v.dataset.name} V${v.dataset.version}` : 'none',
        h('code', { text: (v.fingerprint ?? ds?.fingerprint ?? 'n/a').slice(0, 16) }),
        aliasNames.join(', ') || 'none',
      ];
    }),
  );
  const answer = h('output', { id: 'at-answer', 'aria-live': 'polite', for: 'at-time' });
  const input = h('input', { id: 'at-time', name: 'time', type: 'datetime-local', step: '1', required: true });
  const form = h(
    'form',
    {
      class: 'at',
      onSubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const value = /** @type {HTMLInputElement} */ (input).value;
        const t = Date.parse(`${value}Z`);
        if (!Number.isFinite(t)) {
          answer.textContent = 'Enter a time.';
          return;
        }
        try {
          const at = await get(`${base}/aliases/production/at?time=${t}`);
          answer.textContent =
            at.version === null
              ? `No production version at ${time(t)}.`
              : `v${at.version} was production at ${time(t)}.`;
        } catch (err) {
          answer.textContent = String(/** @type {any} */ (err).message);
        }
      },
    },
    h('label', { for: 'at-time', text: 'Time (UTC)' }),
    input,
    h('button', { type: 'submit', text: 'What was production?' }),
    answer,
  );
  const hist = [...history].reverse().slice(0, PAGE);
  return [
    h('h2', { text: `Model ${model}: versions` }),
    modelTabs(model, 'versions'),
    table(
      `Versions, newest first (${newest.length} of ${vs.length}), with offline metrics and lineage`,
      ['Version', 'Created', 'Offline metrics', 'Dataset', 'Fingerprint', 'Aliases'],
      rows,
      { id: 'versions-table' },
    ),
    h('section', { 'aria-labelledby': 'at-h' }, h('h3', { id: 'at-h', text: 'What was production at time T' }), form),
    table(
      `Production alias history, newest first (${hist.length} of ${history.length})`,
      ['#', 'Action', 'From', 'To', 'At', 'Actor', 'Reason'],
      hist.map((e) => [
        String(e.seq),
        e.action,
        e.from === null ? 'none' : `v${e.from}`,
        e.to === null ? 'none' : `v${e.to}`,
        time(e.at),
        e.actor,
        e.reason ?? '',
      ]),
      { id: 'alias-history' },
    ),
  ];
}

// ---- drift --------------------------------------------------------------------------------

function psiBand(/** @type {number | null} */ x) {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  return x < 0.1 ? 'stable (< 0.1)' : x < 0.25 ? 'moderate (0.1–0.25)' : 'major (≥ 0.25)';
}

/**
 * The reference against the live histogram of one feature (the report's `histogram`: the profile's
 * bins or categories, each side's share of the non-missing values) as a table, one row per bin; the
 * two series are named by their column headers, and every share is written out next to its bar.
 */
function histogramTable(/** @type {any} */ f) {
  const hg = f?.histogram;
  if (!hg || !Array.isArray(hg.reference) || !Array.isArray(hg.live)) return null;
  const labels = Array.isArray(hg.labels)
    ? hg.labels
    : hg.reference.map((/** @type {unknown} */ _, /** @type {number} */ i) => `bin ${i + 1}`);
  // The bars share one scale, up to the largest share shown (so small shares stay visible).
  const top = Math.max(0.01, ...[...hg.reference, ...hg.live].filter((x) => typeof x === 'number' && x <= 1));
  const share = (/** @type {string} */ series, /** @type {string} */ label, /** @type {unknown} */ x) =>
    h(
      'span',
      { class: `share share-${series}` },
      h('meter', { min: 0, max: top, value: typeof x === 'number' ? x : 0, 'aria-hidden': 'true' }),
      h('span', { 'data-share': series, title: `${series} share of ${label}`, text: pct(x) }),
    );
  return table(
    `${f.feature}: reference against live, share of the non-missing values per ${f.type === 'categorical' ? 'category' : 'bin'}`,
    [f.type === 'categorical' ? 'Category' : 'Bin', 'Reference', 'Live', 'Live − reference'],
    labels.map((/** @type {unknown} */ l, /** @type {number} */ i) => {
      const ref = hg.reference[i];
      const cur = hg.live[i];
      const pp = typeof ref === 'number' && typeof cur === 'number' ? Number(((cur - ref) * 100).toFixed(1)) : null;
      return [
        String(l),
        share('reference', String(l), ref),
        share('live', String(l), cur),
        pp === null || !Number.isFinite(pp)
          ? 'n/a'
          : `${pp > 0 ? '+' : pp < 0 ? '−' : ''}${Math.abs(pp).toFixed(1)} pp`,
      ];
    }),
    { class: 'histogram', 'data-histogram': f.feature },
  );
}

const PREDICTIONS_SHOWN = 50;

/** The newest logged predictions of a model (the management API's prediction-log routes). */
async function predictions(/** @type {string} */ model) {
  const out = [h('h2', { text: `Model ${model}: predictions` }), modelTabs(model, 'predictions')];
  const page = await get(`/predictions?model=${enc(model)}&limit=${PREDICTIONS_SHOWN}`).catch((err) =>
    err instanceof ApiError && err.status === 404 ? null : Promise.reject(err),
  );
  if (!page) {
    out.push(h('p', { text: 'No prediction log is configured (createManagementRouter({ predictions })).' }));
    return out;
  }
  out.push(
    table(
      `The newest ${PREDICTIONS_SHOWN} logged predictions, newest first`,
      ['Time', 'Variant', 'Version', 'Latency (ms)', 'Prediction', 'Request id'],
      page.predictions.map((/** @type {any} */ p) => [
        time(p.time),
        p.shadow ? `${p.variant} (shadow)` : p.variant,
        `v${p.modelVersion}`,
        num(p.latencyMs, 3),
        typeof p.prediction === 'number'
          ? num(p.prediction)
          : typeof p.prediction?.value === 'number'
            ? num(p.prediction.value)
            : JSON.stringify(p.prediction),
        p.requestId,
      ]),
      { id: 'predictions-table' },
    ),
  );
  return out;
}

async function drift(/** @type {string} */ model) {
  const base = `/models/${enc(model)}`;
  const [report, { alerts }] = await Promise.all([
    get(`${base}/drift`).catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err))),
    get(`${base}/alerts`),
  ]);
  const out = [h('h2', { text: `Model ${model}: drift` }), modelTabs(model, 'drift')];
  if (!report) out.push(h('p', { text: 'No drift report yet.' }));
  else {
    const features = report.features ?? [];
    out.push(
      facts([
        ['Window', `${report.window?.kind ?? ''} ${report.window?.size ?? ''}`],
        ['Features drifted', `${report.summary?.drifted ?? 0} of ${report.summary?.evaluated ?? features.length}`],
        ['Dataset drift', report.summary?.datasetDrift ? 'yes' : 'no'],
      ]),
      table(
        'Per feature: the statistic against its thresholds (PSI bands 0.1 and 0.25)',
        ['Feature', 'Test', 'Statistic', 'Threshold', 'Band', 'Drifted', 'Count'],
        features.map((/** @type {any} */ f) => [
          f.feature,
          f.test,
          num(f.statistic),
          num(f.threshold),
          f.test === 'psi' ? psiBand(f.statistic) : '',
          f.status === 'insufficient-data' ? 'insufficient data' : f.drifted ? `yes (${f.severity})` : 'no',
          int(f.count),
        ]),
        { id: 'drift-table' },
      ),
    );
    const histograms = [...features, report.prediction].map(histogramTable).filter(Boolean);
    if (histograms.length)
      out.push(
        h(
          'section',
          { 'aria-labelledby': 'hist-h', id: 'drift-histograms' },
          h('h3', { id: 'hist-h', text: 'Reference against live, per feature' }),
          ...histograms,
        ),
      );
  }
  out.push(
    table(
      'Alerts, open first',
      ['Alert', 'Kind', 'Severity', 'Status', 'Message', 'Last seen'],
      alerts.map((/** @type {any} */ a) => [
        a.subject ?? a.id,
        a.kind,
        a.severity,
        a.resolvedAt !== undefined ? 'resolved' : a.acknowledged ? 'acknowledged' : 'open',
        a.message,
        time(a.lastSeenAt),
      ]),
      { id: 'alerts-table' },
    ),
  );
  return out;
}

// ---- jobs ---------------------------------------------------------------------------------

function tail(/** @type {string} */ id, /** @type {HTMLElement} */ pre, /** @type {HTMLElement} */ status) {
  logTail?.abort();
  logTail = new AbortController();
  pre.textContent = '';
  status.textContent = `Streaming the log of ${id}…`;
  void stream(`/jobs/${enc(id)}/logs`, {
    signal: logTail.signal,
    reconnect: false,
    onEvent: (e) => {
      if (e.event === 'log') pre.append(`${e.data.line}\n`);
      else if (e.event === 'status') status.textContent = `Job ${id}: ${e.data.status}, ${pct(e.data.progress)}`;
      else if (e.event === 'end') status.textContent = `Job ${id} ended: ${e.data.status}`;
    },
  }).catch((err) => {
    status.textContent = `Log stream failed: ${err.message}`;
  });
}

async function jobs() {
  const { jobs: list } = await get(`/jobs?limit=${PAGE}`);
  const pre = h('pre', { id: 'job-log', class: 'log', tabindex: '0', 'aria-label': 'Log tail' });
  const status = h('p', {
    id: 'job-log-status',
    role: 'status',
    'aria-live': 'polite',
    text: 'Choose a job to tail its log.',
  });
  const rows = list.map((/** @type {any} */ j) => [
    j.id,
    j.model,
    h('span', { 'data-field': 'status', text: j.status }),
    h(
      'span',
      {},
      h('progress', { max: 1, value: j.progress, 'aria-label': `progress of ${j.id}` }),
      ` ${pct(j.progress)}`,
    ),
    time(j.createdAt),
    h('button', {
      type: 'button',
      'data-focus-key': `tail-${j.id}`,
      text: 'Tail log',
      'aria-label': `Tail the log of ${j.id}`,
      onClick: () => tail(j.id, pre, status),
    }),
  ]);
  return [
    h('h2', { text: 'Training jobs' }),
    table(`Jobs, newest first (up to ${PAGE})`, ['Job', 'Model', 'Status', 'Progress', 'Created', 'Log'], rows, {
      id: 'jobs-table',
    }),
    h('section', { 'aria-labelledby': 'log-h' }, h('h3', { id: 'log-h', text: 'Log tail' }), status, pre),
  ];
}

// ---- shell --------------------------------------------------------------------------------

async function render() {
  const seq = ++renderSeq;
  const dlg = /** @type {HTMLDialogElement} */ (document.getElementById('confirm'));
  if (dlg.open) {
    scheduleRefresh(500);
    return;
  }
  const r = route();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const on =
      a.getAttribute('data-nav') === r.view ||
      (r.view !== 'jobs' && r.model === null && a.getAttribute('data-nav') === 'overview');
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  /** @type {any} */
  let nodes;
  /** @type {(() => void) | undefined} */
  let after;
  if (!token())
    nodes = [h('h2', { text: 'Sign in' }), h('p', { text: 'Enter a bearer token above to see the models.' })];
  else {
    try {
      if (r.view === 'jobs') nodes = await jobs();
      else if (r.model === null) nodes = await overview();
      else if (r.view === 'versions') nodes = await versions(r.model);
      else if (r.view === 'drift') nodes = await drift(r.model);
      else if (r.view === 'predictions') nodes = await predictions(r.model);
      else {
        const res = await rollout(r.model);
        nodes = res.nodes;
        after = res.after;
      }
    } catch (err) {
      nodes = [errorBox(err)];
    }
  }
  if (seq !== renderSeq) return;
  const focusKey = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.focusKey;
  main.replaceChildren(...nodes);
  main.dataset.view = r.view;
  main.setAttribute('aria-busy', 'false');
  after?.();
  if (focusKey)
    /** @type {HTMLElement | null} */ (main.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`))?.focus();
}

function scheduleRefresh(ms = 250) {
  clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void render(), ms);
}

async function signIn() {
  const out = /** @type {HTMLElement} */ (document.getElementById('whoami'));
  live?.abort();
  me = null;
  if (!token()) {
    out.textContent = 'not signed in';
    liveText.textContent = 'Live updates: off';
    return;
  }
  try {
    me = await get('/whoami');
    out.textContent = `${me?.id} (${me?.role})`;
    document.body.dataset.role = me?.role ?? '';
  } catch (err) {
    out.textContent = err instanceof ApiError && err.status === 401 ? 'token not valid' : 'sign-in failed';
    return;
  }
  live = new AbortController();
  void stream('/events', {
    signal: live.signal,
    onState: (s) => {
      liveText.textContent = `Live updates: ${s}`;
    },
    onEvent: (e) => {
      liveText.textContent = `Live updates: connected; last event ${e.event}`;
      scheduleRefresh();
    },
  });
}

async function start() {
  await loadConfig();
  document.title = `${config.title} dashboard`;
  /** @type {HTMLElement} */ (document.getElementById('title')).textContent = config.title;
  const form = /** @type {HTMLFormElement} */ (document.getElementById('token-form'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    await signIn();
    void render();
  });
  /** @type {HTMLElement} */ (document.getElementById('token-clear')).addEventListener('click', async () => {
    setToken('');
    await signIn();
    void render();
  });
  window.addEventListener('hashchange', () => {
    logTail?.abort();
    void render();
  });
  await signIn();
  await render();
}

void start();
