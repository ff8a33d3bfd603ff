"""Choosing and loading the data of ``skspeech train`` and ``evaluate``: folders, FSDD, speech."""

import os
import sys
from pathlib import Path

import numpy as np

from ..labels import UNKNOWN, commands_of, non_commands_of
from ._labels import listing

_DATA_HELP = ("training data: a folder in Speech Commands layout (one folder per word), an "
              "FSDD folder (with recordings/), 'fsdd' (the copy in the data folder) or "
              "'synthetic' (espeak-ng voices)")


def add_data_arguments(p, *, subset_default):
    """Options shared by train and evaluate to choose the data (``subset_default=None``:
    train's, "train" but "all" for --model custom, decided when it runs)."""
    default = ("train; all for --model custom, whose few clips per word a split by speaker "
               "would leave almost none of" if subset_default is None else subset_default)
    p.add_argument("--subset", default=subset_default,
                   choices=("train", "validation", "test", "all"),
                   help=f"which official subset to use (default: {default}); "
                        "Speech Commands uses its lists or the SHA-1 speaker rule, FSDD "
                        "takes 0-4 for test")
    p.add_argument("--words", nargs="+", default=None, metavar="WORD",
                   help="words to recognise (Speech Commands folder, synthetic; default: the "
                        "tutorial's ten, or every word folder of a folder without them; "
                        "words with few clips are left out, with a note)")
    p.add_argument("--sr", type=int, default=None,
                   help="resample clips to this rate in Hz when loading")
    p.add_argument("--n-voices", type=int, default=24,
                   help="synthetic: voices to make (default: 24)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bars; results only")


def say_for(args):
    return (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k,
                                                                           file=sys.stderr))


def report_skipped(command, skipped):
    """One line on stderr per file that could not be read: its name and the reason."""
    for path, reason in skipped:
        print(f"skspeech {command}: skipped {path}: {reason}", file=sys.stderr)
    if skipped:
        print(f"skspeech {command}: {len(skipped)} file(s) could not be read and were left "
              f"out; the exit code will be 1.", file=sys.stderr)


def note(message):
    """A note on a choice made for the user (printed even with --quiet: it changes results)."""
    print(f"Note: {message}", file=sys.stderr)


def _resolve(spec):
    """What a data argument names: ``(kind, path)``, kind "synthetic", "fsdd" or
    "speech_commands" (path None for 'synthetic' and 'fsdd')."""
    if spec == "synthetic":
        return "synthetic", None
    if spec == "fsdd":
        return "fsdd", None
    path = Path(os.path.expanduser(spec))
    if not path.exists():
        raise FileNotFoundError(f"No such data folder: {spec!r}. Give a Speech Commands "
                                f"or FSDD folder, 'fsdd' or 'synthetic'.")
    if not path.is_dir():
        raise NotADirectoryError(f"{spec!r} is a file; give a data folder (Speech "
                                 f"Commands or FSDD layout), 'fsdd' or 'synthetic'.")
    from ..datasets import FSDD_FILE_RE

    if (path / "recordings").is_dir() or any(FSDD_FILE_RE.fullmatch(p.name)
                                             for p in path.iterdir()):
        return "fsdd", path
    return "speech_commands", path


#: A word is scarce when it has fewer clips than this share of the median word.
SCARCE_SHARE = 0.2


def _scarce(index, words, subset):
    """``{word: clips}`` of the ``words`` with few clips in ``subset``, and the median count."""
    from ..datasets import subset_of

    counts = {w: sum(1 for n in index["words"][w]
                     if subset == "all" or subset_of(index, w, n) == subset)
              for w in words}
    median = float(np.median(list(counts.values())))
    return {w: n for w, n in counts.items() if n < SCARCE_SHARE * median}, median


