"""``skspeech train``: a folder, FSDD or synthetic speech -> a fitted pipeline -> a model file."""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..labels import is_command
from . import _train_stream as streamed
from ._labels import listing
from ._training_data import (  # noqa: F401 - also imported from here by evaluate and export
    _DATA_HELP,
    _check_counts,
    _have,
    _resolve,
    _them,
    add_data_arguments,
    data_choice,
    load_data,
    note,
    report_skipped,
    say_for,
)

HELP = "Train a command recogniser and save it to a model file."
#: The recipe skspeech train fits when --model is not given, per kind of data.
DEFAULT_MODELS = {"speech_commands": "kws"}
KIND_NAMES = {"speech_commands": "a Speech Commands folder", "fsdd": "FSDD",
              "synthetic": "synthetic speech"}
#: False alarms per hour skspeech train calibrates the listener's threshold for.
DEFAULT_BUDGET = 2.0


def add_parser(sub):
    p = sub.add_parser(
        "train", help=HELP, description=HELP + (
            " Loads the data (with a progress bar), fits the chosen pipeline "
            "(Resampler/PadTrim -> MFCC -> model), prints a short report and saves the "
            "model with its metadata (words, sample rate, versions). On a Speech "
            "Commands folder it trains the 12-class task by default: the words plus "
            "_unknown_ and _silence_, which predict, listen and evaluate show as 'no "
            "command'. Model files are pickles: load only files you trust."))
    p.add_argument("data", help=_DATA_HELP)
    p.add_argument("-o", "--output", type=Path, default=Path("model.joblib"),
                   help="model file to write (default: ./model.joblib)")
    p.add_argument("--force", action="store_true", help="replace --output if it exists")
    p.add_argument("--model", choices=("svm", "conv1d", "hmm", "kws", "kws2d", "ensemble",
                                       "custom"),
                   default=None,
                   help="default: kws on a Speech Commands folder (the recipe for streams: "
                        "about 40 minutes on two cores), svm on other data; "
                        "svm: MFCC statistics + SVM (fast); conv1d: a small "
                        "convolutional network (TensorFlow); hmm: one HMM per word (hmmlearn); "
                        "kws: a small keyword-spotting network (residual separable "
                        "convolutions over time) on log-mel frames (TensorFlow); kws2d: the "
                        "same with 2-D convolutions over time and mel bands (better on the "
                        "hardest new voices, slower); ensemble: "
                        "hmm, a kws2d and a kws network and svm voting together, the most "
                        "accurate on voices never heard, slowest to train (hmmlearn and "
                        "TensorFlow); custom: new words from about ten clips each, a "
                        "logistic regression on a trained network's embedding (--pretrained; "
                        "seconds, no TensorFlow needed with a pretrained model or export "
                        "folder), trained on every clip of the folder unless --subset is given")
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help="train on every clip plus perturbed copies (--augment) or on the "
                        "clips as they are (--no-augment); default: each model's own "
                        "default, on for hmm, kws and ensemble, off for svm and conv1d. svm, "
                        "conv1d: "
                        "adds 2 copies of each clip (speed, shift, gain, noise), about 3x "
                        "the training time; hmm: the same, its default; kws: the same (with "
                        "a random equaliser) and the network's SpecAugment masks and time "
                        "shift, its default; ensemble: those of hmm and kws. Never applied "
                        "when predicting")
    p.add_argument("--task", choices=("12", "words", "35"), default=None,
                   help="Speech Commands folder only. 12 (default when the folder has "
                        "_background_noise_/ and words beyond the chosen ones): the words "
                        "plus _unknown_ (clips of the other words) and _silence_ (1 s of "
                        "background noise), so the model can say 'no command'; words: the "
                        "words only; 35: every word folder")
    p.add_argument("--noise", action=argparse.BooleanOptionalAction, default=None,
                   help="kws, kws2d, ensemble on a Speech Commands folder: mix the folder's "
                        "_background_noise_ recordings into the augmented copies (default "
                        "when the folder has them; the model file keeps their paths) or, "
                        "with --no-noise, generated white/pink/brown noise")
    p.add_argument("--babble", type=float, default=None, metavar="SHARE",
                   help="kws, kws2d: the share (0-1) of the noisy copies that get babble "
                        "made of the training clips (several voices at once) instead of "
                        "the other noise (default: the recipe's, 0.3; 0 turns it off)")
    p.add_argument("--balance-commands", action=argparse.BooleanOptionalAction, default=False,
                   help="12-class task of a Speech Commands folder: repeat the clips of the "
                        "rare commands (go, on, off in the development copy) up to the "
                        "median command's, so that each weighs as much in training")
    g = p.add_argument_group("model options (each applies only to the models named)")
    g.add_argument("--C", type=float, default=None,
                   help="svm, custom: regularisation (default: 10 for svm, 1 for custom)")
    g.add_argument("--pretrained", default=None, metavar="NAME_OR_FOLDER",
                   help="custom: the network whose embedding the words are learned on: a "
                        "pretrained model's name or an export folder written with skspeech "
                        "export --embedding (default: the shipped speech-commands-12)")
    g.add_argument("--features", choices=("mfcc", "logmel", "raw"), default=None,
                   help="conv1d: what the network reads (default: mfcc)")
    g.add_argument("--epochs", type=int, default=None,
                   help="conv1d, kws, kws2d, ensemble: number of epochs (default: 100 for conv1d, "
                        "which early stopping usually ends sooner; 60 for the others, all run: "
                        "the length of their learning-rate schedule)")
    g.add_argument("--duration", type=float, default=None,
                   help="conv1d, kws, kws2d, ensemble: clip length in seconds (default: 1.0)")
    g.add_argument("--filters", type=int, nargs="+", default=None, metavar="N",
                   help="conv1d: filters per conv block (default: 32 64)")
    g.add_argument("--n-states", type=int, default=None,
                   help="hmm: states per word model (default: 8)")
    g.add_argument("--n-iter", type=int, default=None, help="hmm: EM iterations (default: 20)")
    add_data_arguments(p, subset_default=None)  # run() decides: "train", "all" for custom
    p.add_argument("--resume", action="store_true",
                   help="kws, kws2d, conv1d: continue an interrupted run from its checkpoint "
                        "(OUTPUT.checkpoint/, saved at the end of every epoch and deleted "
                        "once the model is saved); give the same data and options. The folder "
                        "is locked while a run writes it: a second run with the same -o is "
                        "refused")
    p.add_argument("--fixed-copies", action="store_true",
                   help="kws, kws2d, conv1d: draw each clip's augmented copies once and reuse "
                        "them every epoch, with their features kept in the checkpoint (as "
                        "training in memory did; faster from the second epoch); by default "
                        "every epoch draws fresh copies")
    p.add_argument("--calibrate", action=argparse.BooleanOptionalAction, default=True,
                   help="Speech Commands folder, 12-class task, trained on the train subset: "
                        "after training, choose the listener's threshold on a stream of the "
                        "validation speakers (never trained on) for --false-alarms per hour "
                        "and keep it in the model file, where listen and serve find it "
                        "(threshold 'auto'); --no-calibrate keeps the default for the "
                        "model's kind (default: on)")
    p.add_argument("--false-alarms", type=float, default=None, metavar="PER_HOUR",
                   help="the false-alarm budget the listener's threshold is calibrated for "
                        f"(default: {DEFAULT_BUDGET:g} per hour)")
    p.add_argument("--exclude-words", nargs="+", default=None, metavar="WORD",
                   help="Speech Commands word folders to leave out of every class, even "
                        "_unknown_: words held out to test new words on the model later")
    p.add_argument("--skip-unreadable", action="store_true",
                   help="leave out clips that cannot be read (each is listed on stderr, and "
                        "the exit code is 1) instead of stopping at the first; for kws, kws2d "
                        "and conv1d also clips changed or removed while training")
    return p


