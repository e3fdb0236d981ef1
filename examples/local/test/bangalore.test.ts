/**
 * The seeds' endpoints of the local app (issue #15), against `startLocal` on a free port with no
 * simulator and no challenger (so every count is exact): the Bangalore page in Debian's chromium
 * (playwright-core, never a downloaded browser) under helmet's default CSP — a prediction, then
 * each kind of feedback seen in the per-variant aggregates —, the `/api/*` endpoints over HTTP,
 * California's `/model/info` and Iris's `/reload`. Needs the shared CSVs in MODELSHIP_DATA_DIR.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IRIS_SCHEDULE, type LocalHandle, pipelinesFor, startLocal } from '../src/app.js';

const DATA_DIR = process.env.MODELSHIP_DATA_DIR;
const HAVE_DATA =
  DATA_DIR !== undefined &&
  existsSync(join(DATA_DIR, 'bengaluru_house_data.csv')) &&
  existsSync(join(DATA_DIR, 'california_housing.csv'));
const CHROMIUM = '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM);
if (!HAVE_DATA || !HAVE_BROWSER) {
  const why = [
    ...(HAVE_DATA
      ? []
      : [`no bengaluru_house_data.csv / california_housing.csv in MODELSHIP_DATA_DIR (${DATA_DIR ?? 'unset'})`]),
    ...(HAVE_BROWSER ? [] : [`no chromium at ${CHROMIUM} (apt-get install chromium)`]),
  ].join('; ');
  console.warn(`\n*** examples/local bangalore.test.ts SKIPPED: ${why} ***\n`);
  if (process.env.CI === 'true')
    describe('seed endpoints (examples/local)', () => {
      it('has its data and browser in CI', () => {
        throw new Error(`seed endpoint tests cannot run in CI: ${why}`);
      });
    });
}

interface Feedback {
  count: number;
  ratingCount: number;
  correctCount: number;
  correctTotal: number;
  actualCount: number;
}
interface Aggregates {
  variants: Record<string, { requests: number; modelVersion?: string; feedback: Feedback }>;
}

/** The part of a DOM element the page function reads (the test's lib has no DOM types). */
interface HTMLLike {
  dataset: Record<string, string | undefined>;
  className: string;
}

let handle: LocalHandle | undefined;
let browser: Browser | undefined;

const post = (path: string, body: Record<string, string>) =>
  fetch(`${handle!.url}${path}`, { method: 'POST', body: new URLSearchParams(body) });
const getJson = async <T>(path: string): Promise<T> => (await (await fetch(`${handle!.url}${path}`)).json()) as T;
const aggregates = async (): Promise<Aggregates> =>
  (await getJson<{ aggregates: Aggregates }>('/api/metrics')).aggregates;

