"""Writes test/fixtures/special-functions.json: reference values of the special functions.

usage: python3 packages/stats/scripts/make-reference.py   (needs mpmath; scipy optional)
The reference is mpmath at 50 significant digits; scipy's value is stored beside it (when scipy
is installed) to show that the reference agrees with what users of scipy would see.
"""
import json
import os

import mpmath as mp

try:
    import scipy
    from scipy import special
except ImportError:  # pragma: no cover
    scipy = None
    special = None

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "special-functions.json")


def f(v):
    return float(v)


def sp(name, *args):
    return None if special is None else float(getattr(special, name)(*args))


log_gamma = []
for x in [1e-300, 1e-10, 1e-5, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01, 1.5, 1.9, 2.1, 2.5, 3, 3.7, 5, 7.5, 10,
          15.5, 20, 33.3, 50, 100, 171.5, 500, 1000, 1234.5, 1e4, 1e5, 1e6, 1e7, 1e10, 1e15,
          -0.5, -1.5, -2.25, -10.1]:
    log_gamma.append({"x": x, "value": f(mp.log(abs(mp.gamma(x)))), "scipy": sp("gammaln", x)})

log_beta = []
for a, b in [(1, 1), (0.5, 0.5), (2, 3), (0.1, 7), (3, 9.5), (10, 20), (100, 200), (1000.5, 3), (1e5, 1e5),
             (0.01, 50), (1e6, 2.5), (1e6, 1), (5e7, 5e7 + 3), (12, 1e9)]:
    log_beta.append({"a": a, "b": b, "value": f(mp.log(mp.beta(a, b))), "scipy": sp("betaln", a, b)})

log_binomial = []
for n, k in [(5, 2), (10, 3), (50, 25), (100, 1), (1000, 7), (1000, 500), (1e6, 1), (1e6, 3), (1e6, 5e5),
             (12345, 12340), (40.5, 2.5)]:
    v = mp.log(mp.binomial(n, k))
    log_binomial.append({"n": n, "k": k, "value": f(v)})

stirling = []
for x in [10, 12.5, 20, 50, 100, 141, 1e3, 1e5, 1e8]:
    x_ = mp.mpf(x)
    v = mp.loggamma(x_) - ((x_ - mp.mpf(1) / 2) * mp.log(x_) - x_ + mp.log(2 * mp.pi) / 2)
    stirling.append({"x": x, "value": f(v)})

gamma = []
for a in [0.01, 0.1, 0.5, 1, 1.5, 2, 3.5, 5, 9.5, 10, 25, 50, 100, 500, 1000, 1e4, 1e5]:
    for x in [1e-8, 1e-3, 0.1, 0.5, 1, 2, 3, 5, 8, 10, 20, 30, 50, 80, 100, 150, 300, 500, 1000, 1100, 9800, 1e4,
              1.05e4, 2e4, 99000, 1e5, 101000]:
        p = mp.gammainc(a, 0, x, regularized=True)
        q = mp.gammainc(a, x, mp.inf, regularized=True)
        if p < 1e-300 or q < 1e-300:
            continue
        gamma.append({"a": a, "x": x, "p": f(p), "q": f(q), "scipyP": sp("gammainc", a, x),
                      "scipyQ": sp("gammaincc", a, x)})

error_function = []
for x in [-5, -2, -1, -0.5, -1e-3, -1e-10, 0, 1e-10, 1e-3, 0.1, 0.3, 0.5, 0.84, 1, 1.5, 2, 3, 4, 5, 6, 10, 15, 20, 26]:
    error_function.append({"x": x, "erf": f(mp.erf(x)), "erfc": f(mp.erfc(x)), "scipyErf": sp("erf", x),
                           "scipyErfc": sp("erfc", x)})

normal = []
for z in [-37, -30, -20, -10, -8.5, -5, -3, -2.5, -1.96, -1, -0.5, -0.1, -1e-5, 0, 1e-5, 0.1, 0.5, 1,
          1.6448536269514722, 1.96, 2.5, 3, 5, 8.5, 10, 20, 30]:
    cdf = mp.ncdf(z)
    normal.append({"z": z, "cdf": f(cdf), "sf": f(mp.ncdf(-z)), "scipyCdf": sp("ndtr", z)})

quantile = []
for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02, 0.02425, 0.025, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5,
          0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999, 0.9999, 1 - 1e-10]:
    guess = -5.0 if special is None else float(special.ndtri(p))
    p_ = mp.mpf(p)  # the double p exactly
    z = mp.findroot(lambda t: mp.log(mp.ncdf(t)) - mp.log(p_), guess) if p != 0.5 else mp.mpf(0)
    quantile.append({"p": p, "value": f(z), "scipy": sp("ndtri", p)})

chi = []
for x, df in [(0.1, 1), (3.841458820694124, 1), (10.827566170662733, 1), (5, 2), (20, 3), (100, 50), (30, 10),
              (1000, 900), (200, 10), (1e-3, 4), (5000, 4000)]:
    chi.append({"x": x, "df": df, "value": f(mp.gammainc(mp.mpf(df) / 2, mp.mpf(x) / 2, mp.inf, regularized=True)),
                "scipy": sp("chdtrc", df, x)})

versions = {"mpmath": mp.__version__}
if scipy is not None:
    versions["scipy"] = scipy.__version__
with open(OUT, "w") as fh:
    json.dump({"versions": versions, "logGamma": log_gamma, "logBeta": log_beta, "logBinomial": log_binomial,
               "stirlingCorrection": stirling, "gamma": gamma, "errorFunction": error_function, "normal": normal,
               "normalQuantile": quantile, "chiSquaredSf": chi}, fh, indent=1)
print("wrote", OUT, len(gamma), "gamma cases")
