// Small DOM and formatting helpers (no innerHTML: every text goes through textContent).

/**
 * Creates an element: `attrs` are attributes (`class`, `aria-*`, `data-*`…), except `text`
 * (textContent) and `on<Event>` (listeners); children are nodes, strings or null.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

/** `x` with `digits` decimals, or `n/a` for null, undefined or a non-finite number. */
export function num(/** @type {unknown} */ x, digits = 4) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** An integer count, or `n/a`. */
export function int(/** @type {unknown} */ x) {
  return typeof x === 'number' && Number.isFinite(x) ? String(Math.round(x)) : 'n/a';
}

/** A share as a percentage with one decimal (`12.5 %`), or `n/a`. */
export function pct(/** @type {unknown} */ x) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a';
}

/** An epoch-ms time as an ISO string (UTC, seconds), or `n/a`. */
export function time(/** @type {unknown} */ t) {
  return typeof t === 'number' && Number.isFinite(t)
    ? `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`
    : 'n/a';
}

/** A duration in ms as `1 h 5 min`, `4 min 10 s` or `12 s`. */
export function duration(/** @type {number} */ ms) {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const hh = Math.floor(m / 60);
  if (hh < 48) return `${hh} h ${m % 60} min`;
  return `${Math.floor(hh / 24)} d ${hh % 24} h`;
}

/**
 * A table: `caption`, column headers and rows of cells (strings or nodes).
 * @param {string} caption
 * @param {string[]} head
 * @param {any[][]} rows
 * @param {Record<string, any>} [attrs]
 */
export function table(caption, head, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col', text: c })))),
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))),
    ),
  );
}

/** A definition list of label → value pairs. */
export function facts(/** @type {Array<[string, any]>} */ pairs, /** @type {Record<string, any>} */ attrs = {}) {
  return h('dl', { class: 'facts', ...attrs }, ...pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
}

/** The log-gamma-v1 latency histogram's q-quantile (same rule as core's `histogramQuantile`). */
export function quantile(/** @type {any} */ hist, /** @type {number} */ q) {
  if (!hist || hist.count === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * hist.count));
  if (rank === 1) return hist.min ?? Number.NaN;
  if (rank === hist.count) return hist.max ?? Number.NaN;
  let seen = hist.zeroCount;
  let value = hist.min ?? 0;
  if (seen < rank) {
    const gamma = (1 + hist.relativeAccuracy) / (1 - hist.relativeAccuracy);
    const buckets = Object.entries(hist.bins)
      .map(([k, n]) => [Number(k), Number(n)])
      .sort((a, b) => a[0] - b[0]);
    for (const [index, n] of buckets) {
      seen += n;
      if (seen >= rank) {
        value = (2 * hist.minValue * gamma ** index) / (gamma + 1);
        break;
      }
    }
  }
  return Math.min(Math.max(value, hist.min ?? value), hist.max ?? value);
}

/** A variant's figures from its outcome aggregates (`/metrics.json` or a decision's record). */
export function summarize(/** @type {any} */ a) {
  const f = a.feedback ?? {};
  return {
    requests: a.requests,
    feedback: f.count ?? 0,
    ratingMean: f.ratingCount > 0 ? f.ratingSum / f.ratingCount : null,
    accuracy: f.correctTotal > 0 ? f.correctCount / f.correctTotal : null,
    mae: f.actualCount > 0 ? f.absErrorSum / f.actualCount : null,
    errorRate: a.requests > 0 ? a.errors / a.requests : null,
    p50: quantile(a.latency, 0.5),
    p95: quantile(a.latency, 0.95),
    p99: quantile(a.latency, 0.99),
  };
}
