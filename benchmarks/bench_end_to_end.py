"""End to end on FSDD: accuracy, training time and WAV -> word latency of the recipes.

Two protocols: FSDD's own split (takes 0-4 of every speaker and digit are the
test set, 300 clips; takes 5-49 train, 2,700) and two speakers held out
(george and lucas: 1,000 test clips of voices never heard in training). For
the SVM, HMM and Conv1D-on-MFCC recipes of :mod:`skspeech.pipelines` with
their default parameters (the HMM's include fit-only waveform augmentation),
``svm-fast`` (the SVM with ``probability=False``, without the calibration
wrapper) and ``hmm-noaug`` (``hmm_pipeline(augment=False)``): test accuracy,
training seconds (wall), and the single-clip latency from a WAV file to a
word (``read_audio`` + ``predict`` on one clip, median and 90th percentile
over 50 test files after a warm-up call), on the 2 cores of this machine
with one BLAS thread. The last column is the 1-minute load average when the
row was printed: on a shared machine, latencies grow with it.

Run: ``python benchmarks/bench_end_to_end.py [path/to/fsdd]
[--pipelines svm,svm-fast,hmm,hmm-noaug,conv1d] [--protocols own,held-out] [--out FILE]``.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from skspeech.datasets import load_fsdd  # noqa: E402
from skspeech.io import read_audio  # noqa: E402

HELD_OUT = ("george", "lucas")
N_SINGLE = 50


def make_model(name, sr):
    from skspeech import pipelines

    if name == "svm":
        return pipelines.svm_pipeline(sr=sr)
    if name == "svm-fast":  # no CalibratedClassifierCV wrapper (no predict_proba)
        return pipelines.svm_pipeline(sr=sr, probability=False)
    if name == "hmm":  # the default: trained on each clip plus 2 perturbed copies
        return pipelines.hmm_pipeline(sr=sr, random_state=0)
    if name == "hmm-noaug":
        return pipelines.hmm_pipeline(sr=sr, random_state=0, augment=False)
    if name == "conv1d":
        return pipelines.conv1d_pipeline("mfcc", sr=sr, random_state=0)
    raise ValueError(f"unknown pipeline {name!r}; expected svm, svm-fast, hmm, hmm-noaug or "
                     f"conv1d")


def protocols(path, which):
    data = load_fsdd(path, subset="all")
    X = np.empty(len(data.data), dtype=object)
    X[:] = data.data
    y, files = np.asarray(data.target), np.asarray(data.filenames)
    take = np.array([int(Path(f).stem.split("_")[2]) for f in files])
    speaker = np.asarray(data.speaker)
    splits = {"own": ("FSDD own split", take >= 5),
              "held-out": (f"held out: {', '.join(HELD_OUT)}", ~np.isin(speaker, HELD_OUT))}
    for key in which:
        label, train = splits[key]
        yield label, (list(X[train]), y[train]), (list(X[~train]), y[~train], files[~train]), \
            data.sr


def evaluate(name, train, test, sr):
    model = make_model(name, sr)
    t0 = time.perf_counter()
    model.fit(*train)
    fit_s = time.perf_counter() - t0
    X_test, y_test, files = test
    acc = float(np.mean(model.predict(X_test) == y_test))
    return (acc, fit_s, *wav_to_word_ms(model, files[:N_SINGLE]))


def wav_to_word_ms(model, paths, sr=None):
    """Median and 90th percentile of read_audio + predict for one file at a time, in ms."""
    model.predict([read_audio(paths[0], sr=sr)[0]])  # warm-up (Keras traces one-clip calls once)
    times = []
    for path in paths:
        t0 = time.perf_counter()
        model.predict([read_audio(path, sr=sr)[0]])
        times.append(1000 * (time.perf_counter() - t0))
    return float(np.median(times)), float(np.percentile(times, 90))


def main(argv=None):
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="FSDD folder")
    parser.add_argument("--pipelines", default="svm,svm-fast,hmm,conv1d")
    parser.add_argument("--protocols", default="own,held-out")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args(argv)
    lines = [f"FSDD, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start",
             "",
             f"{'pipeline':9} {'protocol':26} {'accuracy':>9} {'train s':>8} "
             f"{'WAV->word ms (median)':>22} {'(90th pct)':>11} {'load avg':>9}"]
    print("\n".join(lines), flush=True)
    for label, train, test, sr in protocols(args.path, args.protocols.split(",")):
        for name in args.pipelines.split(","):
            try:
                acc, fit_s, lat, lat90 = evaluate(name, train, test, sr)
            except ImportError as exc:  # optional dependency (hmmlearn, TensorFlow) missing
                line = f"{name:9} {label:26} skipped: {exc}"
            else:
                line = (f"{name:9} {label:26} {acc:9.1%} {fit_s:8.1f} {lat:22.2f} "
                        f"{lat90:11.2f} {os.getloadavg()[0]:9.1f}")
            print(line, flush=True)
            lines.append(line)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
