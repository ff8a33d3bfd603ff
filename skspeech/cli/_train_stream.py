"""``skspeech train`` for the networks: clips read in batches, a progress bar per epoch,
a checkpoint at the end of every epoch and ``--resume``.

The network recipes (kws, kws2d, conv1d) train from the files of a Speech
Commands folder read batch by batch (``load_speech_commands(lazy=True)``), so
memory does not grow with the folder. The checkpoint lives beside the model
file (``MODEL.checkpoint/``) until the model is saved.
"""

import contextlib
import shutil
from pathlib import Path

import numpy as np

#: The recipes trained batch by batch from the files, with checkpoints.
NETWORK_MODELS = ("kws", "kws2d", "conv1d")


def checkpoint_dir(out):
    """Where the checkpoint of the run writing model file ``out`` lives."""
    out = Path(out)
    return out.with_name(out.name + ".checkpoint")


#: The lock file inside a checkpoint folder, held by the run that writes the folder.
LOCK = "lock"


@contextlib.contextmanager
def checkpoint_lock(args, out):
    """Hold the lock of the checkpoint folder of the run writing ``out`` (for the networks)
    while the block runs: a second run on the same ``-o`` is refused, whatever its options
    (``--force`` or ``--resume`` would disturb the live run). An OS lock (``flock``), so a
    killed run never blocks the next; a folder left holding only the lock is removed."""
    if args.model not in NETWORK_MODELS:
        yield
        return
    from ..datasets import data_lock

    folder = checkpoint_dir(out)
    lock = folder / LOCK
    busy = OSError(
        f"Another skspeech train is running with -o {str(out)!r}: it holds the lock "
        f"{str(lock)!r} of the checkpoint folder it writes every epoch. Wait for it to finish, "
        f"or train into another file with -o. (--force or --resume would disturb the live run "
        f"and are refused too.)")
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{str(folder)!r} is a file, but skspeech train keeps the "
                              f"checkpoint of -o {str(out)!r} in a folder of that name. Move "
                              f"the file away, or train into another file with -o.")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(data_lock(lock, what=f"the checkpoint of {out}", busy=busy))
        except OSError as exc:
            if exc is busy:
                raise
            error = OSError(f"Cannot make the checkpoint folder {str(folder)!r} of -o "
                            f"{str(out)!r}: {exc.strerror or exc}. Train into a folder you "
                            f"can write to (-o).")
            error.errno = exc.errno
            raise error from None
        try:
            yield
        finally:
            _remove_if_only_the_lock(folder, lock)


def _remove_if_only_the_lock(folder, lock):
    """Remove a checkpoint folder that holds nothing but its lock (a run ended before its
    first epoch was saved)."""
    with contextlib.suppress(OSError):
        if folder.is_dir() and [p.name for p in folder.iterdir()] == [LOCK]:
            lock.unlink()
            folder.rmdir()


def check_resume(args, out):
    """Refuse ``--resume`` without a checkpoint, and a fresh run over an interrupted one's
    checkpoint (unless ``--force``, which deletes it). Returns the checkpoint folder or None."""
    resume = getattr(args, "resume", False)
    if args.model not in NETWORK_MODELS:
        if getattr(args, "fixed_copies", False):
            raise ValueError(f"--fixed-copies applies to --model {' or '.join(NETWORK_MODELS)} "
                             f"(trained from clips read in batches), not to --model "
                             f"{args.model}; drop it.")
        if resume:
            raise ValueError(f"--resume continues an interrupted training of --model "
                             f"{' or '.join(NETWORK_MODELS)}, which save a checkpoint every "
                             f"epoch; --model {args.model} has none. Drop --resume.")
        return None
    folder = checkpoint_dir(out)
    found = (folder / "state.json").is_file()
    if resume and not found:
        raise FileNotFoundError(f"--resume: no checkpoint at {str(folder)!r} (a run writing "
                                f"{str(out)!r} saves one at the end of every epoch). Train "
                                "without --resume.")
    if found and not resume:
        if not args.force:
            raise FileExistsError(
                f"{str(folder)!r} holds the checkpoint of an interrupted run; continue it with "
                "--resume (same data and options), or start afresh with --force (deletes it).")
        for item in folder.iterdir():  # all but the lock this run holds
            if item.is_dir():
                shutil.rmtree(item)
            elif item.name != LOCK:
                item.unlink()
    return folder


def fingerprint(args, data, classes):
    """What a checkpoint must match to be resumed: the data, the model and its options."""
    return {"data": str(Path(args.data).resolve()) if data.kind != "synthetic" else "synthetic",
            "subset": args.subset, "task": data.task, "classes": [str(c) for c in classes],
            "n_clips": int(len(data.y)), "sr": int(data.sr), "model": args.model,
            "augment": args.augment, "noise": args.noise, "epochs": args.epochs,
            "duration": args.duration, "features": args.features, "filters": args.filters,
            "fixed_copies": getattr(args, "fixed_copies", False), "seed": args.seed}


