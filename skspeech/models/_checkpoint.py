"""Keras callbacks for long trainings: a checkpoint every epoch to resume from, and a progress
bar over the clips of each epoch (clips/s and time left).

Give them to a Keras classifier's ``callbacks`` (``kws__callbacks=[...]`` in a
recipe); ``skspeech train`` does. Importing this module imports Keras.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import keras
import numpy as np

__all__ = ["ClipProgress", "TrainingCheckpoint"]

_STATE = "state.json"
_SKIPPED = "skipped.txt"


def _state_problem(state):
    """What is wrong with a parsed ``state.json``, or None."""
    if not isinstance(state, dict):
        return f"it holds a JSON {type(state).__name__}, not the object a checkpoint writes"
    epoch, weights = state.get("epoch"), state.get("weights")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
        return f"its epoch is {epoch!r}, expected the epochs done (a whole number >= 1)"
    if (not isinstance(weights, str) or not weights.endswith(".weights.h5")
            or Path(weights).name != weights):
        return f"its weights entry is {weights!r}, expected a file name such as 'epoch1.weights.h5'"
    history = state.get("history")
    if not isinstance(history, dict) or not all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values()):
        return "its history is not lists of numbers by metric"
    stopper = state.get("stopper")
    if stopper is not None and not (isinstance(stopper, dict) and all(
            k in stopper for k in ("best", "best_epoch", "wait"))):
        return "its early-stopping state lacks best, best_epoch or wait"
    return None


def _replace_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a crash leaves the old one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _light_state(callback, drop=()):
    """A callback's ``__dict__`` for pickling: without the network it was last used with (it
    would be saved a second time, with the optimizer's state) and live objects."""
    state = dict(vars(callback))
    for key in drop:
        state.pop(key, None)
    if "_model" in state:
        state["_model"] = None
    return state


