"""Accuracy on voices never heard: FSDD leave-one-speaker-out, per fold, per recipe.

Each of FSDD's 6 speakers is held out once (all 500 of their clips); the
recipe trains on the other 5 speakers' 2,500 clips. Printed per fold: the
held-out speaker, accuracy, training time and the model's parameter count;
then the mean. ``--own-split`` also scores FSDD's own split (takes 5-49
train, takes 0-4 test: the test speakers are training speakers) and times
that model from WAV file to word, one file at a time.

Recipes: ``svm`` (svm_pipeline), ``hmm`` (hmm_pipeline with its defaults:
fit-only waveform augmentation, 2 copies per clip), ``hmm-noaug``
(hmm_pipeline(augment=False)), ``tutorial`` (conv1d_pipeline("raw"): the
TensorFlow tutorial), ``conv1d`` (conv1d_pipeline on MFCC), ``kws``
(kws_pipeline with its fit-only augmentation: 2 waveform copies per clip
and SpecAugment), ``kws-ceps`` (the same on 20 cepstra per frame:
``kws_pipeline(n_ceps=20)``), ``kws2d`` (the ensemble's 2-D network:
``kws_pipeline(conv="2d", tempo=None)``), ``ensemble`` (ensemble_pipeline: ``hmm``, a 2-D and a 1-D
keyword-spotting network and ``svm`` voting by the weighted geometric mean of their probabilities);
append ``+aug`` to wrap
any recipe but ``hmm`` and ``kws`` in AugmentedClassifier(WaveAugmenter(n_copies=2))
(e.g. ``svm+aug``).

Run: ``python benchmarks/bench_unseen_voices.py [path/to/fsdd]
[--recipes svm,svm+aug,hmm,hmm-noaug,tutorial,conv1d,kws,kws-ceps,kws2d,ensemble] [--seed 0]
[--own-split] [--verbose]``
(default path ``../shared/data/fsdd``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from bench_end_to_end import wav_to_word_ms  # noqa: E402  (this folder is on sys.path)

from skspeech.datasets import load_fsdd  # noqa: E402
from skspeech.model_selection import speaker_cv_score  # noqa: E402

RECIPES = ("svm", "hmm", "hmm-noaug", "tutorial", "conv1d", "kws", "kws-ceps", "kws2d",
           "ensemble")


def make(recipe, sr, seed, verbose, **kwargs):
    from skspeech import pipelines

    if recipe in ("hmm+aug", "kws+aug"):
        raise ValueError(f"{recipe!r} is now {recipe[:3]!r}: its recipe augments waveforms by "
                         f"default.")
    if recipe.endswith("+aug"):  # fit-only waveform augmentation: 2 perturbed copies per clip
        from skspeech.augment import AugmentedClassifier, WaveAugmenter

        return AugmentedClassifier(make(recipe[:-4], sr, seed, verbose, **kwargs),
                                   WaveAugmenter(sr=sr, n_copies=2, random_state=seed))

    if recipe == "svm":
        return pipelines.svm_pipeline(sr=sr, **kwargs)
    if recipe == "hmm":
        return pipelines.hmm_pipeline(sr=sr, random_state=seed, **kwargs)
    if recipe == "hmm-noaug":
        return pipelines.hmm_pipeline(sr=sr, random_state=seed, augment=False, **kwargs)
    if recipe == "tutorial":
        return pipelines.conv1d_pipeline("raw", sr=sr, random_state=seed, verbose=verbose,
                                         **kwargs)
    if recipe == "conv1d":
        return pipelines.conv1d_pipeline("mfcc", sr=sr, random_state=seed, verbose=verbose,
                                         **kwargs)
    # babble=0.0: the printouts were measured before babble became kws_pipeline's default
    if recipe == "kws":
        return pipelines.kws_pipeline(sr=sr, random_state=seed, verbose=verbose, babble=0.0,
                                      **kwargs)
    if recipe == "kws-ceps":
        return pipelines.kws_pipeline(sr=sr, random_state=seed, verbose=verbose, n_ceps=20,
                                      babble=0.0, **kwargs)
    if recipe == "kws2d":  # the ensemble's 2-D network, whatever it is set to
        from skspeech.pipelines._ensemble import _ENSEMBLE_NETWORK_2D

        return pipelines.kws_pipeline(sr=sr, random_state=seed, verbose=verbose,
                                      **{**_ENSEMBLE_NETWORK_2D, **kwargs})
    if recipe == "ensemble":
        return pipelines.ensemble_pipeline(sr=sr, random_state=seed, verbose=verbose, **kwargs)
    raise ValueError(f"unknown recipe {recipe!r}; choose from {RECIPES}")


def n_params(model):
    """Number of learned values of the pipeline's last step (network weights, SVs, HMMs)."""
    if hasattr(model, "estimators_") and hasattr(model, "le_"):  # voting: all members
        return sum(n_params(member) for member in model.estimators_)
    est = getattr(model, "estimator_", model)  # AugmentedClassifier
    est = est.steps[-1][1] if hasattr(est, "steps") else est
    est = getattr(est, "estimator_", est)  # AugmentedClassifier
    if hasattr(est, "steps"):
        est = est.steps[-1][1]
    if hasattr(est, "model_"):
        return int(est.model_.count_params())
    if hasattr(est, "calibrated_classifiers_"):
        est = est.calibrated_classifiers_[0].estimator
    if hasattr(est, "support_vectors_"):
        return int(est.support_vectors_.size + est.dual_coef_.size + est.intercept_.size)
    if hasattr(est, "models_"):
        total = 0
        for m in est.models_:
            for attr in ("startprob_", "transmat_", "means_", "_covars_", "weights_"):
                value = getattr(m, attr, None)
                if value is not None:
                    total += np.size(value)
        return int(total)
    return -1


