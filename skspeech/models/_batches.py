"""Training batches read, augmented and turned into features on the fly, for keras.Model.fit.

A Keras classifier given a lazy container (the
:class:`~skspeech.pipelines._streamed.TransformedClips` a Pipeline fitted on
:class:`~skspeech.io.AudioFiles` hands its last step)
trains from :class:`ClipBatches`: a ``keras.utils.PyDataset`` whose
``__getitem__`` reads one batch of clips, draws their augmentation for the
current epoch and runs the Pipeline's fitted front end on them. Keras
prepares the next batches while the network trains on this one (a
background thread, ``workers`` threads, or worker processes: see
:func:`~skspeech.models._workers.data_workers`). Memory holds the list of clips, the batches in the
queue and the network; nothing that grows with the data but the names and
labels.

The disk cache of features (:mod:`~skspeech.models._feature_cache`), the
choice of threads or processes (:mod:`~skspeech.models._workers`) and the
checkpoint lookups (:mod:`~skspeech.models._checkpoint`) live in their own
modules.

Importing this module imports Keras.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from ..io._clips import LazyClips
from ._checkpoint import checkpoint_of
from ._feature_cache import FeatureCache
from ._unreadable import READ_ERRORS, clip_error, log_skipped, unreadable  # noqa: F401

__all__ = ["ClipBatches", "check_lazy_input", "streamed_training_data"]

#: Training clips the input normalisation learns its mean and variance from (all, if fewer).
ADAPT_SAMPLE = 2048
#: Clips read to learn the shape of the network's input.
SHAPE_SAMPLE = 4


class ClipBatches(keras.utils.PyDataset):
    """Batches of a lazy container, in a fresh random order every epoch.

    Parameters
    ----------
    clips : LazyClips
        What the network reads (features, or waveforms).
    y : ndarray of shape (n_clips,)
        Encoded labels of every clip of ``clips``.
    indices : ndarray of int
        The clips this dataset serves (a training or validation split).
    batch_size : int
        Clips per batch.
    shuffle : bool
        A new order every epoch, drawn from ``seed`` and the epoch.
    seed : int
        Seeds the order.
    redraw_copies : bool
        Pass the epoch to ``clips.read``, so random augmentation draws anew
        every epoch; False reads every epoch the same clips (validation).
    sample_weight : ndarray of shape (n_clips,) or None
        Weights, returned with each batch.
    prepare : callable or None
        Applied to each batch of ``clips`` (e.g. adding the channel axis).
    initial_epoch : int
        The epoch training starts at. During training a callback sets
        ``epoch`` as each epoch begins (a resumed run goes on with the draws
        of its epochs).
    workers : int
        Threads (or processes) preparing batches; 1 prepares them in one
        background thread.
    processes : bool
        Prepare batches in ``workers`` worker processes instead of threads
        (Keras's ``use_multiprocessing``): the reading, augmentation and
        front end, which hold Python's interpreter lock in threads, then run
        on more than one core.
    cache : FeatureCache or None
        Where the inputs that are the same every epoch are kept after their
        first computation: the clips that are no augmented copies and, when
        ``redraw_copies`` is False, the copies too.
    on_error : {"raise", "skip"}, default="raise"
        A clip that cannot be read (a file changed, removed or damaged during
        training): raise :class:`~skspeech.exceptions.UnreadableClipError`
        naming it, or leave it out of its batch and append its line to
        ``skip_log``.
    skip_log : path or None
        The file that lists the clips left out (one line each).
    """

    def __init__(self, clips: LazyClips, y: np.ndarray, indices: np.ndarray, *,
                 batch_size: int, shuffle: bool, seed: int, redraw_copies: bool,
                 sample_weight: np.ndarray | None = None, prepare=None, initial_epoch: int = 0,
                 workers: int = 1, processes: bool = False, max_queue_size: int = 8,
                 cache: FeatureCache | None = None, on_error: str = "raise",
                 skip_log=None):
        super().__init__(workers=workers, use_multiprocessing=processes,
                         max_queue_size=max_queue_size)
        self.clips = clips
        self.y = np.asarray(y)
        self.indices = np.asarray(indices, dtype=np.intp)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = int(seed)
        self.redraw_copies = redraw_copies
        self.sample_weight = sample_weight
        self.prepare = prepare
        self.epoch = int(initial_epoch)
        self.cache = cache
        self.on_error = on_error
        self.skip_log = skip_log
        # what is the same every epoch: the clips themselves, and copies when not redrawn
        self._fixed = None if cache is None else (
            ~clips.origins()[1] if redraw_copies else np.ones(len(clips), dtype=bool))
        self._order_epoch, self._order = None, None

    def __len__(self) -> int:
        return math.ceil(len(self.indices) / self.batch_size)

    @property
    def num_batches(self) -> int:
        return len(self)

    def _read_clips(self, idx: np.ndarray, epoch: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The inputs of clips ``idx`` and, when some could not be read and are skipped,
        which could (their rows of the inputs are zeros); None when all were read."""
        read_epoch = epoch if self.redraw_copies else None
        try:
            return np.asarray(self.clips.read(idx, epoch=read_epoch), dtype=np.float32), None
        except READ_ERRORS as exc:
            if self.on_error != "skip":
                raise unreadable(exc, epoch) from None
        rows, ok = {}, np.ones(len(idx), dtype=bool)
        for k, i in enumerate(idx):  # find the clips that cannot be read
            try:
                rows[k] = np.asarray(self.clips.read([i], epoch=read_epoch),
                                     dtype=np.float32)[0]
            except READ_ERRORS as exc:
                ok[k] = False
                self._log_skipped(exc)
        if not rows:
            raise unreadable(f"none of the {len(idx)} clips of a batch could be read; "
                             f"is the data folder still there?", epoch)
        shape = next(iter(rows.values())).shape
        X = np.zeros((len(idx),) + shape, dtype=np.float32)
        for k, row in rows.items():
            X[k] = row
        return X, ok

    def _log_skipped(self, exc):
        if self.skip_log is not None:
            log_skipped(self.skip_log, exc)

    def _read_cached(self, idx: np.ndarray, epoch: int) -> tuple[np.ndarray, np.ndarray | None]:
        cached = self._fixed[idx] & self.cache.is_filled(idx)
        todo = np.flatnonzero(~cached)
        X = np.empty((len(idx),) + self.cache.shape, dtype=np.float32)
        ok = None
        if cached.any():
            X[cached] = self.cache.get(idx[cached])
        if len(todo):
            X[todo], read = self._read_clips(idx[todo], epoch)
            new = todo[self._fixed[idx[todo]] & (True if read is None else read)]
            if len(new):
                self.cache.put(idx[new], X[new])
            if read is not None:
                ok = np.ones(len(idx), dtype=bool)
                ok[todo[~read]] = False
        return X, ok

    def on_epoch_end(self):
        if self.cache is not None:
            self.cache.save()

    def order(self, epoch: int) -> np.ndarray:
        """The clips of ``epoch``, in the order they are served."""
        if self._order_epoch != epoch:
            self._order = self.indices if not self.shuffle else np.random.default_rng(
                [self.seed, epoch]).permutation(self.indices)
            self._order_epoch = epoch
        return self._order

    def __getitem__(self, b: int):
        epoch = self.epoch
        idx = self.order(epoch)[b * self.batch_size:(b + 1) * self.batch_size]
        if self.cache is None:
            X, ok = self._read_clips(idx, epoch)
        else:
            X, ok = self._read_cached(idx, epoch)
        if ok is not None:  # skipped clips leave the batch
            X, idx = X[ok], idx[ok]
        if self.prepare is not None:
            X = self.prepare(X)
        if self.sample_weight is None:
            return X, self.y[idx]
        return X, self.y[idx], self.sample_weight[idx]


class _EpochClock(keras.callbacks.Callback):
    """Tells the training batches which epoch Keras is in (also when a run resumes)."""

    def __init__(self, batches: ClipBatches):
        super().__init__()
        self.batches = batches

    def on_train_begin(self, logs=None):
        if self.params is not None:  # shared by the fit's callbacks: ClipProgress counts clips
            self.params["clips"] = len(self.batches.indices)

    def on_train_end(self, logs=None):
        if self.batches.cache is not None:
            self.batches.cache.save()
            self.batches.cache.close()

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.epoch = int(epoch)


def check_lazy_input(est, X: LazyClips, reset: bool) -> np.ndarray:
    """Check the first clips of ``X`` as the classifier checks an array, and return them.

    With ``reset`` (fit) the classifier's ``X_shape_`` becomes
    ``(n_clips, *shape of one input)``: ``X`` itself stays lazy.
    """
    from ._keras_input import check_input

    first = np.arange(min(SHAPE_SAMPLE, len(X)))
    if reset:
        sample, _ = _read_readable(X, first, _skipping(checkpoint_of(est)))
    else:
        sample = X.read(first)
    if not isinstance(sample, np.ndarray):
        shapes = sorted({np.shape(x) for x in sample})
        raise ValueError(
            f"The clips read in batches come out in different shapes ({shapes[0]} to "
            f"{shapes[-1]}); {type(est).__name__} needs one. Pad or trim them in the front "
            "end, e.g. PadTrim(duration=1.0, sr=sr), before the network.")
    sample = check_input(est, sample, reset=reset)
    if reset:
        est.X_shape_ = (len(X),) + tuple(sample.shape[1:])
    return sample


def _train_validation_split(X: LazyClips, y_int: np.ndarray, split
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation positions: ``split`` (the classifier's stratified split) of the
    recorded clips; a clip's copies go with it, and validation takes no copies."""
    origin, is_copy = X.origins()
    clips, first = np.unique(origin, return_index=True)
    train_clips, val_clips = split(y_int[first])
    in_val = np.isin(origin, clips[val_clips])
    if not is_copy.any():  # no copies: the in-memory split, in its order
        return first[train_clips], first[val_clips]
    return np.flatnonzero(~in_val), np.flatnonzero(in_val & ~is_copy)


def _skipping(checkpoint):
    """``checkpoint`` if it leaves out unreadable clips (on_unreadable="skip"), else None."""
    return checkpoint if checkpoint is not None and checkpoint.on_unreadable == "skip" else None


def _log_skipped(checkpoint, exc):
    """Append a clip left out to the checkpoint's list."""
    log_skipped(checkpoint.skip_log, exc)


def _read_readable(X, indices, checkpoint, epoch=None):
    """``(clips, indices read)``: ``X.read(indices)``, leaving out (and listing) the clips
    that cannot be read when ``checkpoint`` skips them (None: none does); UnreadableClipError
    else."""
    try:
        return X.read(indices), indices
    except READ_ERRORS as exc:
        if checkpoint is None:
            raise unreadable(exc, epoch) from None
    good = []
    for i in indices:
        try:
            X.read([i])
        except READ_ERRORS as exc:
            _log_skipped(checkpoint, exc)
            continue
        good.append(i)
    if not good:
        raise unreadable(f"none of the {len(indices)} clips read to start training could be "
                         f"read; is the data folder still there?", epoch)
    good = np.asarray(good, dtype=np.intp)
    return X.read(good), good


def streamed_training_data(X: LazyClips, y, sample_weight, *, batch_size: int, seed: int,
                           split=None, checkpoint=None, input_shape: tuple, workers: int = 1,
                           processes: bool = False, initial_epoch: int = 0,
                           prepare=None) -> dict:
    """``keras.Model.fit`` keyword arguments that stream ``X``.

    Parameters
    ----------
    X : LazyClips
        The inputs.
    y : ndarray
        Encoded labels.
    sample_weight : ndarray or None
        One weight per clip.
    batch_size : int
        Clips per batch.
    seed : int
        Seeds the batches' order and the sample the input normalisation adapts on.
    split : callable or None, default=None
        The classifier's stratified validation split (labels of the recorded
        clips -> training and validation positions); None holds out nothing.
    checkpoint : TrainingCheckpoint or None, default=None
        The fit's checkpoint: its ``cache_features`` keeps the inputs in its
        folder (a run that does not resume starts the cache afresh), its
        ``on_unreadable="skip"`` leaves out the clips that cannot be read.
    input_shape : tuple
        The shape of one input (a row of the feature cache).
    workers : int, default=1
        Threads, or with ``processes`` worker processes, that prepare the
        batches (:func:`~skspeech.models._workers.data_workers`).
    processes : bool, default=False
        Prepare the batches in worker processes instead of threads.
    initial_epoch : int, default=0
        The epoch training starts at.
    prepare : callable, default=None
        Applied to each batch (the classifier's feature encoder).

    Returns
    -------
    data : dict
        ``x`` (a :class:`ClipBatches`; its ``adapt_x`` holds training clips,
        at most ``ADAPT_SAMPLE`` and no augmented copies, for the input
        normalisation of a new network), ``validation_data`` (one, or None), ``shuffle`` (False:
        the batches shuffle themselves) and ``callbacks``: for the caller to
        add to its own (one that tells the batches the epoch), not for
        ``keras.Model.fit`` directly.
    """
    y = np.asarray(y).reshape(len(y))
    if split is not None:
        train, val = _train_validation_split(X, y.astype(int), split)
    else:
        train, val = np.arange(len(X)), None
    cache = None
    caching = checkpoint if checkpoint is not None and checkpoint.cache_features else None
    if caching is not None:
        path = caching.directory / "features.f16"
        if not caching.resume:  # a fresh run computes its features afresh
            FeatureCache.remove(path)
        cache = FeatureCache(path, len(X), input_shape)
    # cache_features="all": each copy drawn once and reused, as the recipe in memory does
    redraw = caching is None or caching.cache_features != "all"
    skipping = _skipping(checkpoint)
    common = dict(batch_size=batch_size, sample_weight=sample_weight, prepare=prepare,
                  cache=cache, workers=workers, processes=processes,
                  on_error="raise" if skipping is None else "skip",
                  skip_log=None if skipping is None else skipping.skip_log)
    batches = ClipBatches(X, y, train, shuffle=True, seed=seed, redraw_copies=redraw,
                          initial_epoch=initial_epoch, **common)
    validation = None if val is None else ClipBatches(X, y, val, shuffle=False, seed=seed,
                                                      redraw_copies=False, **common)
    _, is_copy = X.origins()
    recorded = train[~is_copy[train]]  # the clips themselves: no copy is made to adapt on
    pool = recorded if len(recorded) else train
    pick = pool if len(pool) <= ADAPT_SAMPLE else np.sort(
        np.random.default_rng(seed).choice(pool, ADAPT_SAMPLE, replace=False))
    adapt = np.asarray(_read_readable(X, pick, skipping)[0], dtype=np.float32)
    if prepare is not None:
        adapt = prepare(adapt)
    batches.adapt_x = adapt
    return {"x": batches, "validation_data": validation, "shuffle": False,
            "callbacks": [_EpochClock(batches)]}
