"""Regenerates the LightGBM fixtures of @modelship/trees' importer tests.

Run from the repository root:
    /tmp/modelship-peer-venv/bin/python packages/trees/scripts/make-fixtures.py

Trains LightGBM (the wheel installed by ../shared/peer/setup.sh) on the fixed California split
(the 8 scikit-learn features of ../shared/peer/common.py: california_xy) and on Iris (stratified
split of ../shared/datasets/splits/iris.json), and writes into packages/trees/test/fixtures/:
  lightgbm-california.txt / lightgbm-iris.txt    the model text files (model.booster_.save_model)
  lightgbm-california.json / lightgbm-iris.json  the test rows and LightGBM's own predictions
Floats are written with repr(), which round-trips exactly. Few trees keep the files small.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PEER = os.path.abspath(os.path.join(ROOT, "..", "shared", "peer"))
sys.path.insert(0, PEER)
import common as C  # noqa: E402
import lightgbm  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures")
os.makedirs(OUT, exist_ok=True)


def dump(name, model, Xte, payload):
    path = os.path.join(OUT, f"lightgbm-{name}.txt")
    model.booster_.save_model(path)
    payload["lightgbm_version"] = lightgbm.__version__
    payload["x"] = [None if np.isnan(v) else float(v) for v in Xte.ravel()]  # JSON has no NaN: null
    payload["rows"] = int(Xte.shape[0])
    payload["cols"] = int(Xte.shape[1])
    with open(os.path.join(OUT, f"lightgbm-{name}.json"), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    print(name, os.path.getsize(path), "bytes model")


# California: regression, 50 rounds, LightGBM defaults otherwise.
Xtr, ytr, Xte, yte, _ = C.california_xy()
reg = lightgbm.LGBMRegressor(n_estimators=50, random_state=0, verbose=-1).fit(Xtr, ytr)
pred = reg.predict(Xte)
dump("california", reg, Xte, {"task": "regression", "predictions": [float(v) for v in pred],
                               "target_scale": float(np.std(ytr))})

# A second California model with NaN in the training data (missing-value handling), 20 rounds.
Xn = Xtr.copy()
rng = np.random.default_rng(0)
Xn[rng.random(Xn.shape) < 0.1] = np.nan
Xten = Xte[:500].copy()
Xten[rng.random(Xten.shape) < 0.1] = np.nan
regn = lightgbm.LGBMRegressor(n_estimators=20, random_state=0, verbose=-1).fit(Xn, ytr)
dump("california-nan", regn, Xten, {"task": "regression", "predictions": [float(v) for v in regn.predict(Xten)],
                                    "target_scale": float(np.std(ytr))})

# Iris: multiclass softmax, 30 rounds.
X, y, classes = C.load_iris_csv()
with open(os.path.join(C.SPLITS, "iris.json")) as f:
    s = json.load(f)
tr, te = np.asarray(s["train"]), np.asarray(s["test"])
clf = lightgbm.LGBMClassifier(n_estimators=30, random_state=0, verbose=-1, min_child_samples=5).fit(X[tr], y[tr])
proba = clf.predict_proba(X[te])
dump("iris", clf, X[te], {"task": "multiclass", "classes": list(classes),
                          "predictions": [int(v) for v in clf.predict(X[te])],
                          "proba": [float(v) for v in proba.ravel()], "y": [int(v) for v in y[te]]})
