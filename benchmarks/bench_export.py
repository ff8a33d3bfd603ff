"""TFLite export on FSDD's own split: accuracy of Keras vs float vs int8, file sizes, latency.

Trains each recipe once on FSDD's train split (takes 5-49, 2,700 clips, 8 kHz),
exports it with :func:`skspeech.export.export_tflite` (int8 calibrated on 300
training clips) and scores the Keras pipeline, the float and the int8 ``.tflite``
files on the test split (takes 0-4, 300 clips). Latency is the median over
single clips, after a warm-up: end to end (the pipeline's NumPy front end, then
the network: ``model.predict([x])`` vs ``TFLiteModel.predict([x])``) and the
network alone (Keras ``predict_on_batch`` vs one interpreter call).

Recipes: ``kws`` is ``kws_pipeline(sr=8000)`` (30 k weights on 40 log-mel bands, 48 channels: the
width whose int8 file fits in 64 KB; its default trains on 2 waveform copies
per clip too), ``kws-ceps`` the same on 20 cepstra per frame
(``n_ceps=20``, 27 k weights), ``kws64`` the 1-D network of ``ensemble_pipeline`` and the
earlier default (``stem_filters=64, filters=(64,) * 4, shortcut="conv"``, 57 k
weights), ``kws2d`` its 2-D network (``conv="2d", tempo=None``, 23 k weights), ``conv1d`` is
``conv1d_pipeline("mfcc", sr=8000)``.

Run: ``python benchmarks/bench_export.py [path/to/fsdd] [--models kws,kws-ceps,kws64,kws2d]
[--seed 0] [--cache DIR]`` (default path ``../shared/data/fsdd``). With
``--cache``, fitted pipelines are saved there and reused by the next run with
the same settings (the file name carries a digest of them).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402

from skspeech.datasets import load_fsdd  # noqa: E402
from skspeech.export import TFLiteModel, export_tflite  # noqa: E402

N_SINGLE = 100
N_REPRESENTATIVE = 300


def make_model(name, sr, seed):
    from skspeech.pipelines import conv1d_pipeline, kws_pipeline
    from skspeech.pipelines._ensemble import _ENSEMBLE_NETWORK, _ENSEMBLE_NETWORK_2D

    # babble=0.0: the printout was measured before babble became kws_pipeline's default
    if name == "kws":
        return kws_pipeline(sr=sr, random_state=seed, babble=0.0)
    if name == "kws-ceps":
        return kws_pipeline(sr=sr, random_state=seed, n_ceps=20, babble=0.0)
    if name == "kws64":  # the ensemble's networks, whatever they are set to
        return kws_pipeline(sr=sr, random_state=seed, **_ENSEMBLE_NETWORK)
    if name == "kws2d":  # the ensemble's 2-D network
        return kws_pipeline(sr=sr, random_state=seed, **_ENSEMBLE_NETWORK_2D)
    if name == "conv1d":
        return conv1d_pipeline("mfcc", sr=sr, random_state=seed)
    raise ValueError(f"unknown model {name!r}; choose from kws, kws-ceps, kws64, kws2d, conv1d")


def fitted(name, train, seed, cache):
    model = make_model(name, train.sr, seed)
    # the file name carries a digest of every setting: a changed default is never reused
    settings = re.sub(r" at 0x[0-9a-f]+", "", repr(model.get_params(deep=True)))
    digest = hashlib.sha256(settings.encode()).hexdigest()[:10]
    path = None if cache is None else Path(cache) / f"{name}_seed{seed}_{digest}.joblib"
    if path is not None and path.exists():
        model, fit_s = joblib.load(path)
        return model, fit_s, True
    t0 = time.perf_counter()
    model.fit(train.data, train.target)
    fit_s = time.perf_counter() - t0
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump((model, fit_s), path)
    return model, fit_s, False


def median_ms(fn, items):
    fn(items[0])  # warm-up (traces the Keras network for one clip)
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def evaluate(name, train, test, seed, cache):
    model, fit_s, cached = fitted(name, train, seed, cache)
    pipe = getattr(model, "estimator_", model)  # kws_pipeline: inside AugmentedClassifier
    net = pipe.steps[-1][1]
    rng = np.random.default_rng(0)
    rep = [train.data[i] for i in rng.permutation(len(train.data))[:N_REPRESENTATIVE]]
    row = dict(model=name, weights=net.model_.count_params(), fit_s=fit_s, cached=cached,
               acc_keras=float(np.mean(model.predict(test.data) == test.target)))
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        t0 = time.perf_counter()
        files = export_tflite(model, tmp, representative=rep)
        row["export_s"] = time.perf_counter() - t0
        clips = [[x] for x in test.data[:N_SINGLE]]
        feats = pipe[:-1].transform(test.data[:N_SINGLE])
        feats = net.feature_encoder_.transform(np.asarray(feats, dtype=np.float32))
        row["ms_keras"] = median_ms(model.predict, clips)
        row["net_ms_keras"] = median_ms(lambda f: net.model_.predict_on_batch(f[None]), feats)
        for kind in ("float", "int8"):
            tfl = TFLiteModel(files[kind])
            row[f"acc_{kind}"] = float(np.mean(tfl.predict(test.data) == test.target))
            row[f"kb_{kind}"] = files["sizes"][kind] / 1024
            row[f"ms_{kind}"] = median_ms(tfl.predict, clips)
            row[f"net_ms_{kind}"] = median_ms(lambda f, t=tfl: t.predict_features_proba(f[None]),
                                              feats)
    return row


def main(argv=None):
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fsdd", nargs="?", default=str(default), help="FSDD folder")
    parser.add_argument("--models", default="kws",
                        help="comma-separated: kws, kws-ceps, kws64, kws2d, conv1d (default: kws)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None,
                        help="folder to save fitted pipelines in and reuse them from")
    args = parser.parse_args(argv)
    train = load_fsdd(args.fsdd, subset="train")
    test = load_fsdd(args.fsdd, subset="test")
    print(f"FSDD own split: {len(train.target)} train, {len(test.target)} test clips; "
          f"int8 calibrated on {N_REPRESENTATIVE} training clips; latency: median of "
          f"{N_SINGLE} single clips")
    rows = []
    for name in args.models.split(","):
        row = evaluate(name.strip(), train, test, args.seed, args.cache)
        rows.append(row)
        print(f"{row['model']}: {row['weights']:,} weights, fit {row['fit_s']:.0f} s"
              f"{' (cached)' if row['cached'] else ''}, export {row['export_s']:.0f} s",
              flush=True)
    print()
    print(f"{'model':<8} {'weights':>8} {'Keras':>7} {'float':>7} {'int8':>7} "
          f"{'float KB':>9} {'int8 KB':>8}   per clip ms (network only): "
          f"Keras / float / int8")
    for r in rows:
        print(f"{r['model']:<8} {r['weights']:>8,} {r['acc_keras']:>7.1%} {r['acc_float']:>7.1%} "
              f"{r['acc_int8']:>7.1%} {r['kb_float']:>9.1f} {r['kb_int8']:>8.1f}   "
              f"{r['ms_keras']:.2f} ({r['net_ms_keras']:.2f}) / {r['ms_float']:.2f} "
              f"({r['net_ms_float']:.2f}) / {r['ms_int8']:.2f} ({r['net_ms_int8']:.2f})")


if __name__ == "__main__":
    main()
