"""Clips that are read when they are needed: the protocol every lazy container follows.

A lazy container (:class:`LazyClips`) stands for ``n`` clips without holding
them. Indexing it with one int reads that clip; indexing it with a slice, a
list or an array of ints (or a boolean mask) gives another lazy container, so
scikit-learn's ``_safe_indexing`` (cross-validation, ``GridSearchCV``,
``speaker_cv_score``) splits it without reading anything. :meth:`LazyClips.read`
reads a batch. ``shape`` is ``(n_clips,)``: a 1-D sequence of clips, as a 1-D
object array of clips would be.

Containers compose: :class:`~skspeech.io.AudioFiles` reads files, a fit-only
augmentation draws fresh copies of its clips every epoch, and a fitted front
end turns a container's batches into features. ``read(..., epoch=e)`` passes
the training epoch down the chain, so random augmentation draws anew each
epoch and the same seed gives the same batches.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["READ_ERRORS", "LazyClips", "as_batch", "is_lazy"]

#: Errors of reading a clip (a file removed, replaced or damaged since it was listed).
READ_ERRORS = (ValueError, OSError)

#: Clips read per batch when a container is iterated or materialised whole.
READ_CHUNK = 256


def is_lazy(X: Any) -> bool:
    """Whether ``X`` is a lazy container of clips (reads them on demand)."""
    return isinstance(X, LazyClips)


def as_batch(clips: list | np.ndarray) -> np.ndarray | list:
    """A 2-D array when every clip (or feature array) has one shape, else the list."""
    if isinstance(clips, np.ndarray):
        return clips
    if clips and all(isinstance(c, np.ndarray) for c in clips) \
            and len({c.shape for c in clips}) == 1 and len({c.dtype for c in clips}) == 1:
        return np.stack(clips)
    return list(clips)


def _concat(batches: list) -> np.ndarray | list:
    """Join the outputs of several batches (arrays of one trailing shape, or lists)."""
    if all(isinstance(b, np.ndarray) for b in batches) \
            and len({b.shape[1:] for b in batches}) == 1:
        return np.concatenate(batches)
    return [x for b in batches for x in b]


def _as_indices(key: Any, n: int, name: str) -> np.ndarray:
    """Positions ``0..n-1`` from a slice, a sequence of ints or a boolean mask."""
    if isinstance(key, tuple) and len(key) == 2 and key[1] is Ellipsis:
        key = key[0]  # scikit-learn's _array_indexing asks for X[key, ...]
    if isinstance(key, slice):
        return np.arange(n)[key]
    idx = np.asarray(key)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise IndexError(f"{name}: a boolean mask must have one value per clip ({n}); "
                             f"got shape {idx.shape}.")
        return np.flatnonzero(idx)
    if idx.size == 0:
        return np.zeros(0, dtype=np.intp)
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        raise IndexError(f"{name} takes an int, a slice, a 1-D sequence of ints or a boolean "
                         f"mask; got {key!r:.80}.")
    if idx.min() < -n or idx.max() >= n:
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"{name} has {n} clips; index {bad} is out of range.")
    return np.where(idx < 0, idx + n, idx).astype(np.intp)


class LazyClips:
    """Base of the containers that read clips on demand.

    A subclass defines ``__len__`` and :meth:`_read` (the clips at given
    positions, for an epoch), and may define :meth:`_origins`. Everything
    else (indexing into sub-containers, iteration, ``shape``, ``__array__``)
    comes from here.
    """

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _read(self, indices: np.ndarray,
              epoch: int | None) -> list | np.ndarray:  # pragma: no cover - abstract
        """The clips at ``indices`` (a list of arrays, or one array with a row per clip), for
        training ``epoch`` (None: outside training)."""
        raise NotImplementedError

    def _origins(self) -> tuple[np.ndarray, np.ndarray]:
        """For each clip: the index of the recorded clip it comes from, and whether it is a
        perturbed copy (augmentation). A plain container: itself, no copies."""
        n = len(self)
        return np.arange(n), np.zeros(n, dtype=bool)

    # --- public -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int]:
        """``(n_clips,)``: a 1-D sequence of clips."""
        return (len(self),)

    @property
    def ndim(self) -> int:
        return 1

    def origins(self) -> tuple[np.ndarray, np.ndarray]:
        """The recorded clip each clip comes from, and whether it is a perturbed copy.

        Returns
        -------
        origin : ndarray of shape (n_clips,), int
            Clips with the same origin are versions of one recording: a
            validation split keeps them on one side.
        is_copy : ndarray of shape (n_clips,), bool
            True for copies made by fit-only augmentation.
        """
        return self._origins()

    def read(self, indices: Any = None, *, epoch: int | None = None) -> np.ndarray | list:
        """Read clips.

        Parameters
        ----------
        indices : slice, sequence of int or None, default=None
            Which clips; None reads all of them.
        epoch : int or None, default=None
            The training epoch, for containers that augment (a fresh draw
            per epoch); None outside training.

        Returns
        -------
        clips : ndarray of shape (n, n_samples) or list of ndarray
            A 2-D array when the clips have one length, else a list.
        """
        idx = np.arange(len(self)) if indices is None else _as_indices(
            indices, len(self), type(self).__name__)
        return as_batch(self._read(idx, epoch))

    def batches(self, batch_size: int = READ_CHUNK):
        """Yield ``(indices, clips)`` for consecutive batches of ``batch_size`` clips."""
        for start in range(0, len(self), batch_size):
            idx = np.arange(start, min(start + batch_size, len(self)))
            yield idx, self.read(idx)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (Integral, np.integer)) and not isinstance(key, bool):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"{type(self).__name__} has {n} clips; index {key} is out "
                                 "of range.")
            return self._read(np.array([key % n]), None)[0]
        idx = _as_indices(key, len(self), type(self).__name__)
        return _Subset(self, idx)

    def __iter__(self):
        for _, clips in self.batches():
            yield from clips

    def __array__(self, dtype=None, copy=None):
        """All clips as one array, read batch by batch (they must have one shape)."""
        out = _concat([np.asarray(b) if isinstance(b, np.ndarray) else _stack_or_fail(b, self)
                       for _, b in self.batches()]) if len(self) else np.zeros((0,))
        return out if dtype is None else out.astype(dtype, copy=False)


def _stack_or_fail(batch: list, container: LazyClips) -> np.ndarray:
    shapes = sorted({np.shape(x) for x in batch})
    raise ValueError(f"{type(container).__name__} holds clips of different shapes "
                     f"({shapes[0]} to {shapes[-1]}), which cannot be one array; pad or trim "
                     "them to one length first (PadTrim), or read them as a list with "
                     "list(clips).")


class _Subset(LazyClips):
    """Some clips of another container, by position (what indexing with many keys gives)."""

    def __init__(self, parent: LazyClips, indices: np.ndarray):
        if isinstance(parent, _Subset):  # keep one level: cheap to index and pickle
            indices, parent = parent.indices[indices], parent.parent
        self.parent = parent
        self.indices = np.asarray(indices, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.indices)

    def _read(self, indices, epoch):
        return self.parent._read(self.indices[indices], epoch)

    def _origins(self):
        origin, is_copy = self.parent.origins()
        return origin[self.indices], is_copy[self.indices]

    @property
    def sr(self):
        """The parent's sample rate."""
        return getattr(self.parent, "sr", None)

    def __repr__(self) -> str:
        return f"<{len(self)} of {self.parent!r}>"