def main(argv=None):
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="FSDD folder")
    parser.add_argument("--recipes", default="svm,hmm,tutorial,conv1d,kws")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--own-split", action="store_true", help="also FSDD's own split")
    parser.add_argument("--n-jobs", type=int, default=None, help="folds trained in parallel")
    parser.add_argument("--verbose", action="store_true", help="progress bar per fit")
    args = parser.parse_args(argv)

    data = load_fsdd(args.path, subset="all")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"FSDD leave-one-speaker-out: {len(data.data)} clips, "
          f"{len(np.unique(data.speaker))} speakers, {data.sr} Hz; seed {args.seed}; "
          f"{os.cpu_count()} CPU cores, load average {load:.1f} at start", flush=True)
    summary = []
    for recipe in args.recipes.split(","):
        recipe = recipe.strip()
        model = make(recipe, data.sr, args.seed, int(args.verbose))
        t0 = time.perf_counter()
        res = speaker_cv_score(model, data.data, data.target, data.speaker,
                               return_estimator=True, n_jobs=args.n_jobs)
        total = time.perf_counter() - t0
        print(f"\n{recipe}: held-out speaker, accuracy, train s, parameters")
        for spk, acc, fit_s, est in zip(res.test_speakers, res.accuracy, res.fit_time,
                                        res.estimators):
            print(f"  {', '.join(spk):10} {acc:7.1%} {fit_s:8.1f} {n_params(est):>10,}")
        print(f"  {'mean':10} {res.mean:7.1%} {res.fit_time.mean():8.1f}   "
              f"(std {res.std:.1%}, min {res.accuracy.min():.1%}; {total:.0f} s in all)",
              flush=True)
        row = [recipe, res.mean, res.accuracy.min(), total]
        if args.own_split:
            train = data.take >= 5
            model = make(recipe, data.sr, args.seed, int(args.verbose))
            X = list(data.data)
            t0 = time.perf_counter()
            model.fit([x for x, t in zip(X, train) if t], data.target[train])
            fit_s = time.perf_counter() - t0
            acc = float(np.mean(model.predict([x for x, t in zip(X, train) if not t])
                                == data.target[~train]))
            print(f"  own split  {acc:7.1%} {fit_s:8.1f} {n_params(model):>10,}", flush=True)
            median, p90 = wav_to_word_ms(model, data.filenames[~train][:100], data.sr)
            print(f"  WAV -> word, one clip at a time: median {median:.1f} ms, p90 {p90:.1f} ms "
                  f"(100 test files)", flush=True)
            row.append(acc)
        summary.append(row)
    print("\nrecipe     LOSO mean  worst fold  total s" + ("  own split" if args.own_split else ""))
    for row in summary:
        line = f"{row[0]:10} {row[1]:9.1%} {row[2]:11.1%} {row[3]:8.0f}"
        if args.own_split:
            line += f" {row[4]:10.1%}"
        print(line)


if __name__ == "__main__":
    main()
