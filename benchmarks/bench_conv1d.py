"""Conv1D recipes on FSDD's own split: accuracy, training time, size, predict times.

The TensorFlow tutorial's network on raw 8 kHz waveforms, and the smaller
networks on MFCC and log-mel frames (``conv1d_pipeline``). FSDD's own split:
takes 5-49 train (2,700 clips), takes 0-4 test (300 clips); the clips are
8 kHz and 0.14-2.28 s long.

Run: ``python benchmarks/bench_conv1d.py [path/to/fsdd] [--recipes raw,mfcc,logmel]
[--seed 0] [--verbose]`` (default path ``../shared/data/fsdd``).
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
from skspeech.pipelines import conv1d_pipeline  # noqa: E402

N_SINGLE = 50


def evaluate(recipe, train, test, seed, verbose):
    model = conv1d_pipeline(recipe, sr=train.sr, random_state=seed, verbose=verbose)
    t0 = time.perf_counter()
    model.fit(train.data, train.target)
    fit_s = time.perf_counter() - t0
    net = model.named_steps["conv1d"]

    model.predict(test.data[:4])  # warm-up: traces the network for a batch
    t0 = time.perf_counter()
    pred = model.predict(test.data)
    batch_ms = 1000 * (time.perf_counter() - t0) / len(test.data)
    acc = float(np.mean(pred == test.target))

    model.predict(test.data[:1])  # warm-up: traces the network for one clip
    single, from_wav = [], []
    for x, path in zip(test.data[:N_SINGLE], test.filenames[:N_SINGLE]):
        t0 = time.perf_counter()
        model.predict([x])
        single.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.predict([read_audio(path)[0]])
        from_wav.append(time.perf_counter() - t0)
    return dict(recipe=recipe, acc=acc, fit_s=fit_s, params=net.model_.count_params(),
                epochs=len(net.history_["loss"]), best=net.best_epoch_ + 1,
                batch_ms=batch_ms, one_ms=1000 * np.median(single),
                wav_ms=1000 * np.median(from_wav))


def main(argv=None):
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="FSDD folder")
    parser.add_argument("--recipes", default="raw,mfcc,logmel",
                        help="comma-separated features: raw, mfcc, logmel")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="progress bar per fit")
    args = parser.parse_args(argv)

    train = load_fsdd(args.path, subset="train")
    test = load_fsdd(args.path, subset="test")
    print(f"FSDD own split: {len(train.data)} train / {len(test.data)} test clips at "
          f"{train.sr} Hz; seed {args.seed}; {os.cpu_count()} CPU cores")
    header = (f"{'recipe':8} {'accuracy':>9} {'fit s':>7} {'params':>10} {'epochs':>7} "
              f"{'best':>5} {'batch ms/clip':>14} {'1 clip ms':>10} {'WAV->word ms':>13}")
    print(header)
    for recipe in args.recipes.split(","):
        r = evaluate(recipe.strip(), train, test, args.seed, int(args.verbose))
        print(f"{r['recipe']:8} {r['acc']:9.1%} {r['fit_s']:7.1f} {r['params']:>10,} "
              f"{r['epochs']:>7} {r['best']:>5} {r['batch_ms']:14.2f} {r['one_ms']:10.2f} "
              f"{r['wav_ms']:13.2f}", flush=True)


if __name__ == "__main__":
    main()
