"""Accuracy on real Speech Commands voices never heard: every recipe, the seven words and 12-class.

Reads the development copy of Speech Commands (``../shared/data/speech_commands_dev``: 4,925
real clips, ~1,570 speakers) and splits it by speaker with the dataset's own SHA-1 rule: the
``train`` subset trains, the ``validation`` subset (speakers never heard in training) scores.
Two tasks:

- ``words``: the seven well-covered words (yes, no, up, down, left, right, stop);
- ``12``: the same words plus ``_unknown_`` (clips of the other 28 words) and ``_silence_``
  (one-second windows of the background-noise recordings), built by
  ``load_speech_commands(task="12")``: the shape of the standard 12-class task. The
  validation clips keep the standard share of ``_unknown_`` (10 % of the word clips); the
  training clips, as ``skspeech train`` builds them, take twice that share
  (``unknown_percentage=20``: here every clip of the other words) with the rare words repeated
  (:func:`skspeech.datasets.balance_unknown_words`); ``--unknown standard`` trains on the
  standard share instead.

Printed per recipe and task: accuracy, training seconds, and for ``12`` the false-accept rate
(``_unknown_`` or ``_silence_`` clips heard as a command) and the false-reject rate (commands
heard as ``_unknown_``/``_silence_``); the network recipes mix the training subset's stretch of
``_background_noise_`` into their waveform copies (as ``skspeech train`` does). ``--noise``
also scores each model with the validation stretch of the noise recordings (never heard in
training) mixed into the test clips at 20, 10, 5 and 0 dB SNR. ``--save DIR`` keeps each
model's validation probabilities (``RECIPE-TASK.npz``) to combine offline.

Recipes: ``svm``, ``hmm``, ``conv1d`` (on MFCC), ``kws`` (kws_pipeline), ``kws2d``
(kws_pipeline(conv="2d")), ``ensemble`` (ensemble_pipeline with its defaults: the HMM, a 2-D
and a 1-D network and the SVM). For ``ensemble`` the same fitted members also vote without the
HMM and the SVM (``ensemble-nets``: ``ensemble_pipeline(hmm=False, svm=False)``), and each
member is scored alone (``kws``: the 2-D network, ``kws_pipeline(conv="2d", tempo=None)``;
``kws2``: the 64-channel 1-D one).

Run: ``python benchmarks/bench_speech_commands.py [path]
[--recipes svm,hmm,conv1d,kws,kws2d,ensemble] [--tasks words,12] [--noise] [--seed 0]
[--unknown balanced|all|standard] [--save DIR] [--verbose]``.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from skspeech.datasets import balance_unknown_words, load_speech_commands  # noqa: E402
from skspeech.datasets._speech_commands import background_noise  # noqa: E402
from skspeech.datasets._unknown import TRAIN_UNKNOWN_PERCENTAGE  # noqa: E402
from skspeech.metrics import command_error_rates  # noqa: E402

SEVEN = ["yes", "no", "up", "down", "left", "right", "stop"]
RECIPES = ("svm", "hmm", "conv1d", "kws", "kws2d", "ensemble")
SNRS = (20, 10, 5, 0)


def make(recipe, sr, seed, verbose, noise):
    """An unfitted recipe at its defaults; the networks mix in ``noise`` (training noise)."""
    from skspeech import pipelines

    if recipe == "svm":
        return pipelines.svm_pipeline(sr=sr)
    if recipe == "hmm":
        return pipelines.hmm_pipeline(sr=sr, random_state=seed)
    if recipe == "conv1d":
        return pipelines.conv1d_pipeline("mfcc", sr=sr, random_state=seed, verbose=verbose)
    # babble=0.0: the printouts were measured before babble became kws_pipeline's default
    if recipe == "kws":
        return pipelines.kws_pipeline(sr=sr, random_state=seed, verbose=verbose, noise=noise,
                                      babble=0.0)
    if recipe == "kws2d":
        return pipelines.kws_pipeline(sr=sr, conv="2d", random_state=seed, verbose=verbose,
                                      noise=noise, babble=0.0)
    if recipe == "ensemble":
        return pipelines.ensemble_pipeline(sr=sr, random_state=seed, verbose=verbose,
                                           noise=noise)
    raise ValueError(f"unknown recipe {recipe!r}; choose from {', '.join(RECIPES)}")


def training_clips(path, task, unknown="balanced"):
    """The train subset; for task 12 with the ``_unknown_`` clips ``unknown`` says."""
    if task != "12" or unknown == "standard":
        return load_speech_commands(path, words=SEVEN, subset="train", task=task)
    share = TRAIN_UNKNOWN_PERCENTAGE if unknown == "balanced" else "all"
    train = load_speech_commands(path, words=SEVEN, subset="train", task=task,
                                 unknown_percentage=share)
    if unknown == "balanced":
        train = balance_unknown_words(train)  # its defaults: what skspeech train does
    return train


def member_votes(model, X):
    """The ensemble's members alone and its networks voting without the HMM and the SVM."""
    from scipy.special import softmax

    logs, out = {}, {}
    for (name, _), member, weight in zip(model.estimators, model.estimators_, model.weights):
        p = member.predict_proba(X)
        out[f"  {name} alone"] = p
        logs[name] = weight * np.log(np.maximum(p, 1e-20))
    nets = [v for k, v in logs.items() if k.startswith("kws")]
    out = {"ensemble-nets": softmax(sum(nets), axis=1), **out}
    return out


