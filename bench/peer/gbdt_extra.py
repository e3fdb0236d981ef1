"""LightGBM peers of the extra GBDT cases of bench/trees.ts: California x16 rows (the training rows
tiled 16 times, 264k rows) and a 3-class California task (price terciles of the training rows),
both with the `_matched` settings (100 rounds, lr 0.1, 31 leaves, 20 rows per leaf, 255 bins,
lambda 0, no early stopping) on PEER_THREADS threads (default 1).

usage: PEER_THREADS=1 /tmp/modelship-peer-venv/bin/python bench/peer/gbdt_extra.py
Writes $PEER_OUT/py_california_gbdt_extra.json (default /tmp/modelship-peer) in the layout of
../shared/peer/bench_california.py (models.<name>.fit_s, r2 or accuracy; threads).
"""
import os
import sys

import numpy as np

PEER_DIR = os.environ.get("PEER_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peer"))
sys.path.insert(0, PEER_DIR)
import common as C  # noqa: E402
import lightgbm  # noqa: E402

THREADS = int(os.environ.get("PEER_THREADS", "1"))
MATCHED = dict(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
               reg_lambda=0.0, max_bin=255, n_jobs=THREADS, random_state=0, verbose=-1)


def terciles(y, ref):
    """0, 1, 2 by the training terciles (the same cut points as bench/trees.ts)."""
    s = np.sort(ref)
    a, b = s[len(s) // 3], s[(2 * len(s)) // 3]
    return np.where(y <= a, 0, np.where(y <= b, 1, 2))


def main():
    Xtr, ytr, Xte, yte, _ = C.california_xy()
    res = {"dataset": "california_housing", "threads": THREADS,
           "versions": {"lightgbm": lightgbm.__version__, "numpy": np.__version__}, "models": {}}
    X16, y16 = np.tile(Xtr, (16, 1)), np.tile(ytr, 16)
    fit_s, all_s, m = C.median_time(lambda: lightgbm.LGBMRegressor(**MATCHED).fit(X16, y16), 3)
    res["models"]["LightGBM_matched_x16"] = {"fit_s": fit_s, "fit_s_all": all_s, "n_train": len(X16),
                                             **C.regression_metrics(yte, m.predict(Xte))}
    c_tr, c_te = terciles(ytr, ytr), terciles(yte, ytr)
    fit_s, all_s, m = C.median_time(lambda: lightgbm.LGBMClassifier(**MATCHED).fit(Xtr, c_tr), 3)
    acc = float(np.mean(m.predict(Xte) == c_te))
    res["models"]["LightGBM_matched_terciles"] = {"fit_s": fit_s, "fit_s_all": all_s, "accuracy": acc}
    for k, v in res["models"].items():
        print(f"{k:28s} fit={v['fit_s']:.3f}s {'r2=%.4f' % v['r2'] if 'r2' in v else 'acc=%.4f' % v['accuracy']}", flush=True)
    os.makedirs(C.OUT, exist_ok=True)
    C.write_json(os.path.join(C.OUT, "py_california_gbdt_extra.json"), res)


if __name__ == "__main__":
    main()
