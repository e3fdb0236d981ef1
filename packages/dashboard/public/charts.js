// uPlot charts of a rollout (loaded only by the rollout view). Every chart has a text summary
// next to it, and series differ by dash pattern as well as by colour.

/** @type {Promise<any> | undefined} */
let uplot;
const load = () => {
  uplot ??= import('./vendor/uPlot.esm.js').then((m) => m.default);
  return uplot;
};

const WIDTH = 560;
const HEIGHT = 220;

/**
 * Traffic over time: requests of production and of the candidate at each decision.
 * @param {HTMLElement} el
 * @param {any[]} decisions oldest first
 */
export async function trafficChart(el, decisions) {
  const UPlot = await load();
  const xs = decisions.map((d) => d.at / 1000);
  const prod = decisions.map((d) => d.evidence?.requests?.production ?? null);
  const cand = decisions.map((d) => d.evidence?.requests?.candidate ?? null);
  return new UPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      series: [
        { label: 'time' },
        { label: 'production requests', stroke: '#1f4e99', width: 2 },
        { label: 'candidate requests', stroke: '#b35900', width: 2, dash: [6, 4] },
      ],
      axes: [{}, { label: 'requests' }],
    },
    [xs, prod, cand],
    el,
  );
}

/**
 * The composite delta (candidate − production) with its confidence band against the promote and
 * rollback thresholds.
 * @param {HTMLElement} el
 * @param {any[]} decisions oldest first
 * @param {{ promote: number | null, rollback: number | null }} thresholds
 */
export async function deltaChart(el, decisions, thresholds) {
  const UPlot = await load();
  const xs = decisions.map((d) => d.at / 1000);
  const c = decisions.map((d) => d.evidence?.composite ?? null);
  const delta = c.map((x) => (x && Number.isFinite(x.delta) ? x.delta : null));
  const lo = c.map((x) => (x?.ci ? x.ci[0] : null));
  const hi = c.map((x) => (x?.ci ? x.ci[1] : null));
  const promote = xs.map(() => thresholds.promote);
  const rollback = xs.map(() => thresholds.rollback);
  return new UPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      series: [
        { label: 'time' },
        { label: 'composite delta', stroke: '#222', width: 2 },
        { label: 'CI low', stroke: '#6a6a6a', dash: [2, 3] },
        { label: 'CI high', stroke: '#6a6a6a', dash: [2, 3] },
        { label: 'promote threshold', stroke: '#1b6e2a', dash: [10, 4] },
        { label: 'rollback threshold', stroke: '#a61b1b', dash: [4, 2, 1, 2] },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(100,100,100,0.15)' }],
      axes: [{}, { label: 'delta' }],
    },
    [xs, delta, lo, hi, promote, rollback],
    el,
  );
}
