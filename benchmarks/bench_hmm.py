"""HMM recipe on FSDD: accuracy (own split, 2 speakers held out), training and predict times.

Run: ``python benchmarks/bench_hmm.py [path/to/fsdd] [--all-pairs] [--no-augment]``
(default ``../shared/data/fsdd``). ``--all-pairs`` also trains on 4 speakers and
tests on the other 2 for each of the 15 pairs of speakers, and prints the spread.
The recipe's defaults train on every clip plus 2 perturbed copies (fit-only
augmentation); ``--no-augment`` measures ``hmm_pipeline(augment=False)``.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import itertools  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from skspeech.datasets import load_fsdd  # noqa: E402
from skspeech.pipelines import hmm_pipeline  # noqa: E402

# The same pair as benchmarks/bench_svm.py, so that the figures compare.
HELD_OUT = ("george", "lucas")


AUGMENT = True


def evaluate(X_train, y_train, X_test, y_test, sr, latency=True):
    model = hmm_pipeline(sr=sr, augment=AUGMENT, random_state=0)
    t0 = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    acc = np.mean(model.predict(X_test) == y_test)
    batch_ms = 1000 * (time.perf_counter() - t0) / len(X_test)
    single = []
    for x in X_test[:50] if latency else []:
        t0 = time.perf_counter()
        model.predict([x])
        single.append(time.perf_counter() - t0)
    return acc, fit_s, batch_ms, 1000 * np.median(single) if single else np.nan


def main(path, all_pairs=False):
    data = load_fsdd(path, subset="all")
    X = np.empty(len(data.data), dtype=object)
    X[:] = data.data
    y, speaker = np.asarray(data.target), np.asarray(data.speaker)
    train = load_fsdd(path, subset="train")
    test = load_fsdd(path, subset="test")
    model = hmm_pipeline(sr=data.sr, augment=AUGMENT)
    pipe = model.estimator if AUGMENT else model
    print(f"hmm_pipeline(sr={data.sr}, augment={AUGMENT}): {pipe.named_steps['hmm']}"
          + (f", trained with {model.augmenter}" if AUGMENT else ""))
    rows = [("FSDD own split", *evaluate(train.data, train.target, test.data, test.target,
                                          data.sr))]
    held = np.isin(speaker, HELD_OUT)
    rows.append((f"held out: {', '.join(HELD_OUT)}",
                 *evaluate(list(X[~held]), y[~held], list(X[held]), y[held], data.sr)))
    print(f"{'protocol':28} {'accuracy':>9} {'fit s':>7} {'batch ms/clip':>14} "
          f"{'1 clip ms':>10}")
    for name, acc, fit_s, batch_ms, one_ms in rows:
        print(f"{name:28} {acc:9.1%} {fit_s:7.1f} {batch_ms:14.2f} {one_ms:10.2f}", flush=True)
    if all_pairs:
        accs = []
        for pair in itertools.combinations(sorted(set(speaker)), 2):
            held = np.isin(speaker, pair)
            acc, *_ = evaluate(list(X[~held]), y[~held], list(X[held]), y[held], data.sr,
                               latency=False)
            accs.append(acc)
            print(f"{'held out: ' + ', '.join(pair):28} {acc:9.1%}", flush=True)
        print(f"{'all 15 pairs':28} mean {np.mean(accs):.1%}, min {np.min(accs):.1%}, "
              f"max {np.max(accs):.1%}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a not in ("--all-pairs", "--no-augment")]
    AUGMENT = "--no-augment" not in sys.argv[1:]
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    main(args[0] if args else default, all_pairs="--all-pairs" in sys.argv[1:])
