"""``skspeech demo``: synthetic commands -> SVM -> saved model -> words, end to end."""

import time
from pathlib import Path

import numpy as np

from ..labels import NO_COMMAND, UNKNOWN, shown

HELP = "Train and test a command recogniser on synthetic speech, end to end."

#: Other words spoken for the ``_unknown_`` class (auxiliary words of Speech Commands).
OTHER_WORDS = ("bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow")
#: Words never trained on, said by the held-out voices: the model should reject them.
NEW_WORDS = ("learn", "follow")
#: Each training voice says this many other words per command (at least one).
UNKNOWN_PER_COMMAND = 0.5


def add_parser(sub):
    p = sub.add_parser(
        "demo", help=HELP, description=HELP + (
            " Makes spoken commands with espeak-ng (many synthetic voices), holds out voices "
            "never heard in training, trains the SVM pipeline on the commands plus an "
            "_unknown_ class of other words, reports accuracy per word and how often it "
            "says 'no command' for words it was never trained on, saves the model, loads it "
            "back and recognises a few held-out clips."))
    p.add_argument("--words", nargs="+", default=None, metavar="WORD",
                   help="words to recognise (default: yes no up down left right on off stop go)")
    p.add_argument("--unknown-words", nargs="*", default=None, metavar="WORD",
                   help="other words that train the _unknown_ class, 'no command' (default: "
                        f"{' '.join(OTHER_WORDS)}); give none to train the words only")
    p.add_argument("--new-words", nargs="+", default=None, metavar="WORD",
                   help="words never trained on, said by the held-out voices to show them "
                        f"rejected (default: {' '.join(NEW_WORDS)})")
    p.add_argument("--n-voices", type=int, default=48,
                   help="synthetic voices to make (default: 48)")
    p.add_argument("--test-voices", type=float, default=0.25,
                   help="fraction of voices held out for testing (default: 0.25)")
    p.add_argument("--output", type=Path, default=Path("skspeech-demo.joblib"),
                   help="where to save the model (default: ./skspeech-demo.joblib; an "
                        "existing file is kept and a new name chosen unless --force)")
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


def _word_lists(args):
    """The commands, the other words (``_unknown_``) and the new words, without overlaps."""
    from ..datasets import TEN_WORDS

    words = list(dict.fromkeys(args.words or TEN_WORDS))
    lists = {}
    for flag, given, default in (("--unknown-words", args.unknown_words, OTHER_WORDS),
                                 ("--new-words", args.new_words, NEW_WORDS)):
        taken = set(words).union(*lists.values())
        if given is None:
            lists[flag] = [w for w in default if w not in taken]
            continue
        clash = [w for w in given if w in taken]
        if clash:
            where = "--words" + (" or --unknown-words" if flag == "--new-words" else "")
            raise ValueError(f"{flag} must name words not used elsewhere: "
                             f"{', '.join(clash)} {'is' if len(clash) == 1 else 'are'} "
                             f"already in {where}.")
        lists[flag] = list(dict.fromkeys(given))
    unknown, new = lists["--unknown-words"], lists["--new-words"]
    if not unknown:
        new = []  # without an _unknown_ class there is nothing to reject them as
    return words, unknown, new