/** Polls the aggregates until `ok` holds of the variant's (the store records off the request path). */
async function until(variant: string, ok: (f: Feedback, requests: number) => boolean): Promise<Aggregates> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const a = await aggregates();
    const v = a.variants[variant];
    if (v && ok(v.feedback, v.requests)) return a;
    if (Date.now() > deadline) throw new Error(`aggregates never matched: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(HAVE_DATA && HAVE_BROWSER)('seed endpoints (examples/local)', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    handle = await startLocal({
      registryDir: mkdtempSync(join(tmpdir(), 'modelship-seeds-')),
      port: 0,
      dataDir: DATA_DIR!,
      pipelines: ['iris', 'california', 'bangalore'],
      simulate: false,
      challenger: false,
    });
    await handle.ready;
    console.log(`seeds: three first versions trained and served after ${Date.now() - t0} ms`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await handle?.close();
  });

  it('the Bangalore page: locations, an estimate, then stars, accurate and actual price, each in the aggregates', async () => {
    const page: Page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      // the bad input below is a 400 by design; anything else (a CSP violation, a script error) is a failure
      if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(m.text());
    });
    const res = await page.goto(`${handle!.url}/bangalore/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('#location:not([disabled])');
    const count = Number(await page.getAttribute('#location', 'data-count'));
    expect(count).toBeGreaterThan(100);
    expect(await page.locator('#location option[value="Whitefield"]').count()).toBe(1);

    // a bad input first: the problem's field is shown, nothing predicted
    await page.selectOption('#location', 'Whitefield');
    await page.fill('#total_sqft', '');
    await page.click('#estimate-button');
    await page.waitForSelector('#estimate-result.error');
    expect(await page.textContent('#estimate-result')).toContain('total_sqft');

    const estimate = async (): Promise<{ variant: string; price: number }> => {
      await page.fill('#total_sqft', '1200');
      await page.fill('#bhk', '2');
      await page.fill('#bath', '2');
      const before = await page.getAttribute('#estimate-result', 'data-request-id');
      await page.click('#estimate-button');
      await page.waitForFunction((b) => {
        const doc = (globalThis as unknown as { document: { getElementById(id: string): HTMLLike | null } }).document;
        const el = doc.getElementById('estimate-result');
        return el?.dataset.requestId !== undefined && el.dataset.requestId !== b && el.className.includes('ok');
      }, before);
      expect(await page.textContent('#estimate-result')).toMatch(
        /Estimated price: [0-9.]+ lakh \(model v1, production\)/,
      );
      expect(await page.isVisible('#feedback')).toBe(true);
      return {
        variant: (await page.getAttribute('#estimate-result', 'data-variant'))!,
        price: Number(await page.getAttribute('#estimate-result', 'data-price')),
      };
    };
    const send = async (): Promise<void> => {
      await page.click('#feedback-button');
      await page.waitForSelector('#feedback-result[data-recorded="true"], #feedback-result.error');
      expect(await page.textContent('#feedback-result')).toContain('feedback recorded for model v1 (production)');
    };

    const base = await aggregates();
    const b = base.variants.production?.feedback ?? {
      count: 0,
      ratingCount: 0,
      correctCount: 0,
      correctTotal: 0,
      actualCount: 0,
    };
    const requests0 = base.variants.production?.requests ?? 0;

    // 1. stars
    const first = await estimate();
    expect(first.variant).toBe('production');
    expect(first.price).toBeGreaterThan(10);
    await page.click('.star[data-stars="4"]');
    expect(await page.textContent('#stars-result')).toContain('4 stars chosen');
    await send();
    expect(await page.textContent('#stars-result')).toBe('Recorded: 4 stars');
    expect(await page.textContent('#accurate-result')).toBe('Not answered');
    expect(await page.isDisabled('#feedback-button')).toBe(true); // one feedback per estimate
    let a = await until('production', (f) => f.count === b.count + 1);
    expect(a.variants.production!.feedback).toMatchObject({
      count: b.count + 1,
      ratingCount: b.ratingCount + 1,
      correctTotal: b.correctTotal,
      actualCount: b.actualCount,
    });

    // 2. accurate
    await estimate();
    await page.click('#accurate-yes');
    await send();
    expect(await page.textContent('#accurate-result')).toBe('Recorded: accurate — yes');
    a = await until('production', (f) => f.count === b.count + 2);
    expect(a.variants.production!.feedback).toMatchObject({
      count: b.count + 2,
      ratingCount: b.ratingCount + 1,
      correctCount: b.correctCount + 1,
      correctTotal: b.correctTotal + 1,
      actualCount: b.actualCount,
    });

    // 3. the actual price
    const third = await estimate();
    await page.fill('#actual_price', String(Math.round(third.price * 1.1)));
    await send();
    expect(await page.textContent('#actual-result')).toMatch(/^Recorded: actual price [0-9.]+ lakh$/);
    a = await until('production', (f, n) => f.count === b.count + 3 && n >= requests0 + 3);
    expect(a.variants.production!.feedback).toMatchObject({
      count: b.count + 3,
      ratingCount: b.ratingCount + 1,
      correctTotal: b.correctTotal + 1,
      actualCount: b.actualCount + 1,
    });
    expect(a.variants.production!.requests).toBe(requests0 + 3);

    // the serving router's /metrics.json tells the same
    const mj = await getJson<{ models: Record<string, Aggregates> }>('/metrics.json');
    expect(mj.models.bangalore!.variants.production!.feedback).toEqual(a.variants.production!.feedback);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('HTTP: /api/predict_home_price, get_location_names, health, metrics, feedback, and 400s naming the field', async () => {
    const names = await getJson<{ locations: string[]; version: number }>('/api/get_location_names');
    expect(names.version).toBe(1);
    expect(names.locations.length).toBeGreaterThan(100);
    expect(names.locations).toContain('Whitefield');
    expect([...names.locations].sort((x, y) => x.localeCompare(y))).toEqual(names.locations);

    const ok = await post('/api/predict_home_price', {
      location: 'Whitefield',
      total_sqft: '1056',
      bhk: '2',
      bath: '2',
    });
    expect(ok.status).toBe(200);
    const p = (await ok.json()) as { estimated_price: number; requestId: string; variant: string; version: number };
    expect(Object.keys(p).sort()).toEqual(['estimated_price', 'requestId', 'variant', 'version']);
    expect(p).toMatchObject({ variant: 'production', version: 1 });
    expect(p.estimated_price).toBeGreaterThan(0);
    // JSON bodies too
    const js = await fetch(`${handle!.url}/api/predict_home_price`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ location: 'Whitefield', total_sqft: 2000, bhk: 3, bath: 3 }),
    });
    expect(js.status).toBe(200);

    for (const [body, field] of [
      [{ location: 'Whitefield', total_sqft: 'abc', bhk: '2', bath: '2' }, 'total_sqft'],
      [{ total_sqft: '1000', bhk: '2', bath: '2' }, 'location'],
      [{ location: 'Whitefield', total_sqft: '1000', bhk: '0', bath: '2' }, 'bhk'],
      [{ location: 'Whitefield', total_sqft: '1000', bhk: '2' }, 'bath'],
    ] as const) {
      const r = await post('/api/predict_home_price', body);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(await r.json()).toMatchObject({ status: 400, code: 'INVALID_INPUT', field });
    }

    expect(await getJson('/api/health')).toMatchObject({ status: 'ok', model: 'bangalore', ready: true, version: 1 });

    const before = (await aggregates()).variants.production!.feedback;
    const fb = await post('/api/feedback', { requestId: p.requestId, stars: '5', accurate: 'no', actual_price: '60' });
    expect(fb.status).toBe(200);
    expect(await fb.json()).toMatchObject({
      recorded: true,
      variant: 'production',
      version: 1,
      stars: 5,
      accurate: 'no',
      actual_price: 60,
    });
    const after = (await until('production', (f) => f.count === before.count + 1)).variants.production!.feedback;
    expect(after).toMatchObject({
      ratingCount: before.ratingCount + 1,
      correctCount: before.correctCount,
      correctTotal: before.correctTotal + 1,
      actualCount: before.actualCount + 1,
    });
    const again = await post('/api/feedback', { requestId: p.requestId, stars: '4' });
    expect(again.status).toBe(409);
    for (const [body, field, status] of [
      [{ requestId: p.requestId, stars: '6' }, 'stars', 400],
      [{ requestId: p.requestId, accurate: 'maybe' }, 'accurate', 400],
      [{ requestId: p.requestId, actual_price: 'lots' }, 'actual_price', 400],
      [{ stars: '3' }, 'requestId', 400],
    ] as const) {
      const r = await post('/api/feedback', body);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(await r.json()).toMatchObject({ field });
    }
    const forged = await post('/api/feedback', { requestId: 'not-a-request-id', stars: '3' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
  });

  it('California: GET /model/info — version, schema with ranges, offline metrics, rollout', async () => {
    const res = await fetch(`${handle!.url}/model/info`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as {
      model: string;
      version: number;
      schema: {
        columns: Record<
          string,
          { type: string; min?: number; max?: number; trainingRange?: { min: number; max: number } }
        >;
      };
      metrics: Record<string, number | null>;
      rollout: { revision: number; production: number; weights: { production: number } };
    };
    expect(info).toMatchObject({
      model: 'california',
      version: 1,
      rollout: { production: 1, weights: { production: 1 } },
    });
    expect(info.rollout.revision).toBeGreaterThanOrEqual(1);
    expect(info.schema.columns.longitude).toMatchObject({ type: 'numeric', min: -180, max: 180 });
    const income = info.schema.columns.median_income!.trainingRange!;
    expect(income.min).toBeGreaterThanOrEqual(0);
    expect(income.max).toBeGreaterThan(income.min);
    expect(info.schema.columns.median_house_value).toBeUndefined(); // the target is not an input
    expect(Object.keys(info.metrics).length).toBeGreaterThan(0);
    expect(Object.values(info.metrics).some((v) => typeof v === 'number')).toBe(true);
  });

  it('Iris: POST /reload answers the served version of the registry’s current revision; the daily schedule', async () => {
    const auth = { authorization: `Bearer ${handle!.adminToken}` };
    const stored = (await (await fetch(`${handle!.url}/manage/models/iris/rollout`, { headers: auth })).json()) as {
      revision?: number;
      rollout?: { revision: number };
    };
    const revision = stored.revision ?? stored.rollout?.revision;
    const res = await fetch(`${handle!.url}/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: string; version: number; revision: number };
    expect(body).toMatchObject({ model: 'iris', version: 1 });
    if (revision !== undefined) expect(body.revision).toBe(revision);
    const get = await fetch(`${handle!.url}/reload`); // POST only
    expect(get.status).toBe(404);
    expect(get.headers.get('content-type')).toContain('application/problem+json');
    const iris = pipelinesFor(undefined, ['iris']).pipelines[0]!;
    expect(iris.config.schedule).toBe('0 3 * * *');
    expect(IRIS_SCHEDULE).toBe('0 3 * * *');
  });
});