def _network(model):
    """``(parameter path, classifier)`` of the recipe's network."""
    from ..utils import classifiers, is_keras_classifier

    found = [(path, clf) for path, clf in classifiers(model) if is_keras_classifier(clf)]
    return found[0]


def attach(model, folder, *, resume, fingerprint, quiet, cache=True, skip=False):
    """Give the recipe's network a checkpoint callback and, unless ``quiet``, a progress
    bar over the clips of each epoch; returns the model. ``cache``: the checkpoint's
    ``cache_features``; ``skip``: leave out clips that cannot be read during training."""
    from ..models import ClipProgress, TrainingCheckpoint

    path, net = _network(model)
    callbacks = list(net.callbacks or [])
    callbacks.append(TrainingCheckpoint(folder, resume=resume, fingerprint=fingerprint,
                                        cache_features=cache,
                                        on_unreadable="skip" if skip else "raise"))
    callbacks.append(ClipProgress(net.batch_size, show=not quiet))
    params = {f"{path}__callbacks": callbacks}
    if not quiet:  # the bar per epoch replaces the bar over epochs
        params[f"{path}__verbose"] = 0
    return model.set_params(**params)


def fit(model, X, y, say, redraw_copies=True):
    """Fit, saying when a run resumes; returns the fitted model.

    With ``redraw_copies`` (augmented copies drawn anew every epoch, whose
    features every epoch computes) the batches are prepared in worker
    processes (:func:`~skspeech.models.default_processes`), else in
    a thread (from the second epoch the features are the checkpoint's
    cache, which a thread reads as fast without sending the batches between
    processes); ``SKSPEECH_DATA_PROCESSES``, the user's choice, overrides both. The
    network's ``fit`` takes the number (``data_processes``).
    """
    import os

    from ..models import TrainingCheckpoint, default_processes
    from ..utils import unwrap

    _, net = _network(model)
    saved = [cb for cb in net.callbacks if isinstance(cb, TrainingCheckpoint)]
    if saved and saved[0].resume:
        say(f"Resuming from the checkpoint in {saved[0].directory} after epoch "
            f"{saved[0].saved_epochs()}")
    if "SKSPEECH_DATA_PROCESSES" in os.environ:  # the network's fit reads it
        return model.fit(X, y)
    step = next(name for name, s in unwrap(model).steps if s is net)  # the recipe's last step
    return model.fit(X, y, **{f"{step}__data_processes":
                              default_processes() if redraw_copies else 0})


def epoch_report(model):
    """Seconds and clips/s of the fitted network's epochs (from its ClipProgress)."""
    from ..models import ClipProgress

    _, net = _network(model)
    bars = [cb for cb in net.callbacks or [] if isinstance(cb, ClipProgress)]
    if not bars or not bars[0].seconds:
        return {}
    bar = bars[0]
    rates = [r for r in bar.rates if r is not None]
    return {"epoch_seconds": [round(s, 2) for s in bar.seconds],
            "epoch_clips_per_second": [None if r is None else round(r, 1) for r in bar.rates],
            "clips_per_epoch": int(bar.clips[-1]),
            # after each epoch's first batch: the first one traces the network
            "clips_per_second": round(float(np.median(rates)), 1) if rates else
            round(sum(bar.clips) / sum(bar.seconds), 1)}


def skipped_in_training(model):
    """The clips the checkpoint left out during training (``--skip-unreadable``)."""
    from ..models import TrainingCheckpoint

    _, net = _network(model)
    found = [cb for cb in net.callbacks or [] if isinstance(cb, TrainingCheckpoint)]
    return found[0].skipped() if found else []


def detach(model):
    """Take the checkpoint and the bar out of the fitted network's ``callbacks`` (and the
    recipe's), so that the saved model does not write into the checkpoint's folder later."""
    from ..augment import AugmentedClassifier
    from ..models import ClipProgress, TrainingCheckpoint

    nets = [_network(model)[1]]
    if isinstance(model, AugmentedClassifier) and hasattr(model, "estimator_"):
        nets.append(_network(model.estimator)[1])
    for net in nets:
        kept = [cb for cb in net.callbacks or []
                if not isinstance(cb, (TrainingCheckpoint, ClipProgress))]
        net.set_params(callbacks=kept or None)
    return model


def remove_checkpoint(folder):
    """Delete the checkpoint once the model is saved."""
    if folder is not None and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