# Model options and the models they apply to (None on the command line: the recipe's default).
_MODEL_OPTIONS = {"C": ("--C", ("svm", "custom")), "features": ("--features", ("conv1d",)),
                  "pretrained": ("--pretrained", ("custom",)),
                  "epochs": ("--epochs", ("conv1d", "kws", "kws2d", "ensemble")),
                  "duration": ("--duration", ("conv1d", "kws", "kws2d", "ensemble")),
                  "filters": ("--filters", ("conv1d",)), "n_states": ("--n-states", ("hmm",)),
                  "n_iter": ("--n-iter", ("hmm",)), "babble": ("--babble", ("kws", "kws2d"))}


def _given(args, *names):
    """The options among ``names`` given on the command line, as recipe keyword arguments."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _check_options(args):
    for name, (flag, models) in _MODEL_OPTIONS.items():
        if getattr(args, name, None) is not None and args.model not in models:
            raise ValueError(f"{flag} applies to --model {' or '.join(models)}, not to --model "
                             f"{args.model}; drop {flag} or choose that model.")
    budget = getattr(args, "false_alarms", None)
    if budget is not None and not (np.isfinite(budget) and budget >= 0):
        raise ValueError(f"--false-alarms must be a number of false alarms per hour >= 0; "
                         f"got {budget}.")
    if budget is not None and not getattr(args, "calibrate", True):
        raise ValueError("--false-alarms sets the budget of the calibration, but "
                         "--no-calibrate turns it off; drop one of the two.")
    if getattr(args, "babble", None) is not None:
        if not 0 <= args.babble <= 1:
            raise ValueError(f"--babble is a share of the noisy copies, from 0 to 1; got "
                             f"{args.babble}.")
        if args.augment is False:
            raise ValueError("--babble mixes babble into the augmented copies, but "
                             "--no-augment makes none; drop one of the two.")
    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1; got {args.epochs}.")
    if args.duration is not None and not args.duration > 0:
        raise ValueError(f"--duration must be a positive number of seconds; got {args.duration}.")
    if getattr(args, "noise", None):
        if args.model not in NOISE_MODELS:
            raise ValueError(f"--noise applies to --model {' or '.join(NOISE_MODELS)}, not to "
                             f"--model {args.model}; drop --noise or choose one of those.")
        if args.augment is False:
            raise ValueError("--noise mixes background noise into the augmented copies, but "
                             "--no-augment makes none; drop one of the two.")


def _check_data_options(args, kind):
    """Refuse the Speech-Commands-only options for other data, before loading anything."""
    if kind == "speech_commands":
        return
    what = "synthetic speech" if kind == "synthetic" else "FSDD"
    if args.task is not None:
        raise ValueError(f"--task applies to a Speech Commands folder; {what} has only its "
                         f"words (no other words for _unknown_, no background noise for "
                         f"_silence_). Drop --task {args.task}.")
    if args.noise:
        raise ValueError(f"--noise mixes in a Speech Commands folder's _background_noise_ "
                         f"recordings; {what} has none. Drop --noise.")


def inner_pipeline(model):
    """The Pipeline of a recipe: the model itself, or the one an AugmentedClassifier wraps
    (its fitted clone once fitted)."""
    from ..utils import unwrap

    return unwrap(model)


#: The recipes that take background-noise recordings for their augmented copies.
NOISE_MODELS = ("kws", "kws2d", "ensemble")


def build_model(args, sr, n_min, *, noise=None):
    """The unfitted recipe that ``args`` asks for (``n_min``: fewest clips of a word;
    ``noise``: background-noise recordings for the network recipes' copies)."""
    _check_options(args)
    verbose = 0 if args.quiet else 1
    augment = getattr(args, "augment", None)
    if args.model == "hmm":
        from ..pipelines import hmm_pipeline

        kwargs = {} if augment is None else {"augment": augment}
        return hmm_pipeline(sr=sr, **_given(args, "n_states", "n_iter"), random_state=args.seed,
                            verbose=verbose, **kwargs)
    if args.model in ("kws", "kws2d"):
        from ..pipelines import kws_pipeline

        kwargs = {} if augment is None else {"augment": augment}
        if noise is not None:
            kwargs["noise"] = noise
        return kws_pipeline(sr=sr, **_given(args, "duration", "epochs", "babble"),
                            random_state=args.seed,
                            conv="2d" if args.model == "kws2d" else "1d", verbose=verbose,
                            **kwargs)
    if args.model == "ensemble":
        from ..pipelines import ensemble_pipeline

        kwargs = {} if augment is None else {"augment": augment}
        if noise is not None:
            kwargs["noise"] = noise
        model = ensemble_pipeline(sr=sr, **_given(args, "duration", "epochs"),
                                  random_state=args.seed, verbose=verbose, **kwargs)
        if n_min < 5:  # the SVM member's calibration splits each word's clips in 5
            model.set_params(**({"svm__svc__cv": n_min} if n_min >= 2 else {"svm": "drop"}))
        return model
    if args.model == "custom":
        from ..pipelines import custom_words_pipeline

        return custom_words_pipeline(sr=sr, model=_pretrained(args), **_given(args, "C"))
    if args.model == "svm":
        from ..pipelines import svm_pipeline

        model = svm_pipeline(sr=sr, **_given(args, "C"))
        if n_min < 5:  # the calibration's 5-fold split needs 5 clips per word
            if n_min < 2:
                raise ValueError(f"The svm model needs at least 2 clips per word; one word "
                                 f"has {n_min}.")
            model.set_params(svc__cv=n_min)
        model.set_params(verbose=not args.quiet)
    else:
        from ..pipelines import conv1d_pipeline

        extra = {} if args.filters is None else {"filters": tuple(args.filters)}
        model = conv1d_pipeline(args.features or "mfcc", sr=sr, **_given(args, "duration",
                                                                          "epochs"),
                                random_state=args.seed, verbose=verbose, **extra)
    if augment:  # svm and conv1d: off unless asked for
        from ..augment import AugmentedClassifier, WaveAugmenter

        model = AugmentedClassifier(model, WaveAugmenter(sr=sr, n_copies=2,
                                                         random_state=args.seed))
    return model


def _pretrained(args):
    """The network --model custom learns on: a pretrained name, or an export folder's full path
    (the model file keeps it, so that it loads from any folder)."""
    from .. import pretrained

    spec = args.pretrained if args.pretrained is not None else pretrained.DEFAULT
    if pretrained.is_pretrained_name(spec):
        return spec
    return str(Path(os.path.expanduser(spec)).resolve())


def _check_custom(args):
    """Open --model custom's network before loading any data (a missing one fails first)."""
    if args.model != "custom":
        return
    if args.augment:
        raise ValueError("--augment applies to the trained recipes; --model custom learns "
                         "from the clips as they are. Drop --augment.")
    from ..pipelines import NetworkEmbedding

    try:
        NetworkEmbedding(_pretrained(args)).get_feature_names_out()  # resolves and checks it
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{exc} (--pretrained FOLDER: a folder written by skspeech "
                                f"export --embedding)") from None


# The training-only augmentation parameters of the keyword-spotting networks (SpecAugment).
_NETWORK_AUGMENTATION = ("time_shift", "freq_masks", "time_masks", "freq_warp")


def _augmented(model):
    """Whether fitting ``model`` augments the training clips (waveforms or, for kws, frames)."""
    from ..utils import augmenters, classifiers

    return bool(augmenters(model)) or any(
        getattr(clf, param, 0) for _, clf in classifiers(model) for param in _NETWORK_AUGMENTATION)


def _noise_files(args, data, say):
    """The background-noise recordings (absolute paths) the recipe should mix in, or None."""
    if args.model not in NOISE_MODELS or args.noise is False or args.augment is False:
        return None
    from ..datasets import BACKGROUND_NOISE

    if not data.background:
        if args.noise:
            raise ValueError(f"--noise mixes in the data folder's {BACKGROUND_NOISE}/ "
                             f"recordings, but {args.data!r} has none; drop --noise.")
        return None
    from ..exceptions import InvalidAudioError
    from ..io import read_audio

    files = []
    for p in data.background:  # read in every epoch's batches: checked before training
        try:
            read_audio(p, truncated="error")
        except (InvalidAudioError, OSError) as exc:
            if not getattr(args, "skip_unreadable", False):
                raise InvalidAudioError(
                    f"{exc} It is a {BACKGROUND_NOISE} recording, mixed into the augmented "
                    f"copies. Or pass --skip-unreadable to leave it out (or --no-noise).") from None
            data.skipped.append((str(p), str(exc)))
            report_skipped("train", [(str(p), str(exc))])
            continue
        files.append(str(Path(p).resolve()))
    if not files:
        return None
    say(f"Mixing the folder's {len(files)} {BACKGROUND_NOISE} recordings "
        f"({listing(Path(f).name for f in files)}) into the augmented copies "
        f"(--no-noise: generated noise instead)")
    return files


def _class_summary(y):
    """"N words (a, b) + no command (_silence_ n, _unknown_ m)" for the report."""
    labels, counts = np.unique(y, return_counts=True)
    words = [str(w) for w in labels if is_command(w)]
    text = f"{len(words)} words ({listing(words)})"
    others = [(str(w), n) for w, n in zip(labels, counts) if not is_command(w)]
    if others:
        text += " + no command (" + ", ".join(f"{w} {n:,}" for w, n in others) + " clips)"
    return text


def _calibrate(model, args, kind, data, sr, say):
    """Calibrate the listener's threshold on the validation speakers; None where it cannot be.

    Only for a model of the 12-class task trained on a Speech Commands folder's train subset:
    the validation subset's speakers are then never heard in training.
    """
    if not getattr(args, "calibrate", True) or kind != "speech_commands" or data.task != "12":
        return None
    if args.subset != "train":
        note(f"the listener's threshold is not calibrated: the model trained on the "
             f"{args.subset!r} subset, so no validation speaker is left that it never heard "
             f"(threshold 'auto' keeps the default for its kind).")
        return None
    from ..datasets import background_noise, load_speech_commands
    from ..streaming import calibrate_threshold

    budget = DEFAULT_BUDGET if args.false_alarms is None else args.false_alarms
    held_out = load_speech_commands(args.data, subset="validation", task="35", sr=sr,
                                    on_error="skip")
    commands = [str(c) for c in model.classes_ if is_command(c)]
    n_cmd = int(np.isin(held_out.word, commands).sum())
    if n_cmd == 0 or n_cmd == len(held_out.word):
        note(f"the listener's threshold is not calibrated: the validation subset has "
             f"{n_cmd} clips of the commands and {len(held_out.word) - n_cmd} of other words, "
             f"and calibrating needs both (threshold 'auto' keeps the default for the model's "
             f"kind).")
        return None
    try:
        noise = background_noise(args.data, subset="validation", sr=sr) or None
    except (OSError, ValueError) as exc:  # an unreadable recording, skipped in training
        note(f"calibrating the listener over the words alone, without background noise: {exc}")
        noise = None
    say(f"Calibrating the listener's threshold for at most {budget:g} false alarms per hour on "
        f"a stream of the {len(held_out.word)} validation clips (speakers never heard in "
        f"training) ...")
    t0 = time.perf_counter()
    cal = calibrate_threshold(model, list(held_out.data), held_out.word, sr=sr, noise=noise,
                              max_false_alarms_per_hour=budget, random_state=args.seed)
    print(f"Listener threshold {cal.threshold:g}: calibrated for at most {budget:g} false alarms "
          f"per hour on {cal.minutes:g} min of the validation speakers"
          + (f", {cal.noisy_share:.0%} of the words {cal.noisy_snr_db:g} dB above babble"
             if cal.noisy_share else "") + f" (there {cal.hit_rate:.1%} "
          f"of {cal.n_commands} commands heard, {cal.false_alarms_per_hour:.1f} false alarms per "
          f"hour; {time.perf_counter() - t0:.0f} s); listen and serve use it.")
    return cal


def run(args):
    say = say_for(args)
    kind, _ = _resolve(args.data)
    if args.model is None:
        args.model = DEFAULT_MODELS.get(kind, "svm")
        say(f"Model: {args.model} (the default for {KIND_NAMES.get(kind, kind)}; --model svm "
            f"trains in seconds)")
    _check_options(args)  # before loading the data
    _check_data_options(args, kind)
    _check_custom(args)
    if args.subset is None:
        args.subset = "all" if args.model == "custom" and kind == "speech_commands" else "train"
        if args.subset == "all":
            note("--model custom trains on every clip of the folder (--subset all): a few "
                 "clips per word are what it needs, and a split by speaker would leave almost "
                 "none. Pass --subset train to keep the validation and test speakers out.")
    out = Path(os.path.expanduser(args.output))
    if out.exists() and not args.force:  # fail before minutes of training, not after
        raise FileExistsError(f"{str(out)!r} exists; use --force to replace it or -o to "
                              f"choose another file.")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"Cannot write {str(out)!r}: the folder "
                                f"{str(out.parent)!r} does not exist.")
    with streamed.checkpoint_lock(args, out):  # one run per checkpoint folder
        return _train(args, out, say)


