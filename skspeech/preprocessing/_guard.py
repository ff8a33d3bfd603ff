"""Clips far from a spoken clip go to the model as one of its non-command clips."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._docstrings import fill_doc
from .._garbage import (
    FRAME_SECONDS,
    MAX_ABS,
    MAX_LENGTH_RATIO,
    find_garbage,
    mark_reported,
    marked_rows,
    report_garbage,
)
from .._validation import check_audio, check_labels
from ..labels import SILENCE, UNKNOWN


@fill_doc
class GarbageGuard(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Give the model one of its silence clips in place of a clip far from a spoken clip.

    A classifier turns everything it hears into one of its classes: a
    constant (DC) clip, a one-sample clip or a two-hour recording comes out
    as a word, often with a high probability. This step, put first in a
    pipeline, finds such clips at prediction time (the checks of
    :class:`~skspeech.exceptions.GarbageAudioWarning`: silent, constant,
    shorter than ``min_duration``, longer than ``max_ratio`` times the longest
    training clip, samples beyond ``±max_abs``) and, when the model was
    trained on a non-command class (``_silence_``, else ``_unknown_``: see
    ``fallback``), hands the model one of that class's training clips in
    their place, which it learned to call by that class. Other clips pass
    through untouched, so their predictions do not change. A model without
    such a class gets the clips as they are; the warning is what the user
    gets. Either way one :class:`~skspeech.exceptions.GarbageAudioWarning`
    per call names the clips, the problem, and what the guard did.

    Why a training clip, rather than zeros or generated noise: what silence
    looks like depends on the model (a 12-class Speech Commands model learned
    ``_silence_`` from background-noise recordings at their own level, and
    the keyword-spotting recipe normalises every clip's level), so the one
    input a model is sure to call silence is its own. The choice happens in
    the front end, so it works in front of every classifier (SVM, HMM,
    networks, a vote of them), survives ``clone``, grid search and pickling
    like any fitted transformer, and costs one pass over the samples.

    ``fit_transform`` (as called by ``Pipeline.fit``) returns the training
    clips as they are: replacing a training clip would teach the model that
    silence is the clip's word.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the clips in Hz, to turn ``min_duration`` into samples.
    min_duration : float, default=0.025
        Clips shorter than this many seconds (one 25 ms analysis frame) hold
        no word.
    max_ratio : float, default=3.0
        Clips longer than this many times the longest training clip are not
        one command (a long recording: the model would hear only its start,
        or an average of many words).
    max_abs : float or None, default=1.5
        Clips with a sample beyond ``±max_abs`` are not float audio in
        [-1, 1] (usually integer PCM not scaled, or the wrong dtype). None
        lets them through with a warning from the next step: a model that
        normalises each clip's level (the keyword-spotting recipe) may still
        hear their words.
    fallback : tuple of str, default=("_silence_", "_unknown_")
        The non-command classes, in order of preference: the first one
        present in the training labels takes the garbage clips.

    Attributes
    ----------
    fallback_class_ : str or None
        The class garbage clips get; None when no ``fallback`` label was in
        ``y`` (or ``y`` was None).
    fallback_clip_ : ndarray of shape (n_samples,) or None
        The training clip of ``fallback_class_`` that stands in for garbage
        clips: the one with the median RMS level of that class.
    min_length_ : int
        Clips with fewer samples are garbage.
    max_length_ : int
        Clips with more samples are garbage.
    %(n_features_clips)s

    See Also
    --------
    skspeech.exceptions.GarbageAudioWarning : The warning and the kinds of garbage.
    PadTrim : Warns about clips far longer than its target length.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skspeech.preprocessing import GarbageGuard
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(0, 0.1, 8000) for _ in range(4)]
    >>> y = ["yes", "no", "_silence_", "_silence_"]
    >>> guard = GarbageGuard(sr=8000).fit(X, y)
    >>> guard.fallback_class_, guard.max_length_
    ('_silence_', 24000)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     out = guard.transform([X[0], np.full(8000, 0.5)])
    >>> out[0] is X[0], out[1] is guard.fallback_clip_
    (True, False)
    >>> np.array_equal(out[1], guard.fallback_clip_)
    True
    >>> print(caught[0].message)
    X: 1 clip(s) are far from a spoken clip. Index 1: constant, every sample the same non-zero
    value (index 1: 0.5); a spoken clip varies around zero. GarbageGuard gives each the class
    '_silence_' (one of its training clips stands in for it).
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "min_duration": [Interval(Real, 0, None, closed="left")],
        "max_ratio": [Interval(Real, 1, None, closed="left")],
        "max_abs": [Interval(Real, 0, None, closed="neither"), None],
        "fallback": [tuple, list],
    }

    def __init__(self, sr=16000, *, min_duration=FRAME_SECONDS, max_ratio=float(MAX_LENGTH_RATIO),
                 max_abs=MAX_ABS, fallback=(SILENCE, UNKNOWN)):
        self.sr = sr
        self.min_duration = min_duration
        self.max_ratio = max_ratio
        self.max_abs = max_abs
        self.fallback = fallback

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None) -> GarbageGuard:
        """Learn the longest clip and the clip that stands in for garbage.

        %(X_clips)s
        y : array-like of shape (n_clips,), default=None
            Their labels. The first ``fallback`` label among them is the
            class garbage clips get; None (or no such label) leaves garbage
            clips as they are.

        Returns
        -------
        self : GarbageGuard
        """
        clips = check_audio(X, estimator=self, reset=True, silent="raise")
        lengths = [clips.shape[1]] * len(clips) if isinstance(clips, np.ndarray) else [
            len(x) for x in clips]
        self.min_length_ = max(1, round(self.min_duration * self.sr))
        self.max_length_ = math.ceil(self.max_ratio * max(lengths))
        self._longest = max(lengths)
        self.fallback_class_, self.fallback_clip_ = None, None
        if y is None:
            return self
        # one shared label check for every recipe (this is their first step)
        labels = column_or_1d(np.asarray(check_labels(y, n_clips=len(lengths)), dtype=object))
        for label in self.fallback:
            rows = np.flatnonzero([value == label for value in labels])
            if rows.size:
                rms = [float(np.sqrt(np.mean(np.square(clips[i], dtype=np.float64))))
                       for i in rows]
                pick = rows[np.argsort(rms, kind="stable")[len(rows) // 2]]
                self.fallback_class_ = label
                self.fallback_clip_ = np.array(clips[pick], dtype=np.float32)
                break
        return self

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray | list[np.ndarray]:
        """Replace the clips far from a spoken clip by ``fallback_clip_``.

        %(X_clips)s

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_samples_out) or list of 1-D ndarray
            The clips, in their own dtype (float32 for non-float input); the
            same objects where nothing was wrong. In a 2-D array replaced rows
            are ``fallback_clip_`` repeated or cut to the width, and when the
            width itself is wrong (every row too short or too long) the
            output is ``fallback_clip_`` once per row.
        """
        check_is_fitted(self)
        clips = check_audio(X, estimator=self, dtype=None)
        found = find_garbage(clips, min_length=self.min_length_, max_length=self.max_length_,
                             max_abs=self.max_abs)
        rows = sorted(set(found) | marked_rows(clips))
        replace = self.fallback_clip_ is not None
        if replace:
            outcome = (f"GarbageGuard gives each the class {self.fallback_class_!r} (one of its "
                       "training clips stands in for it).")
        else:
            outcome = (f"Predictions for them are not meaningful (the model knows none of the "
                       f"classes {tuple(self.fallback)} that GarbageGuard would give them).")
        shortest = f"{1000 * self.min_duration:g} ms at sr={self.sr} Hz"
        longest = f"{self.max_ratio:g}x the longest training clip ({self._longest} samples)"
        report_garbage(X, clips, found, min_length=(self.min_length_, shortest),
                       max_length=(self.max_length_, longest), max_abs=self.max_abs,
                       outcome=outcome)
        if not rows:
            return clips
        if not replace:  # copies, marked so that the next step does not warn again
            if isinstance(clips, np.ndarray):
                return mark_reported(clips.copy(), rows)
            out = list(clips)
            for i in rows:
                out[i] = clips[i].copy()
            return mark_reported(out, rows)
        stand_in = self.fallback_clip_.copy()
        if not isinstance(clips, np.ndarray):
            out = list(clips)
            for i in rows:
                out[i] = stand_in.astype(clips[i].dtype, copy=False)
            return out
        width = clips.shape[1]
        if not self.min_length_ <= width <= self.max_length_:
            return np.tile(stand_in.astype(clips.dtype, copy=False), (len(clips), 1))
        out = clips.copy()
        out[rows] = np.resize(stand_in, width)
        return out

    def fit_transform(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None
                      ) -> np.ndarray | list[np.ndarray]:
        """Fit, and return the training clips as they are, garbage or not.

        Replacing a training clip would teach the model that silence is the
        clip's word, and fit-only augmentation makes copies beyond ±1.5 (a
        gain on a loud clip) that are not garbage: no clip is replaced or
        reported here.

        %(X_clips)s
        y : array-like of shape (n_clips,), default=None
            Their labels.

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            The clips, in their own dtype (float32 for non-float input).
        """
        self.fit(X, y)
        return check_audio(X, estimator=self, dtype=None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