def run(args):
    from sklearn.metrics import accuracy_score, classification_report

    from .. import load_model, save_model
    from ..datasets import make_spoken_commands
    from ..pipelines import svm_pipeline
    from ._evaluate import format_command_errors

    say = (lambda *a, **k: None) if args.quiet else print
    if args.n_voices < 4:
        raise ValueError(f"--n-voices must be at least 4 to hold voices out; got {args.n_voices}.")
    if not 0 < args.test_voices < 1:
        raise ValueError(f"--test-voices must be a fraction in (0, 1); got {args.test_voices}.")
    words, unknown, new = _word_lists(args)

    t_start = time.perf_counter()
    say(f"1/5 Making spoken commands: {args.n_voices} synthetic voices (espeak-ng) say "
        f"{len(words)} words" + (f", {len(unknown)} other words (the {UNKNOWN} class, "
                                 f"'{NO_COMMAND}') and {len(new)} never trained on "
                                 f"({', '.join(new)})" if unknown else "") + " ...")
    data = make_spoken_commands(words=words + unknown + new, n_voices=args.n_voices,
                                random_state=args.seed, verbose=not args.quiet)
    X, said, voice, sr = data.data, data.target, data.voice, data.sr
    y = np.where(np.isin(said, words), said, UNKNOWN)  # what the model should answer
    is_new = np.isin(said, new)
    voices = np.unique(voice)
    rng = np.random.default_rng(args.seed)
    n_test = max(1, round(args.test_voices * len(voices)))
    test_voices = rng.choice(voices, size=n_test, replace=False)
    test = np.isin(voice, test_voices)
    # Training: every command of a training voice, and a few of its other words.
    train = ~test & np.isin(said, words)
    n_other = min(len(unknown), max(1, round(UNKNOWN_PER_COMMAND * len(words))))
    for v in voices[~np.isin(voices, test_voices)] if unknown else []:
        others = np.flatnonzero((voice == v) & np.isin(said, unknown))
        train[rng.choice(others, size=n_other, replace=False)] = True
    scored = test & ~is_new  # held-out voices, the classes the model knows
    say(f"    {len(said)} clips at {sr} Hz; {len(voices) - n_test} voices for training "
        f"({train.sum()} clips" + (f": each says every word and {n_other} other word(s)"
                                   if unknown else "")
        + f"), {n_test} held out ({test.sum()} clips never heard in training).")

    say("2/5 Training the SVM pipeline (MFCC + deltas -> frame statistics -> SVM)...")
    model = svm_pipeline(sr=sr)
    model.set_params(verbose=not args.quiet)
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_s = time.perf_counter() - t0

    say("3/5 Testing on the held-out voices...")
    pred = model.predict(X[scored])
    acc = accuracy_score(y[scored], pred)
    print(f"Accuracy on {n_test} voices never heard in training: {acc:.1%} "
          f"({(pred == y[scored]).sum()}/{scored.sum()} clips"
          + (" of the words and other words" if unknown else "")
          + f"; trained in {fit_s:.1f} s)")
    labels = words + ([UNKNOWN] if unknown else [])
    print(classification_report(y[scored], pred, labels=labels, digits=3, zero_division=0))
    report = f"demo: {acc:.1%} on {n_test} held-out synthetic voices"
    if unknown:
        for line in format_command_errors(y[scored], pred):
            print(line)
        heard = model.predict(X[test & is_new])
        n_rejected = int(np.sum(heard == UNKNOWN))
        rejected = n_rejected / len(heard)
        print(f"Words never trained on ({', '.join(new)}), said by the held-out voices: "
              f"{n_rejected}/{len(heard)} heard as {NO_COMMAND} ({rejected:.1%})")
        report += f"; {rejected:.1%} of words never trained on rejected"

    out = _free_path(args.output, args.force)
    if out != args.output:
        say(f"    {args.output} exists; keeping it and saving to {out} instead (--force replaces).")
    say(f"4/5 Saving the model to {out} ...")
    model.set_params(verbose=False)
    save_model(out, model, force=args.force, sr=sr, extra={"report": report})
    size_kb = out.stat().st_size / 1024

    say(f"5/5 Loading it back ({size_kb:.0f} KB) and recognising held-out clips:")
    loaded = load_model(out)
    pools = [np.flatnonzero(test & np.isin(said, words)),
             np.flatnonzero(test & np.isin(said, unknown)), np.flatnonzero(test & is_new)]
    sizes = (5, 1, 2) if unknown else (8, 0, 0)
    idx = np.concatenate([rng.choice(pool, size=min(k, len(pool)), replace=False)
                          for pool, k in zip(pools, sizes, strict=True)]).astype(int)
    proba = loaded.predict_proba(X[idx])
    words_out = loaded.predict(X[idx])
    column = {c: j for j, c in enumerate(loaded.classes_)}
    for i, w, p in zip(idx, words_out, proba, strict=True):
        mark = "ok " if w == y[i] else "MISS"
        heard = repr(str(w)) if shown(w) == w else NO_COMMAND
        kind = ("  (never trained on)" if is_new[i]
                else f"  (an {UNKNOWN} word)" if y[i] == UNKNOWN else "")
        print(f"  [{mark}] voice {voice[i]}  said {str(said[i])!r:8}  heard {heard:10}  "
              f"p={p[column[w]]:.2f}{kind}")
    print(f"Done in {time.perf_counter() - t_start:.0f} s. Model saved to {out}.")
    return 0
