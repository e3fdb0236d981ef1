"""Writes test/fixtures/scipy-agreement.json: input vectors and the values scipy/numpy compute.

usage: /tmp/modelship-peer-venv/bin/python packages/drift/scripts/make-fixtures.py
Deterministic (numpy default_rng seeds); re-run after changing a case.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.special import gammaincc

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "scipy-agreement.json")
rng = np.random.default_rng(20261123)


def r(x, nd=6):
    """Round inputs so the JSON stays small and exact (values are re-read as written)."""
    return [float(round(v, nd)) for v in x]


def psi_quantile(ref, cur, bins=10, eps=1e-6):
    edges = np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1])
    rp = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins) / len(ref)
    cp = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=bins) / len(cur)
    rp = np.clip(rp, eps, None)
    cp = np.clip(cp, eps, None)
    return float(np.sum((cp - rp) * np.log(cp / rp))), [float(e) for e in edges]


ks = []
BIG = np.round(rng.normal(0, 1, 12000), 3)
for name, a, b in [
    ("equal-50", rng.normal(0, 1, 50), rng.normal(0.3, 1, 50)),
    ("equal-300-same", rng.normal(0, 1, 300), rng.normal(0, 1, 300)),
    ("unequal-40-70", rng.normal(0, 1, 40), rng.normal(0.5, 1.2, 70)),
    ("unequal-1000-800", rng.normal(0, 1, 1000), rng.normal(0.05, 1, 800)),
    ("ties-int", rng.integers(0, 10, 200).astype(float), rng.integers(0, 11, 150).astype(float)),
    ("exact-max-10000-vs-500", BIG[:10000], rng.normal(0.08, 1, 500)),
    ("asymp-12000-vs-3000-smallshift", BIG, rng.normal(0.02, 1, 3000)),
    ("asymp-12000-vs-3000-shift", BIG, rng.normal(0.06, 1, 3000)),
    ("asymp-12000-vs-2000-tiny", BIG, rng.normal(0.0, 1, 2000)),
    ("asymp-12000-vs-100", BIG, rng.normal(0.1, 1, 100)),
    ("asymp-12000-vs-60", BIG, rng.normal(0.2, 1, 60)),
    ("asymp-12000-vs-400-big", BIG, rng.exponential(1, 400)),
]:
    # Cases on the shared 12,000-value sample store a reference to it ("BIG" or "BIG:<n>" for a prefix).
    shared = "BIG" if a is BIG else f"BIG:{len(a)}" if a.base is BIG else None
    a, b = r(a, 3), r(b, 3)
    res = stats.ks_2samp(a, b, method="auto")
    ks.append({"name": name, "a": shared or a, "b": b, "statistic": float(res.statistic), "pValue": float(res.pvalue)})

ws = []
for name, a, b in [
    ("normal-200-300", rng.normal(0, 1, 200), rng.normal(0.4, 2, 300)),
    ("ties", rng.integers(0, 5, 100).astype(float), rng.integers(0, 7, 80).astype(float)),
    ("skewed-600-400", rng.lognormal(0, 1, 600), rng.lognormal(0.1, 1.1, 400)),
]:
    a, b = r(a, 4), r(b, 4)
    ws.append({"name": name, "a": a, "b": b, "distance": float(stats.wasserstein_distance(a, b))})

chi = []
for name, k, n, shift in [("k5", 5, 500, 0.1), ("k20", 20, 5000, 0.05), ("k50", 50, 100000, 0.02), ("k3-same", 3, 300, 0.0), ("k100-big", 100, 20000, 0.3)]:
    p = rng.dirichlet(np.ones(k))
    p2 = p * np.exp(rng.normal(0, shift, k)) if shift else p
    obs = np.bincount(rng.choice(k, n, p=p2 / p2.sum()), minlength=k).astype(float)
    exp = p * obs.sum()
    res = stats.chisquare(obs, exp)
    chi.append({"name": name, "observed": [float(x) for x in obs], "expected": [float(x) for x in exp],
                "statistic": float(res.statistic), "pValue": float(res.pvalue)})

gam = [{"a": a, "x": x, "q": float(gammaincc(a, x))} for a, x in
       [(0.5, 0.1), (0.5, 3.0), (1.0, 1.0), (2.5, 0.7), (12.0, 9.0), (24.5, 40.0), (24.5, 10.0), (49.5, 80.0), (200.0, 230.0), (3.0, 30.0)]]

js = []
for name, k, base in [("k4-natural", 4, None), ("k10-base2", 10, 2), ("k30-zeros", 30, None)]:
    p = rng.dirichlet(np.ones(k)) * 100
    q = rng.dirichlet(np.ones(k)) * 7
    if name.endswith("zeros"):
        p[:3] = 0
        q[-2:] = 0
    js.append({"name": name, "p": r(p), "q": r(q), "base": base,
               "distance": float(jensenshannon(r(p), r(q), base=base))})

psi = []
for name, a, b in [("normal-2000-1500", rng.normal(0, 1, 2000), rng.normal(0.1, 1.1, 1500)),
                   ("same-2000", rng.normal(0, 1, 2000), rng.normal(0, 1, 2000)),
                   ("skewed-1500-800", rng.lognormal(0, 1, 1500), rng.lognormal(0.3, 1, 800))]:
    a, b = r(a, 4), r(b, 4)
    v, edges = psi_quantile(np.array(a), np.array(b))
    psi.append({"name": name, "reference": a, "current": b, "bins": 10, "edges": edges, "psi": v})

with open(OUT, "w") as f:
    json.dump({"versions": {"numpy": np.__version__, "scipy": scipy.__version__},
               "ksShared": {"BIG": r(BIG, 3)}, "ks": ks, "wasserstein": ws, "chiSquare": chi, "gammaincc": gam, "jensenShannon": js, "psi": psi}, f)
print("wrote", OUT, os.path.getsize(OUT), "bytes")

# River's documented example stream (drift.PageHinkley / drift.ADWIN docstrings): River documents
# the first change at index 1006 (Page-Hinkley) and 1023 (ADWIN) with default parameters.
import random  # noqa: E402

rng_py = random.Random(12345)
stream = rng_py.choices([0, 1], k=1000) + rng_py.choices(range(4, 8), k=1000)
with open(os.path.join(HERE, "..", "test", "fixtures", "river-stream.json"), "w") as f:
    json.dump({"source": "random.Random(12345): choices([0, 1], k=1000) + choices(range(4, 8), k=1000)",
               "riverFirstChange": {"pageHinkley": 1006, "adwin": 1023}, "stream": stream}, f)
