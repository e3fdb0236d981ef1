// The dashboard's client of the management API: the bearer token (sessionStorage), JSON calls
// and the server-sent event stream read with fetch() (EventSource cannot send headers).

const TOKEN_KEY = 'modelship.dashboard.token';

/** @typedef {{ managementPath: string, servingPath: string | null, title: string }} Config */

/** @type {Config} */
export const config = { managementPath: '/manage', servingPath: '', title: 'modelship' };

/** Reads `config.json` (next to the page). */
export async function loadConfig() {
  const r = await fetch('config.json', { headers: { accept: 'application/json' } });
  if (r.ok) Object.assign(config, await r.json());
  return config;
}

/** The stored token, or `''`. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Stores (or, with `''`, forgets) the token. */
export function setToken(/** @type {string} */ t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An HTTP error with the problem document. */
export class ApiError extends Error {
  constructor(/** @type {number} */ status, /** @type {any} */ problem, /** @type {string} */ requestId) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.requestId = requestId;
  }
}

function headers(/** @type {Record<string, string>} */ extra = {}) {
  /** @type {Record<string, string>} */
  const h = { accept: 'application/json', ...extra };
  const t = token();
  if (t) h.authorization = `Bearer ${t}`;
  return h;
}

/**
 * Calls the management API: `path` relative to its mount point. Resolves with
 * `{ body, status, requestId }`; rejects with an {@link ApiError}.
 */
export async function call(/** @type {string} */ path, /** @type {{ method?: string, body?: unknown }} */ o = {}) {
  const init = {
    method: o.method ?? 'GET',
    headers: headers(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  if (o.body !== undefined) init.body = JSON.stringify(o.body);
  const r = await fetch(config.managementPath + path, init);
  const requestId = r.headers.get('x-request-id') ?? '';
  const text = await r.text();
  const body = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, body, requestId);
  return { body, status: r.status, requestId };
}

/** GET of a management path: the JSON body. */
export async function get(/** @type {string} */ path) {
  return (await call(path)).body;
}

/** The serving router's `/metrics.json`, or `null` when not configured or not answering. */
export async function servingMetrics() {
  if (config.servingPath === null) return null;
  const r = await fetch(`${config.servingPath}/metrics.json`, { headers: { accept: 'application/json' } });
  return r.ok ? r.json() : null;
}

/**
 * Reads a server-sent event stream with fetch, calling `onEvent({ event, data, id })` per event
 * and `onState(text)` on state changes, reconnecting (with Last-Event-ID) until `signal` aborts.
 */
export async function stream(
  /** @type {string} */ path,
  /** @type {{ signal: AbortSignal, onEvent: (e: { event: string, data: any, id: string }) => void, onState?: (s: string) => void, reconnect?: boolean }} */ o,
) {
  let lastId = '';
  let retry = 2000;
  for (;;) {
    if (o.signal.aborted) return;
    try {
      /** @type {Record<string, string>} */
      const extra = { accept: 'text/event-stream' };
      if (lastId) extra['last-event-id'] = lastId;
      const r = await fetch(config.managementPath + path, {
        headers: headers(extra),
        signal: o.signal,
        cache: 'no-store',
      });
      if (!r.ok || !r.body) throw new ApiError(r.status, await r.json().catch(() => null), '');
      o.onState?.('connected');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n/g, '\n');
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          i = buf.indexOf('\n\n');
          let event = 'message';
          let id = '';
          const data = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const c = line.indexOf(':');
            const field = c < 0 ? line : line.slice(0, c);
            const val = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
            if (field === 'event') event = val;
            else if (field === 'data') data.push(val);
            else if (field === 'id') id = val;
            else if (field === 'retry' && /^\d+$/.test(val)) retry = Number(val);
          }
          if (id) lastId = id;
          if (data.length === 0) continue;
          let parsed;
          try {
            parsed = JSON.parse(data.join('\n'));
          } catch {
            parsed = data.join('\n');
          }
          o.onEvent({ event, data: parsed, id });
        }
      }
      if (o.reconnect === false) return;
      o.onState?.('reconnecting');
    } catch (err) {
      if (o.signal.aborted) return;
      if (o.reconnect === false) throw err;
      o.onState?.(
        err instanceof ApiError && (err.status === 401 || err.status === 403) ? 'not authorized' : 'reconnecting',
      );
      if (err instanceof ApiError && err.status === 401) return;
    }
    await new Promise((res) => setTimeout(res, retry));
  }
}
