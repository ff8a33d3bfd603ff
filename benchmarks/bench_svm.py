"""SVM recipe on FSDD: accuracy (own split, 2 speakers held out), training and predict times.

Run: ``python benchmarks/bench_svm.py [path/to/fsdd]`` (default ``../shared/data/fsdd``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from skspeech.datasets import load_fsdd  # noqa: E402
from skspeech.pipelines import svm_pipeline  # noqa: E402

HELD_OUT = ("george", "lucas")


def evaluate(X_train, y_train, X_test, y_test, sr):
    model = svm_pipeline(sr=sr)
    t0 = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    acc = np.mean(model.predict(X_test) == y_test)
    batch_ms = 1000 * (time.perf_counter() - t0) / len(X_test)
    single = []
    for x in X_test[:50]:
        t0 = time.perf_counter()
        model.predict([x])
        single.append(time.perf_counter() - t0)
    return acc, fit_s, batch_ms, 1000 * np.median(single)


def main(path):
    data = load_fsdd(path, subset="all")
    X = np.empty(len(data.data), dtype=object)
    X[:] = data.data
    y, speaker = np.asarray(data.target), np.asarray(data.speaker)
    train = load_fsdd(path, subset="train")
    test = load_fsdd(path, subset="test")
    rows = [("FSDD own split", *evaluate(train.data, train.target, test.data, test.target,
                                          data.sr))]
    held = np.isin(speaker, HELD_OUT)
    rows.append((f"held out: {', '.join(HELD_OUT)}",
                 *evaluate(list(X[~held]), y[~held], list(X[held]), y[held], data.sr)))
    print(f"{'protocol':28} {'accuracy':>9} {'fit s':>7} {'batch ms/clip':>14} "
          f"{'1 clip ms':>10}")
    for name, acc, fit_s, batch_ms, one_ms in rows:
        print(f"{name:28} {acc:9.1%} {fit_s:7.1f} {batch_ms:14.2f} {one_ms:10.2f}")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    main(sys.argv[1] if len(sys.argv) > 1 else default)
