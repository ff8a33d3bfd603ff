"""``skspeech train``: a folder, FSDD or synthetic speech -> a fitted pipeline -> a model file."""

import os
import sys
import time
from pathlib import Path

import numpy as np

HELP = "Train a command recogniser and save it to a model file."

_DATA_HELP = ("training data: a folder in Speech Commands layout (one folder per word), an "
              "FSDD folder (with recordings/), 'fsdd' (the copy in the data folder) or "
              "'synthetic' (espeak-ng voices)")


def add_data_arguments(p, *, subset_default):
    """Options shared by train and evaluate to choose the data."""
    p.add_argument("--subset", default=subset_default,
                   choices=("train", "validation", "test", "all"),
                   help=f"which official subset to use (default: {subset_default}); "
                        "Speech Commands uses its lists or the SHA-1 speaker rule, FSDD "
                        "takes 0-4 for test")
    p.add_argument("--words", nargs="+", default=None, metavar="WORD",
                   help="words to recognise (Speech Commands folder, synthetic; default: the "
                        "tutorial's ten, or every word folder of a folder without them)")
    p.add_argument("--sr", type=int, default=None,
                   help="resample clips to this rate in Hz when loading")
    p.add_argument("--n-voices", type=int, default=24,
                   help="synthetic: voices to make (default: 24)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bars; results only")


def add_parser(sub):
    p = sub.add_parser(
        "train", help=HELP, description=HELP + (
            " Loads the data (with a progress bar), fits the chosen pipeline "
            "(Resampler/PadTrim -> MFCC -> model), prints a short report and saves the "
            "model with its metadata (words, sample rate, versions). Model files are "
            "pickles: load only files you trust."))
    p.add_argument("data", help=_DATA_HELP)
    p.add_argument("-o", "--output", type=Path, default=Path("model.joblib"),
                   help="model file to write (default: ./model.joblib)")
    p.add_argument("--force", action="store_true", help="replace --output if it exists")
    p.add_argument("--model", choices=("svm", "conv1d", "hmm"), default="svm",
                   help="svm: MFCC statistics + SVM (fast, default); conv1d: a small "
                        "convolutional network (TensorFlow); hmm: one HMM per word (hmmlearn)")
    g = p.add_argument_group("model options")
    g.add_argument("--C", type=float, default=10.0, help="svm: regularisation (default: 10)")
    g.add_argument("--features", choices=("mfcc", "logmel", "raw"), default="mfcc",
                   help="conv1d: what the network reads (default: mfcc)")
    g.add_argument("--epochs", type=int, default=100,
                   help="conv1d: maximum epochs; early stopping ends sooner (default: 100)")
    g.add_argument("--duration", type=float, default=1.0,
                   help="conv1d: clip length in seconds (default: 1.0)")
    g.add_argument("--filters", type=int, nargs="+", default=None, metavar="N",
                   help="conv1d: filters per conv block (default: 32 64)")
    g.add_argument("--n-states", type=int, default=6,
                   help="hmm: states per word model (default: 6)")
    g.add_argument("--n-iter", type=int, default=20, help="hmm: EM iterations (default: 20)")
    add_data_arguments(p, subset_default="train")
    return p


def say_for(args):
    return (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k,
                                                                           file=sys.stderr))


def load_data(spec, *, subset, words=None, sr=None, n_voices=24, seed=0, verbose=True):
    """Return ``(X, y, sr, description)`` from a data argument."""
    from ..datasets import load_fsdd, load_speech_commands, make_spoken_commands

    if spec == "synthetic":
        if n_voices < 2:
            raise ValueError(f"--n-voices must be at least 2; got {n_voices}.")
        # one seed for the voices of each subset, so train and test never share a voice
        offset = {"train": 0, "validation": 1, "test": 2, "all": 3}[subset]
        data = make_spoken_commands(words=words, n_voices=n_voices, sr=sr or 16000,
                                    random_state=seed * 10 + offset, verbose=verbose)
        return data.data, data.target, data.sr, f"synthetic ({n_voices} voices)"
    if spec == "fsdd":
        spec_path = None
    else:
        spec_path = Path(os.path.expanduser(spec))
        if not spec_path.exists():
            raise FileNotFoundError(f"No such data folder: {spec!r}. Give a Speech Commands "
                                    f"or FSDD folder, 'fsdd' or 'synthetic'.")
        if not spec_path.is_dir():
            raise NotADirectoryError(f"{spec!r} is a file; give a data folder (Speech "
                                     f"Commands or FSDD layout), 'fsdd' or 'synthetic'.")
    from ..datasets._fsdd import _FILE_RE

    is_fsdd = spec_path is None or (spec_path / "recordings").is_dir() or any(
        _FILE_RE.fullmatch(p.name) for p in spec_path.iterdir())
    if is_fsdd:
        if subset == "validation":
            raise ValueError("FSDD has no validation subset; use --subset train, test or all.")
        data = load_fsdd(spec_path, subset=subset, sr=sr)
        return data.data, data.target, data.sr, f"FSDD ({subset})"
    if words is None:  # the tutorial's ten in Speech Commands, else every word folder
        from ..datasets._speech_commands import scan_speech_commands

        found = list(scan_speech_commands(spec_path)["words"])
        tutorial = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
        words = None if set(tutorial) <= set(found) else found
    data = load_speech_commands(spec_path, words=words, subset=subset, sr=sr,
                                verbose=verbose)
    return data.data, data.target, data.sr, f"Speech Commands at {spec_path} ({subset})"


