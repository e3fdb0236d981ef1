/**
 * `npm run bench -- start [seconds]`: what a new user sees on `npm start`, measured. Runs
 * `node scripts/start.mjs` (the README's `npm start`) on a free port with a fresh registry folder,
 * so the three pipelines are trained on first start, exactly as on a fresh clone; the build step
 * is timed on its own ("building… done in N s") and every figure below counts from the moment it
 * finished. Polls over HTTP until each pipeline answers `/predict` and the dashboard page loads,
 * then until each simulated rollout reaches a promotion or a rollback in the management API
 * (`/manage/models/<m>/history`), or `seconds` (default 240) pass. Ctrl-C (SIGINT) at the end
 * must stop it gracefully (exit 0). Writes bench/results/start.json:
 * `{ case, servedAfterMs, decidedAfterMs, decision }` per pipeline and a summary.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverage, writeResults, type BenchRecord } from './_lib.js';

const LIMIT_MS = Number(process.argv[2] ?? 240) * 1000;
const ROWS: Record<string, Record<string, unknown>> = {
  iris: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
  california: {
    longitude: -122.23,
    latitude: 37.88,
    housing_median_age: 41,
    total_rooms: 880,
    total_bedrooms: 129,
    population: 322,
    households: 126,
    median_income: 8.3252,
    ocean_proximity: 'NEAR BAY',
  },
  bangalore: { location: 'Whitefield', total_sqft: 1200, bath: 2, bhk: 2 },
};

const registryDir = mkdtempSync(join(tmpdir(), 'modelship-start-'));
const child = spawn('node', ['scripts/start.mjs', '--port', '0', '--registry', registryDir], {
  env: { ...process.env, PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true, // its own process group, which gets the SIGINT as a terminal's Ctrl-C would
});
const interrupt = (sig: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* already gone */
  }
};
const lines: { atMs: number; line: string }[] = [];
let built: number | undefined;
let url: string | undefined;
let token: string | undefined;
let buffer = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  buffer += chunk;
  const now = Date.now();
  // the build line ends without a newline until "done in N s"
  if (built === undefined && /building… done in/.test(buffer)) built = now;
  let i = buffer.indexOf('\n');
  while (i >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    lines.push({ atMs: now, line });
    process.stdout.write(`[start] ${line}\n`);
    const d = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/dashboard\/\s+\(token: ([^)]+)\)/.exec(line);
    if (d) {
      url = d[1];
      token = d[2];
    }
    i = buffer.indexOf('\n');
  }
});
const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
// the build (turbo, cached or not) is not counted: wait for it as long as it takes, up to 15 min
while ((built === undefined || url === undefined) && Date.now() - t0 < 900_000 && child.exitCode === null)
  await sleep(100);
if (built === undefined || url === undefined) {
  interrupt('SIGKILL');
  throw new Error(
    `npm start printed no banner (exit ${child.exitCode}); its output: ${lines.map((l) => l.line).join(' | ')}`,
  );
}
const auth = { authorization: `Bearer ${token}` };

const pipelines = ['iris', 'california', 'bangalore'];
const served: Record<string, number> = {};
const decided: Record<string, { atMs: number; decision: string }> = {};
let dashboardMs: number | undefined;
while (Date.now() - built < LIMIT_MS) {
  for (const m of pipelines) {
    if (served[m] === undefined) {
      const r = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: m, row: ROWS[m] }),
      }).catch(() => undefined);
      if (r?.status === 200) served[m] = Date.now() - built;
      else await r?.arrayBuffer();
    }
    if (decided[m] === undefined) {
      const r = await fetch(`${url}/manage/models/${m}/history`, { headers: auth }).catch(() => undefined);
      if (r?.status === 200) {
        const h = ((await r.json()) as { history: { action: string }[] }).history;
        const d = h.find((x) => x.action === 'promote' || x.action === 'rollback');
        if (d) decided[m] = { atMs: Date.now() - built, decision: h.map((x) => x.action).join(' → ') };
      } else await r?.arrayBuffer();
    }
  }
  if (dashboardMs === undefined) {
    const r = await fetch(`${url}/dashboard/`).catch(() => undefined);
    if (r?.status === 200 && (await r.text()).includes('<script type="module"')) dashboardMs = Date.now() - built;
  }
  if (pipelines.every((m) => decided[m] !== undefined) && dashboardMs !== undefined) break;
  await sleep(250);
}
interrupt('SIGINT');
const code = await exited;
rmSync(registryDir, { recursive: true, force: true });

const records: BenchRecord[] = pipelines.map((m) => ({
  case: m,
  servedAfterMs: served[m] ?? null,
  decidedAfterMs: decided[m]?.atMs ?? null,
  decision: decided[m]?.decision ?? null,
}));
records.push({
  case: 'summary',
  dashboardAfterMs: dashboardMs ?? null,
  allServedAfterMs: pipelines.every((m) => served[m] !== undefined)
    ? Math.max(...pipelines.map((m) => served[m]!))
    : null,
  gracefulExit: code === 0,
  limitMs: LIMIT_MS,
  loadAverage: loadAverage(),
  note: 'from the end of the build of `npm start`; fresh registry folder, so first start trains the three pipelines',
});
writeResults('start', records);
if (code !== 0) process.exitCode = 1;
