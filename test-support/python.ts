import { spawnSync } from 'node:child_process';

/**
 * The Python interpreter for reference checks (scipy, scikit-learn, LightGBM, shap, onnxruntime),
 * from `MODELSHIP_PYTHON` or `python3`, when it can import every module named; otherwise `null`.
 *
 * With `MODELSHIP_REQUIRE_PYTHON=1` (`.ci/run` sets it after installing the references) a missing
 * module throws instead, so CI never skips a reference check in silence. Tests that get `null`
 * must skip loudly (`describe.skipIf(!py)` with a `console.warn` naming the modules).
 */
export function pythonWith(modules: readonly string[]): string | null {
  const python = process.env.MODELSHIP_PYTHON ?? 'python3';
  const code = modules.map((m) => `import ${m}`).join('; ');
  const r = spawnSync(python, ['-c', code || 'pass'], { encoding: 'utf8' });
  if (r.status === 0) return python;
  const why = `${python} cannot import ${modules.join(', ')}: ${(r.stderr || String(r.error ?? '')).trim().split('\n').pop()}`;
  if (process.env.MODELSHIP_REQUIRE_PYTHON === '1') {
    throw new Error(`${why}. MODELSHIP_REQUIRE_PYTHON=1: install them (python3 -m pip install ${modules.join(' ')}).`);
  }
  console.warn(`SKIPPING Python reference checks: ${why}`);
  return null;
}

/**
 * Runs a Python script with a JSON payload on stdin and returns its stdout parsed as JSON.
 * Throws with the script's stderr when it fails.
 */
export function runPythonJson<T = unknown>(python: string, script: string, input: unknown, timeoutMs = 120_000): T {
  const r = spawnSync(python, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