def _check_counts(y):
    words, counts = np.unique(y, return_counts=True)
    if len(words) < 2:
        raise ValueError(f"Training needs at least 2 words; the data has {len(words)} "
                         f"({', '.join(map(str, words))}).")
    return words, counts


def build_model(args, sr, n_min):
    if args.model == "svm":
        from ..pipelines import svm_pipeline

        model = svm_pipeline(sr=sr, C=args.C)
        if n_min < 5:  # the calibration's 5-fold split needs 5 clips per word
            if n_min < 2:
                raise ValueError(f"The svm model needs at least 2 clips per word; one word "
                                 f"has {n_min}.")
            model.set_params(svc__cv=n_min)
        model.set_params(verbose=not args.quiet)
        return model
    if args.model == "hmm":
        from ..pipelines import hmm_pipeline

        return hmm_pipeline(sr=sr, n_states=args.n_states, n_iter=args.n_iter,
                            random_state=args.seed, verbose=0 if args.quiet else 1)
    from ..pipelines import conv1d_pipeline

    extra = {} if args.filters is None else {"filters": tuple(args.filters)}
    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1; got {args.epochs}.")
    return conv1d_pipeline(args.features, sr=sr, duration=args.duration, epochs=args.epochs,
                           random_state=args.seed, verbose=0 if args.quiet else 1, **extra)


def _concat(chunks):
    if all(isinstance(c, np.ndarray) for c in chunks) and len({c.shape[1:] for c in chunks}) == 1:
        return np.concatenate(chunks)
    return [x for c in chunks for x in c]


def fit_with_progress(model, X, y, *, chunk=256):
    """Fit a Pipeline step by step, with a progress bar over clips for each transform.

    Each transformer is fitted on all clips and then transforms them in chunks,
    so the bar moves during feature extraction; the final estimator is fitted
    last (with its own progress, e.g. the network's epochs). The result is the
    same fitted Pipeline as ``model.fit(X, y)`` for the row-wise front ends of
    skspeech's recipes.
    """
    from tqdm.auto import tqdm

    Xt = X
    for name, step in model.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        step.fit(Xt, y)
        n = len(Xt)
        chunks = []
        with tqdm(total=n, desc=f"Features: {name}", unit="clip", leave=False,
                  file=sys.stderr) as bar:
            for i in range(0, n, chunk):
                chunks.append(step.transform(Xt[i:i + chunk]))
                bar.update(min(chunk, n - i))
        Xt = _concat(chunks)
    model.steps[-1][1].fit(Xt, y)
    return model


def run(args):
    from sklearn.metrics import accuracy_score

    from .._persistence import save_model

    say = say_for(args)
    out = Path(os.path.expanduser(args.output))
    if out.exists() and not args.force:  # fail before minutes of training, not after
        raise FileExistsError(f"{str(out)!r} exists; use --force to replace it or -o to "
                              f"choose another file.")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"Cannot write {str(out)!r}: the folder "
                                f"{str(out.parent)!r} does not exist.")
    say(f"Loading {args.data} ...")
    X, y, sr, what = load_data(args.data, subset=args.subset, words=args.words, sr=args.sr,
                               n_voices=args.n_voices, seed=args.seed, verbose=not args.quiet)
    words, counts = _check_counts(y)
    say(f"  {len(y)} clips of {len(words)} words at {sr} Hz from {what}")
    model = build_model(args, sr, int(counts.min()))
    say(f"Training the {args.model} pipeline ...")
    t0 = time.perf_counter()
    if args.quiet:
        model.fit(X, y)
    else:
        if args.model == "svm":
            model.set_params(verbose=False)  # the bars replace the Pipeline's own lines
        fit_with_progress(model, X, y)
    fit_s = time.perf_counter() - t0
    if args.model == "svm":
        model.set_params(verbose=False)
    train_acc = accuracy_score(y, model.predict(X))
    report = {"data": what, "n_clips": int(len(y)), "model": args.model,
              "fit_seconds": round(fit_s, 1), "train_accuracy": round(float(train_acc), 4)}
    save_model(out, model, force=args.force, sr=sr, extra={"training": report})
    print(f"Trained {args.model} on {len(y)} clips of {len(words)} words "
          f"({', '.join(words)}) at {sr} Hz in {fit_s:.1f} s; "
          f"accuracy on the training clips {train_acc:.1%}.")
    print(f"Model saved to {out} ({out.stat().st_size / 1024:.0f} KB). "
          f"Test it with: skspeech evaluate {out} DATA --subset test")
    return 0