def plan_speech_commands(index, *, words=None, task=None, subset="train", note=None):
    """The words and task to load from a Speech Commands folder, and notes on the choice.

    ``words=None``: the tutorial's ten if the folder has them all, else every word
    folder; words with fewer clips in ``subset`` than a fifth of the median word are
    left out (unless that leaves fewer than 2). ``task=None``: "12" when the folder has
    ``_background_noise_/`` (for ``_silence_``) and words beyond the chosen ones (for
    ``_unknown_``), else "words". ``note`` (a callable) receives the notes.
    """
    from ..datasets import TEN_WORDS

    note = note or (lambda message: None)
    found = list(index["words"])
    if task == "35":
        if words is not None:
            raise ValueError("--task 35 trains every word folder; drop --words, or use "
                             "--task 12 or --task words to choose the words.")
        scarce, median = _scarce(index, found, subset)
        if scarce:
            note(f"{len(scarce)} of the {len(found)} words have few clips in the {subset!r} "
                 f"subset ({_counts(scarce)}; median {median:.0f}): expect poor "
                 f"recognition of them.")
        return {"words": found, "task": "35"}
    given = words is not None
    if not given:
        words = list(TEN_WORDS) if set(TEN_WORDS) <= set(found) else found
    missing = [w for w in words if w not in index["words"]]
    if missing:
        raise ValueError(f"No folder for the word(s) {listing(missing)} in "
                         f"{str(index['root'])!r}. The folder has: {listing(found)}. Choose "
                         f"--words from these.")
    scarce, median = _scarce(index, words, subset)
    dropped = []
    if scarce and not given and len(words) - len(scarce) >= 2:
        dropped = [w for w in words if w in scarce]
        words = [w for w in words if w not in scarce]
    reason = twelve_class_gap(index, words)
    if task is None:
        task = "words" if reason else "12"
        if reason:
            note(f"{reason}: training the words only (--task words).")
    elif task == "12" and reason:
        raise ValueError(f"--task 12 cannot be built: {reason}. Restore the folder from the "
                         f"archive, or use --task words.")
    if dropped:
        fate = ("used as _unknown_ material" if task == "12" else "not trained")
        note(f"{listing(dropped)} {_have(dropped)} few clips in the {subset!r} subset "
             f"({_counts(scarce)}, against a median of {median:.0f}): left out of the words "
             f"and {fate}. Pass --words to choose the words yourself.")
    elif scarce:
        note(f"{listing(scarce)} {_have(scarce)} few clips in the {subset!r} subset "
             f"({_counts(scarce)}, against a median of {median:.0f}): expect poor "
             f"recognition.")
    return {"words": words, "task": task}


def twelve_class_gap(index, words):
    """Why the 12-class task cannot be built from a folder with these words, or None."""
    from ..labels import BACKGROUND_NOISE

    if index["kind"] == "test_set":  # its own _unknown_/ and _silence_/ folders
        return None
    root = str(index["root"])
    if not index["background"]:
        return f"{root!r} has no {BACKGROUND_NOISE}/ to cut _silence_ clips from"
    if not any(w not in words for w in index["words"]):
        return (f"{root!r} has no word folders beyond the chosen words to take {UNKNOWN} "
                f"clips from")
    return None


def data_choice(spec, classes, *, note=None):
    """``words`` and ``task`` for :func:`load_data` to score a model with these classes.

    The model's commands; on a Speech Commands folder, the 12-class task when the
    model has ``_unknown_`` or ``_silence_`` and the folder can supply them (else
    the words only, with a note).
    """
    words = commands_of(classes)
    if not non_commands_of(classes):
        return {"words": words, "task": "words"}
    kind, path = _resolve(spec)
    if kind != "speech_commands":
        return {"words": words, "task": None}
    from ..datasets import scan_speech_commands

    reason = twelve_class_gap(scan_speech_commands(path), words)
    if reason:
        if note is not None:
            note(f"{reason}: scoring the words only, so there are no false accepts to "
                 f"count.")
        return {"words": words, "task": "words"}
    return {"words": words, "task": "12"}


def _have(words):
    return "has" if len(words) == 1 else "have"


def _them(words):
    return "it" if len(words) == 1 else "them"


def _counts(counts):
    return ", ".join(f"{w} {n}" for w, n in counts.items())


