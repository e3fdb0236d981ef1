/** A readable text rendering of a drift report. */
import type { DriftReport, FeatureDriftResult } from './report.js';

const fmt = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(2);

function line(f: FeatureDriftResult): string {
  const p =
    f.pValue === undefined
      ? ''
      : ` p=${fmt(f.pValueAdjusted ?? f.pValue)}${f.pValueAdjusted !== undefined ? ' (adj.)' : ''}`;
  const rule = f.pValue === undefined ? `≥ ${f.threshold}` : `p < ${f.threshold}`;
  const state = f.status !== 'ok' ? 'insufficient data' : f.drifted ? `DRIFT (${f.severity})` : 'ok';
  const extra = f.newCategories?.length ? `  new: ${f.newCategories.map(([c, n]) => `${c}×${n}`).join(', ')}` : '';
  const checks = f.checks
    ?.filter((c) => c.drifted)
    .map((c) => `${c.test}=${fmt(c.statistic)} (${c.severity})`)
    .join(', ');
  return `  ${f.feature.padEnd(20)} ${f.test.padEnd(14)} stat=${fmt(f.statistic)}${p}  [${rule}]  ${state}${extra}${checks ? `  checks: ${checks}` : ''}`;
}

/** Renders a report as plain text (one line per feature, then the summary). */
export function renderDriftReport(report: DriftReport): string {
  const s = report.summary;
  const w = report.window;
  const head = `Drift report ${report.createdAt} — window ${w.kind}${w.mode ? ` ${w.mode}` : ''}${w.size ? ` ${w.size}` : ''}${w.ms ? ` ${w.ms} ms` : ''}, ${w.rows} rows (#${w.index})`;
  const lines = [head, ...report.features.map(line)];
  if (report.prediction) lines.push('  prediction:', line(report.prediction));
  if (report.concept) {
    const c = report.concept;
    lines.push(
      `  concept: ${c.errors} errors, Page–Hinkley ${c.pageHinkley.drifted ? 'DRIFT' : 'ok'} (${c.pageHinkley.detections} detections), ADWIN ${c.adwin.drifted ? 'DRIFT' : 'ok'} (${c.adwin.detections} detections, window ${c.adwin.width})`,
    );
  }
  if (report.ignoredFeatures.length) lines.push(`  ignored (not in profile): ${report.ignoredFeatures.join(', ')}`);
  lines.push(
    `Verdict: ${s.verdict} — ${s.drifted}/${s.evaluated} features drifted (${(s.shareDrifted * 100).toFixed(1)} %, threshold ${(s.shareThreshold * 100).toFixed(0)} %)${s.correction !== 'none' ? `, ${s.correction} correction` : ''}${s.featureAlarms.length ? `; feature alarms: ${s.featureAlarms.join(', ')}` : ''}${s.predictionDrift ? ', prediction drifted' : ''}`,
  );
  return lines.join('\n');
}