def score(name, task, pred, target, fit_s):
    """Print and return one row: accuracy, and for task 12 the false accepts and rejects."""
    acc = float(np.mean(pred == target))
    line = f"  {name:17} accuracy {acc:6.1%}  train {fit_s:7.0f} s"
    row = {"recipe": name.strip(), "task": task, "acc": acc, "fit_s": fit_s}
    if task == "12":
        rates = command_error_rates(target, pred)
        line += (f"  false accepts {rates['false_accept']:5.1%}  false rejects "
                 f"{rates['false_reject']:5.1%}")
        row.update(rates)
    print(line, flush=True)
    return row


def mix_at_snr(clips, noise, snr_db, rng):
    """Each clip plus a random excerpt of ``noise`` (a list of 1-D arrays) at ``snr_db`` dB."""
    out = []
    for x in clips:
        rec = noise[int(rng.integers(len(noise)))]
        start = int(rng.integers(len(rec) - len(x) + 1))
        nz = rec[start:start + len(x)].astype(np.float64)
        p_sig = np.mean(np.asarray(x, np.float64) ** 2)
        scale = np.sqrt(p_sig / (np.mean(nz ** 2) + 1e-20) / 10.0 ** (snr_db / 10.0))
        out.append(np.clip(x + scale * nz, -1.0, 1.0).astype(np.float32))
    return out


def main(argv=None):
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_commands_dev"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=default, help="Speech Commands folder")
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--tasks", default="words,12")
    parser.add_argument("--noise", action="store_true",
                        help="also score with held-out noise at 20, 10, 5 and 0 dB SNR")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unknown", choices=("balanced", "all", "standard"), default="balanced",
                        help="task 12's training _unknown_ clips: 20 %% of the word clips with "
                             "the rare words repeated (default, as skspeech train), every "
                             "other-word clip, or the standard 10 %%")
    parser.add_argument("--save", type=Path, default=None,
                        help="folder for each model's validation probabilities")
    parser.add_argument("--verbose", action="store_true", help="progress bar per fit")
    args = parser.parse_args(argv)
    recipes = [r.strip() for r in args.recipes.split(",")]
    for r in recipes:
        if r not in RECIPES:
            parser.error(f"unknown recipe {r!r}; choose from {', '.join(RECIPES)}")
    if not Path(args.path).is_dir():
        print(f"No Speech Commands folder at {args.path}: nothing to measure.")
        return

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    train_noise = background_noise(args.path, subset="train")
    test_noise = background_noise(args.path, subset="validation")
    summary = []
    for task in args.tasks.split(","):
        train = training_clips(args.path, task, args.unknown)
        test = load_speech_commands(args.path, words=SEVEN, subset="validation", task=task)
        print(f"\nTask {task!r}: {len(train.target)} training clips from "
              f"{len(set(train.speaker))} speakers, {len(test.target)} validation clips from "
              f"{len(set(test.speaker))} others; classes {train.target_names}; {train.sr} Hz; "
              f"seed {args.seed}; {os.cpu_count()} cores, load {load:.1f}", flush=True)
        for recipe in recipes:
            model = make(recipe, train.sr, args.seed, int(args.verbose), train_noise)
            t0 = time.perf_counter()
            model.fit(train.data, train.target)
            fit_s = time.perf_counter() - t0
            proba = model.predict_proba(test.data)
            votes = {recipe: proba}
            if recipe == "ensemble":
                votes.update(member_votes(model, test.data))
            rows = [score(name, task, np.asarray(model.classes_)[p.argmax(axis=1)],
                          test.target, fit_s if name == recipe else float("nan"))
                    for name, p in votes.items()]
            row = rows[0]
            if args.noise:
                rng = np.random.default_rng(args.seed)
                accs = []
                for snr in SNRS:
                    noisy = mix_at_snr(test.data, test_noise, snr, rng)
                    accs.append(float(np.mean(model.predict(noisy) == test.target)))
                print("            with held-out noise: " + ", ".join(
                    f"{snr} dB {a:.1%}" for snr, a in zip(SNRS, accs)), flush=True)
                row["noisy"] = accs
            if args.save is not None:
                args.save.mkdir(parents=True, exist_ok=True)
                np.savez(args.save / f"{recipe}-{task}.npz", proba=proba,
                         classes=np.asarray(model.classes_), target=test.target)
            summary += rows
    print("\nrecipe            task   accuracy  false acc  false rej   train s"
          + ("   " + "  ".join(f"{s:>5} dB" for s in SNRS) if args.noise else ""))
    for r in summary:
        fa = f"{r['false_accept']:9.1%}" if "false_accept" in r else f"{'':9}"
        fr = f"{r['false_reject']:9.1%}" if "false_reject" in r else f"{'':9}"
        line = (f"{r['recipe']:17} {r['task']:6} {r['acc']:8.1%}  {fa}  {fr}  "
                f"{r['fit_s']:8.0f}")
        if "noisy" in r:
            line += "   " + "  ".join(f"{a:8.1%}" for a in r["noisy"])
        print(line)


if __name__ == "__main__":
    main()
