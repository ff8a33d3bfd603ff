"""``skspeech demo``: synthetic commands -> SVM -> saved model -> words, end to end."""

import time
from pathlib import Path

import numpy as np

HELP = "Train and test a command recogniser on synthetic speech, end to end."


def add_parser(sub):
    p = sub.add_parser(
        "demo", help=HELP, description=HELP + (
            " Makes spoken commands with espeak-ng (many synthetic voices), holds out voices "
            "never heard in training, trains the SVM pipeline, reports accuracy per word, saves "
            "the model, loads it back and recognises a few held-out clips."))
    p.add_argument("--words", nargs="+", default=None, metavar="WORD",
                   help="words to recognise (default: yes no up down left right on off stop go)")
    p.add_argument("--n-voices", type=int, default=48,
                   help="synthetic voices to make (default: 48)")
    p.add_argument("--test-voices", type=float, default=0.25,
                   help="fraction of voices held out for testing (default: 0.25)")
    p.add_argument("--output", type=Path, default=Path("skspeech-demo.joblib"),
                   help="where to save the model (default: ./skspeech-demo.joblib; an existing file "
                        "is kept and a new name chosen unless --force)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quiet", action="store_true", help="print only the results")
    return p


def _free_path(path, force):
    if force or not path.exists():
        return path
    for i in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{i}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"{path} and 10,000 numbered variants exist; use --force or --output.")


def run(args):
    from sklearn.metrics import accuracy_score, classification_report

    from .. import load_model, save_model
    from ..datasets import make_spoken_commands
    from ..pipelines import svm_pipeline

    say = (lambda *a, **k: None) if args.quiet else print
    if args.n_voices < 4:
        raise ValueError(f"--n-voices must be at least 4 to hold voices out; got {args.n_voices}.")
    if not 0 < args.test_voices < 1:
        raise ValueError(f"--test-voices must be a fraction in (0, 1); got {args.test_voices}.")

    t_start = time.perf_counter()
    say(f"1/5 Making spoken commands: {args.n_voices} synthetic voices (espeak-ng)...")
    data = make_spoken_commands(words=args.words, n_voices=args.n_voices,
                                random_state=args.seed, verbose=not args.quiet)
    X, y, voice, sr = data.data, data.target, data.voice, data.sr
    voices = np.unique(voice)
    rng = np.random.default_rng(args.seed)
    n_test = max(1, round(args.test_voices * len(voices)))
    test_voices = rng.choice(voices, size=n_test, replace=False)
    test = np.isin(voice, test_voices)
    words = list(dict.fromkeys(y))
    say(f"    {len(y)} clips of {len(words)} words at {sr} Hz; "
        f"{len(voices) - n_test} voices for training, {n_test} held out "
        f"({test.sum()} clips never heard in training).")

    say("2/5 Training the SVM pipeline (MFCC + deltas -> frame statistics -> SVM)...")
    model = svm_pipeline(sr=sr)
    model.set_params(verbose=not args.quiet)
    t0 = time.perf_counter()
    model.fit(X[~test], y[~test])
    fit_s = time.perf_counter() - t0

    say("3/5 Testing on the held-out voices...")
    pred = model.predict(X[test])
    acc = accuracy_score(y[test], pred)
    print(f"Accuracy on {n_test} voices never heard in training: {acc:.1%} "
          f"({(pred == y[test]).sum()}/{test.sum()} clips; trained in {fit_s:.1f} s)")
    print(classification_report(y[test], pred, labels=words, digits=3, zero_division=0))

    out = _free_path(args.output, args.force)
    if out != args.output:
        say(f"    {args.output} exists; keeping it and saving to {out} instead (--force replaces).")
    say(f"4/5 Saving the model to {out} ...")
    model.set_params(verbose=False)
    save_model(out, model, force=args.force, sr=sr,
               extra={"report": f"demo: {acc:.1%} on {n_test} held-out synthetic voices"})
    size_kb = out.stat().st_size / 1024

    say(f"5/5 Loading it back ({size_kb:.0f} KB) and recognising held-out clips:")
    loaded = load_model(out)
    idx = rng.choice(np.flatnonzero(test), size=min(8, test.sum()), replace=False)
    proba = loaded.predict_proba(X[idx])
    words_out = loaded.predict(X[idx])
    column = {c: j for j, c in enumerate(loaded.classes_)}
    for i, w, p in zip(idx, words_out, proba):
        mark = "ok " if w == y[i] else "MISS"
        print(f"  [{mark}] voice {voice[i]}  said {str(y[i])!r:8}  heard {str(w)!r:8}  "
              f"p={p[column[w]]:.2f}")
    print(f"Done in {time.perf_counter() - t_start:.0f} s. Model saved to {out}.")
    return 0
