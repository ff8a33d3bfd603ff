"""``skspeech evaluate``: accuracy, per-word precision/recall and the confusion matrix."""

from pathlib import Path

import numpy as np

from ._train import _DATA_HELP, add_data_arguments, load_data, say_for

HELP = "Score a model file on labelled data: accuracy, per-word precision/recall, confusions."


def add_parser(sub):
    p = sub.add_parser("evaluate", help=HELP, description=HELP)
    p.add_argument("model", type=Path, help="a model file from skspeech train (trusted only)")
    p.add_argument("data", help=_DATA_HELP.replace("training", "test"))
    p.add_argument("--plot", type=Path, default=None, metavar="PNG",
                   help="also draw the confusion matrix into this PNG file (needs matplotlib)")
    add_data_arguments(p, subset_default="test")
    return p


def format_confusion(cm, labels):
    width = max(5, *(len(str(w)) for w in labels)) + 1
    head = "true \\ predicted"
    first = max(len(head), *(len(str(w)) for w in labels)) + 1
    lines = [head.ljust(first) + "".join(str(w).rjust(width) for w in labels)]
    for w, row in zip(labels, cm):
        lines.append(str(w).ljust(first) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def run(args):
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

    from .._persistence import load_model

    say = say_for(args)
    model, meta = load_model(args.model, return_metadata=True)
    classes = meta["classes"]
    words = args.words or [c for c in classes if not c.startswith("_")]
    say(f"Loading {args.data} ...")
    X, y, sr, what = load_data(args.data, subset=args.subset, words=words,
                               sr=args.sr or meta.get("sr"), n_voices=args.n_voices,
                               seed=args.seed + 1, verbose=not args.quiet)
    if meta.get("sr") and sr != meta["sr"]:
        raise ValueError(f"The data is at {sr} Hz but the model expects {meta['sr']} Hz; "
                         f"pass --sr {meta['sr']}.")
    unknown = sorted(set(np.unique(y)) - set(classes))
    if unknown:
        raise ValueError(f"The data has words the model never learned: {unknown}; the model "
                         f"knows {classes}. Pass --words to choose.")
    pred = model.predict(X)
    labels = [c for c in classes if c in set(y) | set(pred)]
    acc = accuracy_score(y, pred)
    print(f"Accuracy on {len(y)} clips of {what}: {acc:.1%} ({int((pred == y).sum())}/{len(y)})")
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
    return 0
