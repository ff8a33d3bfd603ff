"""``skspeech evaluate``: accuracy, false accepts/rejects, per-word precision/recall, confusions."""

from pathlib import Path

import numpy as np

from ..labels import NON_COMMANDS, is_command, non_commands_of
from . import _training_data as training_data
from ._labels import listing
from ._predict import add_model_arguments, load_cli_model

HELP = ("Score a model file or export folder on labelled data: accuracy, false accepts and "
        "false rejects "
        "(for models with _unknown_/_silence_), per-word precision/recall, confusions.")


def add_parser(sub):
    p = sub.add_parser("evaluate", help=HELP, description=HELP + (
        " Clips that cannot be read are listed on stderr (file and reason) and left out; "
        "the others are scored, and the exit code is then 1."))
    add_model_arguments(p)
    p.add_argument("data", help=training_data._DATA_HELP.replace("training", "test"))
    p.add_argument("--plot", type=Path, default=None, metavar="PNG",
                   help="also draw the confusion matrix into this PNG file (needs matplotlib)")
    training_data.add_data_arguments(p, subset_default="test")
    return p


def format_confusion(cm, labels):
    width = max(5, *(len(str(w)) for w in labels)) + 1
    head = "true \\ predicted"
    first = max(len(head), *(len(str(w)) for w in labels)) + 1
    lines = [head.ljust(first) + "".join(str(w).rjust(width) for w in labels)]
    for w, row in zip(labels, cm, strict=True):
        lines.append(str(w).ljust(first) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def _take(X, keep):
    """The clips of ``X`` (an array or a list) where ``keep`` is True."""
    if isinstance(X, np.ndarray):
        return X[keep]
    return [x for x, k in zip(X, keep, strict=True) if k]


def heard_command(pred):
    """Whether each prediction is a command (not ``_unknown_``, ``_silence_``, ...)."""
    return np.array([is_command(p) for p in pred], dtype=bool)


def format_command_errors(y, pred):
    """The false-accept, false-reject and wrong-command lines for labels with "no command"
    classes (``_unknown_``, ``_silence_``)."""
    from ..metrics import command_error_rates

    rates = command_error_rates(y, pred)
    n_cmd, n_other = rates["n_commands"], rates["n_non_commands"]
    y, pred = np.asarray(y).astype(str), np.asarray(pred).astype(str)
    order = list(NON_COMMANDS)  # _unknown_, _silence_, then any other in alphabetical order
    kinds = sorted({c for c in y if not is_command(c)},
                   key=lambda c: (order.index(c) if c in order else len(order), c))
    lines = []
    if n_other:
        line = (f"False accepts: {rates['false_accept']:.1%} "
                f"({round(rates['false_accept'] * n_other)}/{n_other} {' or '.join(kinds)} "
                f"clips heard as a command")
        if len(kinds) > 1:
            line += ": " + ", ".join(
                f"{k} {int(((y == k) & heard_command(pred)).sum())}/{int((y == k).sum())}"
                for k in kinds)
        lines.append(line + ")")
    else:
        lines.append("False accepts: none to count (no _unknown_ or _silence_ clips in the "
                     "data)")
    if n_cmd:
        lines.append(f"False rejects: {rates['false_reject']:.1%} "
                     f"({round(rates['false_reject'] * n_cmd)}/{n_cmd} command clips heard "
                     f"as no command)")
        lines.append(f"Wrong commands: {rates['wrong_command']:.1%} "
                     f"({round(rates['wrong_command'] * n_cmd)}/{n_cmd} command clips heard "
                     f"as another command)")
    return lines


def run(args):
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

    say = training_data.say_for(args)
    model, meta = load_cli_model(args, "evaluate")
    classes = [str(c) for c in meta["classes"]]
    rejects = non_commands_of(classes)
    choice = training_data.data_choice(args.data, classes, note=training_data.note)
    only = None
    if args.words:
        if rejects:  # load the model's words (the rest of the folder is _unknown_), keep these
            strange = [w for w in args.words if w not in classes]
            if strange:
                raise ValueError(f"--words names words the model never learned: "
                                 f"{listing(strange)}; the model knows {listing(classes)}.")
            only = set(args.words) | set(NON_COMMANDS)
        else:
            choice["words"] = args.words
    say(f"Loading {args.data} ...")
    data = training_data.load_data(args.data, subset=args.subset, sr=args.sr or meta.get("sr"),
                                   n_voices=args.n_voices, seed=args.seed + 1,
                                   verbose=not args.quiet, on_error="skip", **choice)
    # scored without the clips that cannot be read; exit code 1 at the end
    training_data.report_skipped("evaluate", data.skipped)
    X, y, sr, what = data.X, np.asarray(data.y).astype(str), data.sr, data.what
    if meta.get("sr") and sr != meta["sr"]:
        raise ValueError(f"The data is at {sr} Hz but the model expects {meta['sr']} Hz; "
                         f"pass --sr {meta['sr']}.")
    if only is not None:
        keep = np.isin(y, list(only))
        X, y = _take(X, keep), y[keep]
    unseen = sorted(set(y) - set(classes))
    unseen_rejects = [c for c in unseen if not is_command(c)]
    if unseen_rejects:  # e.g. _silence_ clips for a model that only knows _unknown_
        keep = ~np.isin(y, unseen_rejects)
        training_data.note(f"the model has no {listing(unseen_rejects)} class: left out "
                           f"{int((~keep).sum())} such clips.")
        X, y = _take(X, keep), y[keep]
        unseen = [c for c in unseen if is_command(c)]
    if unseen:
        raise ValueError(f"The data has words the model never learned: {listing(unseen)}; "
                         f"the model knows {listing(classes)}. Pass --words to choose.")
    if not len(y):
        raise ValueError(f"No clips left to score in {what}.")
    pred = np.asarray(model.predict(X)).astype(str)
    labels = [c for c in classes if c in set(y) | set(pred)]
    acc = accuracy_score(y, pred)
    print(f"Accuracy on {len(y)} clips of {what}: {acc:.1%} ({int((pred == y).sum())}/{len(y)})")
    if rejects or not all(is_command(c) for c in y):
        for line in format_command_errors(y, pred):
            print(line)
    print(classification_report(y, pred, labels=labels, digits=3, zero_division=0))
    cm = confusion_matrix(y, pred, labels=labels)
    print("Confusion matrix (rows: true word, columns: predicted):")
    print(format_confusion(cm, labels))
    if args.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ..plotting import plot_confusion_matrix

        ax = plot_confusion_matrix(y, pred, labels=labels)
        ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"Confusion matrix drawn to {args.plot}")
    if data.skipped:
        print(f"Note: {len(data.skipped)} file(s) could not be read and are not in these "
              f"scores (listed on stderr).")
        return 1
    return 0