class TrainingCheckpoint(keras.callbacks.Callback):
    """Save the training state at the end of every epoch, and resume from it.

    The folder holds the network's weights with the optimizer's state
    (``epoch<N>.weights.h5``), the best epoch's weights when early stopping
    keeps them (``best.npz``), and ``state.json``: the epochs done, the
    history so far, early stopping's counters and ``fingerprint``. The JSON
    file is written last and names the weights file: a run stopped while
    saving resumes from the previous epoch.

    Parameters
    ----------
    directory : str or path-like
        Where to keep the checkpoint (made if missing).
    resume : bool, default=False
        At the start of training, load the checkpoint in ``directory`` (if
        there is one) and continue with the epoch after it: the weights, the
        optimizer, the learning-rate schedule, the history and early
        stopping go on where they were.
    fingerprint : dict, default=None
        What the run is (data, model, seed...): a checkpoint made with
        another fingerprint is refused on resume.
    cache_features : bool or "all", default=False
        A network trained on clips read in batches also keeps, in
        ``features.f16`` here, the inputs of the clips that are no augmented
        copies (float16: 7.8 KB per one-second clip of log-mel frames), so
        that later epochs, and a resumed run, read them instead of computing
        them again. ``"all"`` keeps the augmented copies' too: each copy is
        then drawn once, in the first epoch, and reused (the augmentation of
        the recipe in memory, at about its speed from the second epoch)
        instead of drawn afresh every epoch.
    on_unreadable : {"raise", "skip"}, default="raise"
        A clip of data read in batches that cannot be read during training (a
        file changed, removed or damaged since training started): stop with
        an :class:`~skspeech.exceptions.UnreadableClipError` naming it, or
        leave it out and list it in ``skipped.txt`` here (:meth:`skipped`).

    Attributes
    ----------
    resumed_from : int or None
        The epochs done before this run took over (None: started afresh).
    stopper : keras.callbacks.EarlyStopping or None
        Early stopping, whose counters the checkpoint keeps; the classifier
        sets it.
    """

    def __init__(self, directory, *, resume=False, fingerprint=None, cache_features=False,
                 on_unreadable="raise"):
        super().__init__()
        if on_unreadable not in ("raise", "skip"):
            raise ValueError(f"on_unreadable must be 'raise' or 'skip'; got {on_unreadable!r}.")
        self.directory = Path(directory)
        self.resume = resume
        self.fingerprint = fingerprint
        self.cache_features = cache_features
        self.on_unreadable = on_unreadable
        self.resumed_from = None
        self.stopper = None
        self._history = {}
        self._stopper_state = None

    def __getstate__(self):
        state = _light_state(self, drop=("stopper",))
        state.update(stopper=None, _stopper_state=None, _history={})
        return state

    # --- resume --------------------------------------------------------------

    def saved_epochs(self) -> int | None:
        """Epochs done in the checkpoint in ``directory``, or None when there is none."""
        state = self._read_state()
        return None if state is None else int(state["epoch"])

    @property
    def skip_log(self) -> Path:
        """The file listing the clips left out with ``on_unreadable="skip"``."""
        return self.directory / _SKIPPED

    def skipped(self) -> list[str]:
        """The clips left out during training (one message each, first seen first)."""
        try:
            lines = self.skip_log.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return list(dict.fromkeys(line for line in lines if line.strip()))

    def _damaged(self, path, what):
        return ValueError(
            f"The checkpoint file {str(path)!r} is damaged ({what}); training cannot resume "
            f"from it. Start afresh: delete the checkpoint folder {str(self.directory)!r} (with "
            f"skspeech train: run again without --resume, with --force, which deletes it).")

    def _read_state(self, strict=True):
        """``state.json`` checked (None when there is none); a damaged one raises a
        ValueError naming it (``strict``) or reads as none."""
        path = self.directory / _STATE
        if not path.is_file():
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            problem = _state_problem(state)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problem = (exc.strerror if isinstance(exc, OSError) and exc.strerror
                       else "it is empty" if not path.stat().st_size else f"not JSON: {exc}")
        if problem is None:
            return state
        if strict:
            raise self._damaged(path, problem)
        return None

    def on_train_begin(self, logs=None):
        self._history, self._stopper_state, self.resumed_from = {}, None, None
        state = self._read_state() if self.resume else None
        if state is None:
            return
        if self.fingerprint is not None and state.get("fingerprint") != _plain(self.fingerprint):
            raise ValueError(
                f"The checkpoint in {str(self.directory)!r} is of another run: it was made for "
                f"{state.get('fingerprint')}, this run is {_plain(self.fingerprint)}. Resume "
                "with the same data and options, or start afresh without resuming.")
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        weights = self.directory / state["weights"]
        if not weights.is_file():
            raise self._damaged(self.directory / _STATE, f"it names the weights file "
                                                         f"{state['weights']!r}, which is missing")
        try:
            self.model.load_weights(weights)
        except Exception:  # h5py's "truncated file", Keras's layer mismatch, ...
            raise self._damaged(weights, f"its {weights.stat().st_size} bytes are cut short or "
                                         f"not the weights of this network") from None
        self.model._initial_epoch = int(state["epoch"])  # what keras.Model.fit starts from
        self.resumed_from = int(state["epoch"])
        self._history = {k: list(v) for k, v in state["history"].items()}
        self._stopper_state = state.get("stopper")

    def on_epoch_begin(self, epoch, logs=None):
        # after every on_train_begin, which resets early stopping's counters
        if self._stopper_state is not None and self.stopper is not None:
            saved = self._stopper_state
            self.stopper.best = saved["best"]
            self.stopper.best_epoch = saved["best_epoch"]
            self.stopper.wait = saved["wait"]
            best = self.directory / "best.npz"
            if saved.get("best_weights") and best.is_file():
                try:
                    with np.load(best) as f:
                        self.stopper.best_weights = [f[f"w{i}"] for i in range(len(f.files))]
                except Exception:  # a cut or foreign file (zipfile's, NumPy's errors)
                    raise self._damaged(best, f"the best epoch's weights cannot be read: its "
                                              f"{best.stat().st_size} bytes are cut short or "
                                              f"not a NumPy archive") from None
        self._stopper_state = None

    # --- save ----------------------------------------------------------------

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(float(value))
        try:
            self._save(epoch)
        except Exception as exc:  # a full disk, a read-only folder: h5py's or NumPy's errors
            import errno

            number = getattr(exc, "errno", None)
            reason = (os.strerror(number) if isinstance(number, int) and number > 0 else
                      " ".join(str(exc).split())[:200] or type(exc).__name__)
            hint = ("Free some space" if number in (errno.ENOSPC, errno.EDQUOT) else
                    "Check that the folder can be written")
            error = OSError(f"Cannot save the checkpoint of epoch {epoch + 1} in "
                            f"{str(self.directory)!r} ({reason}). {hint}, then continue with "
                            f"--resume (skspeech train) from the last epoch saved.")
            error.errno = number
            raise error from None

    def _save(self, epoch):
        self.directory.mkdir(parents=True, exist_ok=True)
        state = self._read_state(strict=False)  # replaced now: a damaged one is not kept
        weights = f"epoch{epoch + 1}.weights.h5"
        self.model.save_weights(self.directory / weights, overwrite=True)
        stopper = None
        if self.stopper is not None and self.stopper.best is not None:
            kept = self.stopper.best_weights is not None
            stopper = {"best": float(self.stopper.best), "best_epoch": int(self.stopper.best_epoch),
                       "wait": int(self.stopper.wait), "best_weights": kept}
            if kept and self.stopper.best_epoch == epoch:
                tmp = self.directory / "best.tmp.npz"
                np.savez(tmp, **{f"w{i}": w for i, w in enumerate(self.stopper.best_weights)})
                os.replace(tmp, self.directory / "best.npz")
        _replace_json(self.directory / _STATE, {
            "epoch": epoch + 1, "weights": weights, "history": self._history,
            "stopper": stopper, "fingerprint": _plain(self.fingerprint)})
        if state is not None and state["weights"] != weights:
            (self.directory / state["weights"]).unlink(missing_ok=True)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None  # later fits start where they are told
        history = getattr(self.model, "history", None)
        if self.resumed_from and history is not None:
            # the History of this fit holds the resumed epochs only: put the earlier first
            done = {k: v[:self.resumed_from] for k, v in self._history.items()}
            for key, earlier in done.items():
                history.history[key] = earlier + list(history.history.get(key, []))