def load_data(spec, *, subset, words=None, task=None, sr=None, n_voices=24, seed=0,
              verbose=True, note=None, on_error="raise", for_training=False, lazy=False,
              exclude_words=None, balance=False):
    """Load the data a data argument names.

    Returns a Bunch: ``X``, ``y``, ``sr``, ``what`` (a description), ``kind``
    ("synthetic", "fsdd" or "speech_commands"), ``task`` (None except for Speech
    Commands), ``words`` (the commands asked for; None: every one in the data) and
    ``background`` (the ``_background_noise_`` recordings of a Speech Commands
    folder, as paths). ``task`` applies to Speech Commands only (None: see
    :func:`plan_speech_commands`). With ``on_error="skip"`` unreadable clips are
    left out and listed in ``skipped`` (path, reason), without a warning: the
    caller reports them. ``for_training=True``: the 12-class task's ``_unknown_``
    takes every clip of the other words, the rare words repeated
    (:func:`~skspeech.datasets.balance_unknown_words`), for fewer false alarms; a
    score keeps the standard task's 10 %. ``lazy=True`` gives a Speech Commands
    folder's clips as an :class:`~skspeech.io.AudioFiles`, read when a model needs
    them (the networks train on them batch by batch). ``exclude_words``: Speech
    Commands word folders left out of every class. ``balance=True`` (with
    ``for_training``, the 12-class task): the rare commands' clips repeated up to
    the median command's (:func:`~skspeech.datasets.balance_commands`).
    """
    import warnings

    from sklearn.utils import Bunch

    from ..datasets import load_fsdd, load_speech_commands, make_spoken_commands
    from ..exceptions import SkippedFilesWarning

    kind, path = _resolve(spec)
    if balance and kind != "speech_commands":
        raise ValueError(f"--balance-commands applies to a Speech Commands folder's 12-class "
                         f"task; {spec!r} is {kind} data.")
    if exclude_words and kind != "speech_commands":
        raise ValueError(f"--exclude-words applies to a Speech Commands folder; {spec!r} is "
                         f"{kind} data.")
    out = Bunch(kind=kind, task=None, words=words, background=[], skipped=[])
    if kind == "synthetic":
        if n_voices < 2:
            raise ValueError(f"--n-voices must be at least 2; got {n_voices}.")
        # one seed for the voices of each subset, so train and test never share a voice
        offset = {"train": 0, "validation": 1, "test": 2, "all": 3}[subset]
        data = make_spoken_commands(words=words, n_voices=n_voices, sr=sr or 16000,
                                    random_state=seed * 10 + offset, verbose=verbose)
        return Bunch(**out, X=data.data, y=data.target, sr=data.sr,
                     what=f"synthetic ({n_voices} voices)")
    if kind == "fsdd":
        if subset == "validation":
            raise ValueError("FSDD has no validation subset; use --subset train, test or all.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedFilesWarning)
            data = load_fsdd(path, subset=subset, sr=sr, on_error=on_error)
        out.update(skipped=data.skipped)
        return Bunch(**out, X=data.data, y=data.target, sr=data.sr, what=f"FSDD ({subset})")
    from ..datasets import scan_speech_commands

    index = scan_speech_commands(path)
    plan = plan_speech_commands(index, words=words, task=task, subset=subset, note=note)
    if balance and plan["task"] != "12":
        raise ValueError(f"--balance-commands applies to the 12-class task (the commands, "
                         f"_unknown_ and _silence_); this is task {plan['task']!r}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedFilesWarning)
        from ..datasets import TRAIN_UNKNOWN_PERCENTAGE

        more = ({"unknown_percentage": TRAIN_UNKNOWN_PERCENTAGE}
                if for_training and plan["task"] == "12" else {})
        data = load_speech_commands(path, words=None if plan["task"] == "35" else plan["words"],
                                    subset=subset, task=plan["task"], sr=sr, verbose=verbose,
                                    on_error=on_error, lazy=lazy,
                                    exclude_words=exclude_words, **more)
    if more:
        from ..datasets import balance_unknown_words

        n = len(data.target)
        n_unknown = int(np.sum(data.target == UNKNOWN))
        data = balance_unknown_words(data)
        if note is not None and n_unknown:
            note(f"_unknown_: {n_unknown} clips of the other words ({TRAIN_UNKNOWN_PERCENTAGE:g} % "
                 f"of the word clips at most), the rare words repeated ({len(data.target) - n} "
                 f"repeats) so that each counts.")
        if balance:
            from ..datasets import balance_commands

            n = len(data.target)
            data = balance_commands(data)
            if note is not None and len(data.target) > n:
                note(f"commands: the rare ones repeated up to the median command's clips "
                     f"({len(data.target) - n} repeats).")
    out.update(skipped=data.skipped)
    what = f"Speech Commands at {path} ({subset}" + \
        ("" if plan["task"] == "words" else f", task {plan['task']}") + ")"
    left_out = {str(p) for p, _ in data.skipped}  # an unreadable recording is not mixed in
    out.update(task=plan["task"], words=plan["words"],
               background=[p for p in index["background"] if str(p) not in left_out])
    return Bunch(**out, X=data.data, y=data.target, sr=data.sr, what=what)


def _check_counts(y):
    words, counts = np.unique(y, return_counts=True)
    if len(words) < 2:
        raise ValueError(f"Training needs at least 2 words; the data has {len(words)} "
                         f"({', '.join(map(str, words))}).")
    return words, counts
