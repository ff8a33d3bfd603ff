"""Accuracy on voices never heard, on synthetic speech: folds of whole voices, per recipe.

A second check beside FSDD's six real speakers (``bench_unseen_voices.py``):
``make_spoken_commands`` (espeak-ng, the ``synth`` extra) speaks the ten
commands of the TensorFlow tutorial in ``--n-voices`` voices, ``--n-takes``
times each, placed at random in 1 s clips with pink noise at 10-30 dB SNR
(``--clean``: none), as Speech Commands' clips are; each of ``--folds``
folds (``speaker_cv_score(n_splits=...)``: GroupKFold by voice) trains on
the other voices and scores the held-out ones. Printed per fold: accuracy and
training time; then the mean.

Recipes as in ``bench_unseen_voices.py`` (``kws``, ``kws-ceps``, ``svm``,
``hmm``, ``ensemble``, ...).

Run: ``python benchmarks/bench_synthetic_voices.py [--recipes kws,kws-ceps]
[--sr 16000] [--n-voices 40] [--n-takes 2] [--folds 4] [--clean]
[--data-seed 0] [--seed 0] [--n-jobs N]``
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import time  # noqa: E402

from bench_unseen_voices import make  # noqa: E402  (this folder is on sys.path)

from skspeech.datasets import make_spoken_commands  # noqa: E402
from skspeech.model_selection import speaker_cv_score  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="kws,kws-ceps")
    parser.add_argument("--sr", type=int, default=16000)
    parser.add_argument("--n-voices", type=int, default=40)
    parser.add_argument("--n-takes", type=int, default=2)
    parser.add_argument("--folds", type=int, default=4, help="folds of whole voices")
    parser.add_argument("--clean", action="store_true", help="no background noise")
    parser.add_argument("--data-seed", type=int, default=0, help="draws the voices and noise")
    parser.add_argument("--seed", type=int, default=0, help="the recipes' random_state")
    parser.add_argument("--n-jobs", type=int, default=None, help="folds trained in parallel")
    args = parser.parse_args(argv)
    recipes = [r.strip() for r in args.recipes.split(",") if r.strip()]
    for recipe in recipes:  # an unknown name fails now, not after the data and other recipes
        make(recipe, args.sr, args.seed, 0)

    data = make_spoken_commands(n_voices=args.n_voices, n_takes=args.n_takes, sr=args.sr,
                                noise=None if args.clean else (10.0, 30.0),
                                random_state=args.data_seed)
    print(f"synthetic voices: {len(data.data)} clips, {args.n_voices} voices x "
          f"{args.n_takes} takes x {len(set(data.target))} words, {data.sr} Hz, "
          f"{'clean' if args.clean else 'pink noise 10-30 dB SNR'}; {args.folds} folds of "
          f"whole voices; data seed {args.data_seed}, seed {args.seed}", flush=True)
    summary = []
    for recipe in recipes:
        model = make(recipe, data.sr, args.seed, 0)
        t0 = time.perf_counter()
        res = speaker_cv_score(model, data.data, data.target, data.voice, n_splits=args.folds,
                               n_jobs=args.n_jobs)
        total = time.perf_counter() - t0
        print(f"\n{recipe}: fold, held-out voices, accuracy, train s")
        for k, (voices, acc, fit_s) in enumerate(zip(res.test_speakers, res.accuracy,
                                                     res.fit_time)):
            print(f"  {k}  {len(voices):3d} voices {acc:7.1%} {fit_s:8.1f}")
        print(f"  mean           {res.mean:7.1%} {res.fit_time.mean():8.1f}   "
              f"(std {res.std:.1%}, min {res.accuracy.min():.1%}; {total:.0f} s in all)",
              flush=True)
        summary.append((recipe, res.mean, res.accuracy.min(), total))
    print("\nrecipe     mean  worst fold  total s")
    for recipe, mean, worst, total in summary:
        print(f"{recipe:9} {mean:6.1%} {worst:11.1%} {total:8.0f}")


if __name__ == "__main__":
    main()