def _plain(value):
    """``value`` as JSON gives it back (tuples as lists), for comparing fingerprints."""
    return None if value is None else json.loads(json.dumps(value))


class ClipProgress(keras.callbacks.Callback):
    """A progress bar per epoch over its clips, with clips/s and the time left (tqdm).

    Also records each epoch's training time and clips (``seconds``,
    ``clips``), shown or not.

    Parameters
    ----------
    batch_size : int
        Clips per training batch.
    desc : str, default="Epoch"
        Start of each bar's label ("Epoch 3/60").
    show : bool, default=True
        Draw the bars; False only records.
    file : file object, default=None
        Where the bars go (None: standard error).

    Attributes
    ----------
    seconds : list of float
        Per epoch, from its start to the end of its last training batch
        (the validation pass left out).
    clips : list of int
        Per epoch, the clips trained on (copies included).
    rates : list of float
        Per epoch, clips/s after its first batch (which includes the one-off
        tracing of the network in the first epoch); None for a one-batch epoch.
    """

    def __init__(self, batch_size, *, desc="Epoch", show=True, file=None):
        super().__init__()
        self.batch_size = int(batch_size)
        self.desc = desc
        self.show = show
        self.file = file
        self.seconds, self.clips, self.rates = [], [], []
        self._bar = None

    def __getstate__(self):
        state = _light_state(self)
        state["_bar"] = None
        return state

    def _epoch_clips(self):
        params = self.params or {}
        if params.get("clips") is not None:  # set by the streamed batches
            return int(params["clips"])
        steps = params.get("steps")
        return None if steps is None else int(steps) * self.batch_size

    def on_train_begin(self, logs=None):
        self.seconds, self.clips, self.rates = [], [], []

    def on_epoch_begin(self, epoch, logs=None):
        import time

        self._t0, self._t1, self._done = time.perf_counter(), None, 0
        self._first = None  # (time, clips) at the end of the first batch
        if self.show:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self._epoch_clips(), unit="clip", unit_scale=True,
                             desc=f"{self.desc} {epoch + 1}/{(self.params or {}).get('epochs')}",
                             leave=True, dynamic_ncols=True, file=self.file or sys.stderr)

    def on_train_batch_end(self, batch, logs=None):
        import time

        self._t1 = time.perf_counter()
        total = self._epoch_clips()
        step = self.batch_size if total is None else min(self.batch_size, total - self._done)
        self._done += step
        if self._first is None:
            self._first = (self._t1, self._done)
        if self._bar is not None:
            self._bar.update(step)
            if logs and "loss" in logs:
                self._bar.set_postfix(loss=f"{float(logs['loss']):.3g}", refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._t1 is not None:
            self.seconds.append(self._t1 - self._t0)
            self.clips.append(self._done)
            t, n = self._first
            self.rates.append((self._done - n) / (self._t1 - t) if self._t1 > t else None)
        if self._bar is not None:
            shown = {k: f"{float(v):.3g}" for k, v in (logs or {}).items()
                     if k in ("loss", "accuracy", "val_loss", "val_accuracy")}
            self._bar.set_postfix(shown, refresh=False)
            self._bar.close()
            self._bar = None


def fit_callbacks(est):
    """The callbacks a fit of ``est`` runs, from its public ``callbacks`` parameter.

    What scikeras builds from ``callbacks`` (and routed ``callbacks__*``,
    ``fit__callbacks``), read from the parameter itself: skspeech's Keras
    classifiers take only a list of callback instances (``_check_params``)
    and no routed parameters (scikit-learn's ``set_params``), so that is the
    same list, rebuilt at every fit (a warm start after unpickling too).
    """
    return list(getattr(est, "callbacks", None) or [])


def checkpoint_of(est):
    """The TrainingCheckpoint among the fit's callbacks, or None."""
    return next((cb for cb in fit_callbacks(est) if isinstance(cb, TrainingCheckpoint)), None)
