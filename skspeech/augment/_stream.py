"""Fresh augmented copies of lazy clips, drawn anew every training epoch."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..io._clips import READ_ERRORS, LazyClips

__all__ = ["AugmentedClips", "augment_lazily"]


class AugmentedClips(LazyClips):
    """The clips of a lazy container followed by ``n_copies`` perturbed copies of each.

    What :class:`~skspeech.augment.AugmentedClassifier` makes of clips read
    in batches (an :class:`~skspeech.io.AudioFiles`): the same order as
    :meth:`WaveAugmenter.fit_resample` (the clips, then copy 1 of every
    clip, copy 2, ...), but nothing is made in advance. A copy is drawn when
    it is read, with :class:`WaveAugmenter`'s own perturbations, from a seed
    made of the augmenter's ``random_state``, the training epoch and the
    copy's position: every epoch sees fresh copies, the same seed gives the
    same copies, and the order in which batches are read does not matter.

    Parameters
    ----------
    source : LazyClips
        The clips.
    augmenter : WaveAugmenter
        Its parameters say what the copies get (``n_copies``,
        ``keep_original``, the ranges, the noise recordings).
    """

    def __init__(self, source: LazyClips, augmenter: Any):
        self.source = source
        self.augmenter = clone(augmenter)
        self.n_copies = int(self.augmenter.n_copies)
        self.keep_original = bool(self.augmenter.keep_original)
        self._seed = int(check_random_state(self.augmenter.random_state).randint(2 ** 31))
        self._lock = threading.Lock()
        self._ranges = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_lock"], state["_ranges"] = None, None  # the noise recordings are read again
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def sr(self):
        return self.augmenter.sr

    def __len__(self) -> int:
        return len(self.source) * (self.n_copies + int(self.keep_original))

    def _versions(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The source clip and the version (0 the clip itself, k copy k) of each position."""
        n = len(self.source)
        return indices % n, indices // n + int(not self.keep_original)

    def _checked(self):
        """The augmenter's ranges and noise recordings (read once, on first use)."""
        with self._lock:
            if self._ranges is None:
                ranges, noise = self.augmenter._check_ranges()
                self.augmenter._equal_length = False  # copies keep the length speed gives them
                babble = self.augmenter._babble_bank(len(self.source), self._readable,
                                                     self._seed)  # read once
                self._ranges = (ranges, noise, babble)
            return self._ranges

    def _readable(self, indices):
        """The clips ``indices`` that can be read (for the babble: a clip that cannot is left
        out of it, and training reads, skips or refuses it as any other)."""
        try:
            return self.source.read(indices)
        except READ_ERRORS as exc:
            out = []
            for i in indices:
                try:
                    out += list(self.source.read([i]))
                except READ_ERRORS:
                    pass
            if not out:
                warnings.warn(f"No babble in the training copies: none of the {len(indices)} "
                              f"clips picked to make it could be read ({exc}).", UserWarning,
                              stacklevel=2)
            return out

    def _read(self, indices, epoch):
        base, version = self._versions(np.asarray(indices))
        clips = self.source.read(base, epoch=epoch)
        if not version.any():
            return clips
        ranges, noise, babble = self._checked()
        out = []
        for clip, i, v in zip(clips, indices, version):
            if v == 0:
                out.append(clip)
                continue
            rng = np.random.default_rng([self._seed, 0 if epoch is None else int(epoch) + 1,
                                         int(i)])
            out.append(self.augmenter._augment_one(np.asarray(clip, dtype=np.float32), rng,
                                                   ranges, noise, babble))
        return out

    def _origins(self):
        n = len(self)
        origin, is_copy = self._versions(np.arange(n))
        source_origin, source_copy = self.source.origins()
        return source_origin[origin], source_copy[origin] | (is_copy > 0)

    def __repr__(self) -> str:
        return (f"AugmentedClips({self.source!r}, {self.n_copies} fresh copies per clip"
                f"{'' if self.keep_original else ', originals left out'})")


def augment_lazily(X: LazyClips, y: Any, augmenter: Any) -> tuple[AugmentedClips, np.ndarray]:
    """``augmenter.fit_resample(X, y)`` for lazy clips: nothing is made until it is read.

    Checks the augmenter's parameters (as its ``fit`` does, without reading
    the clips) and returns an :class:`AugmentedClips` and the labels
    repeated in its order.
    """
    from sklearn.utils.validation import check_consistent_length, column_or_1d

    from .._validation import check_sr

    augmenter._validate_params()
    check_sr(augmenter.sr)
    augmenter._check_ranges(read_files=False)
    y = column_or_1d(np.asarray(y), warn=True)
    check_consistent_length(X, y)
    clips = AugmentedClips(X, augmenter)
    return clips, np.concatenate([y] * (clips.n_copies + int(clips.keep_original)))