def _train(args, out, say):
    """Load, train and save (with the checkpoint folder's lock held, for the networks)."""
    from sklearn.metrics import accuracy_score

    from .. import save_model

    checkpoint = streamed.check_resume(args, out)  # before loading too
    say(f"Loading {args.data} ...")
    from ..exceptions import InvalidAudioError, UnreadableClipError

    skip = getattr(args, "skip_unreadable", False)
    skipped_now = []
    try:
        data = load_data(args.data, subset=args.subset, words=args.words, task=args.task,
                         sr=args.sr, n_voices=args.n_voices, seed=args.seed,
                         verbose=not args.quiet, note=note,
                         on_error="skip" if skip else "raise", for_training=True,
                         lazy=args.model in streamed.NETWORK_MODELS,
                         exclude_words=args.exclude_words,
                         balance=getattr(args, "balance_commands", False))
    except InvalidAudioError as exc:
        if skip:
            raise
        raise InvalidAudioError(f"{exc} Or pass --skip-unreadable to train on the other "
                                f"clips.") from None
    report_skipped("train", data.skipped)
    X, y, sr = data.X, data.y, data.sr
    classes, counts = _check_counts(y)
    if args.model == "svm" and counts.min() < 2:
        few = [f"{w} ({n})" for w, n in zip(classes, counts) if n < 2]
        raise ValueError(f"The svm model needs at least 2 clips per word; {listing(few)} "
                         f"{_have(few)} fewer. Add recordings of "
                         f"{_them(few)} or leave {_them(few)} out with --words.")
    say(f"  {len(y)} clips of {len(classes)} classes at {sr} Hz from {data.what}")
    noise = _noise_files(args, data, say)
    model = build_model(args, sr, int(counts.min()), noise=noise)
    augmented = _augmented(model)
    how = ""
    if augmented:
        how = " with augmentation" + (f" (+ the folder's {len(noise)} background-noise "
                                      f"recordings)" if noise else "")
    say(f"Training the {args.model} pipeline{how} ...")
    t0 = time.perf_counter()
    if checkpoint is not None:  # a network: clips read in batches, a checkpoint every epoch
        streamed.attach(model, checkpoint, resume=args.resume, quiet=args.quiet,
                        fingerprint=streamed.fingerprint(args, data, classes),
                        cache="all" if args.fixed_copies else True, skip=skip)
        try:
            streamed.fit(model, X, y, say, redraw_copies=augmented and not args.fixed_copies)
        except KeyboardInterrupt:
            print(f"The checkpoint in {checkpoint} keeps the epochs done; continue with the "
                  "same command and --resume.", file=sys.stderr)
            raise
        except UnreadableClipError as exc:
            if (checkpoint / "state.json").is_file():
                todo = (" The checkpoint keeps the epochs done: restore the file and continue "
                        "with --resume, or leave out the clips that cannot be read with "
                        "--skip-unreadable (with --resume to keep the epochs done; if files "
                        "were removed the data changed, so use --force to start afresh).")
            else:
                todo = (" Restore or fix the file, or run again with --skip-unreadable to leave "
                        "out the clips that cannot be read (they are listed).")
            raise UnreadableClipError(f"{exc}{todo}") from None
        skipped_now = streamed.skipped_in_training(model)
        for line in skipped_now:
            print(f"skspeech train: skipped during training: {line}", file=sys.stderr)
        if skipped_now:
            print(f"skspeech train: {len(skipped_now)} clip(s) could not be read during "
                  f"training and were left out; the exit code will be 1.", file=sys.stderr)
    elif args.quiet or args.model in ("ensemble", "custom"):  # ensemble: its members' bars
        model.fit(X, y)
    else:
        from ..pipelines import fit_with_progress

        if args.model == "svm":  # the bars replace the Pipeline's own lines
            inner_pipeline(model).set_params(verbose=False)
        fit_with_progress(model, X, y)
    fit_s = time.perf_counter() - t0
    if args.model == "svm":
        inner_pipeline(model).set_params(verbose=False)
    if skipped_now:  # the clips left out in training are not scored either
        keep = np.array([os.path.isfile(p) for p in X.paths]) if hasattr(X, "paths") else None
        try:
            train_acc = (accuracy_score(y, model.predict(X)) if keep is None else
                         accuracy_score(np.asarray(y)[keep], model.predict(X[keep])))
        except (InvalidAudioError, OSError):  # changed, not removed: not scored
            train_acc = float("nan")
    else:
        train_acc = accuracy_score(y, model.predict(X))
    report = {"data": data.what, "n_clips": len(y), "model": args.model,
              "task": data.task, "augment": augmented,
              "excluded_words": args.exclude_words,
              "noise": [Path(f).name for f in noise] if noise else None,
              "fit_seconds": round(fit_s, 1),
              "train_accuracy": None if np.isnan(train_acc) else round(float(train_acc), 4)}
    if checkpoint is not None:
        report.update(streamed.epoch_report(model))
        streamed.detach(model)
    calibration = _calibrate(model, args, data.kind, data, sr, say)
    if calibration is not None:
        report["listener"] = {k: calibration[k] for k in (
            "threshold", "smoothing", "gate_db", "max_false_alarms_per_hour", "hit_rate",
            "false_alarms_per_hour", "minutes")}
    save_model(out, model, force=args.force, sr=sr, extra={"training": report})
    streamed.remove_checkpoint(checkpoint)
    speed = (f" ({report['clips_per_second']:,.0f} clips/s)" if report.get("clips_per_second")
             else "")
    print(f"Trained {args.model} on {len(y)} clips of {_class_summary(y)} at {sr} Hz{how} "
          f"in {fit_s:.1f} s{speed}; accuracy on the training clips {train_acc:.1%}.")
    print(f"Model saved to {out} ({out.stat().st_size / 1024:.0f} KB). "
          f"Test it with: skspeech evaluate {out} DATA --subset test")
    return 1 if data.skipped or skipped_now else 0
