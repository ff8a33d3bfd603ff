"""Pad or trim clips to one length."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._base import TrainingClipsMixin
from .._docstrings import fill_doc
from .._validation import FRAME_SECONDS, MAX_LENGTH_RATIO, check_audio, mark_reported


def _pad_or_trim(x, length, pad_side, trim_side, pad_value, out):
    n = len(x)
    if n >= length:
        start = {"end": 0, "start": n - length, "both": (n - length) // 2}[trim_side]
        out[:] = x[start:start + length]
        return
    before = {"end": 0, "start": length - n, "both": (length - n) // 2}[pad_side]
    out[:] = pad_value
    out[before:before + n] = x


@fill_doc
class PadTrim(TrainingClipsMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
              BaseEstimator):
    """Pad short clips and trim long ones to a fixed number of samples.

    Turns a list of clips of different lengths into a 2-D array, as a network
    with a fixed input (the tutorial's Conv1D on 1 s clips) needs. Unlike the
    tutorial, which dropped clips shorter than 1 s, short clips are padded.

    Parameters
    ----------
    target_length : int, default=None
        Output length in samples. With both ``target_length`` and
        ``duration`` left as None, ``fit`` learns the longest clip's length.
    duration : float, default=None
        Output length in seconds instead; needs ``sr``.
    sr : int, default=None
        Sample rate in Hz, used with ``duration``.
    pad_side : {"end", "start", "both"}, default="end"
        Where padding goes for short clips ("both" centres the clip).
    trim_side : {"end", "start", "both"}, default="end"
        Where samples are cut from long clips: "end" keeps the beginning,
        "start" keeps the end, "both" keeps the middle.
    pad_value : float, default=0.0
        Value used for padding (0 is digital silence).

    Attributes
    ----------
    target_length_ : int
        The output length in samples.
    %(n_features_clips)s

    See Also
    --------
    Resampler : Change the sample rate.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.preprocessing import PadTrim
    >>> clips = [np.array([1, -1, 1]), np.array([1, -1, 1, -1, 1, -1]), np.array([1, -1, 1, -1])]
    >>> PadTrim().fit_transform(clips)
    array([[ 1., -1.,  1.,  0.,  0.,  0.],
           [ 1., -1.,  1., -1.,  1., -1.],
           [ 1., -1.,  1., -1.,  0.,  0.]], dtype=float32)
    >>> PadTrim(target_length=4, pad_side="start").fit_transform(clips)
    array([[ 0.,  1., -1.,  1.],
           [ 1., -1.,  1., -1.],
           [ 1., -1.,  1., -1.]], dtype=float32)
    >>> speech = [np.sin(np.arange(n) / 10) for n in (4000, 9000)]
    >>> PadTrim(duration=1.0, sr=8000).fit_transform(speech).shape
    (2, 8000)
    """

    _parameter_constraints = {
        "target_length": [Interval(Integral, 1, None, closed="left"), None],
        "duration": [Interval(Real, 0, None, closed="neither"), None],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
        "pad_side": [StrOptions({"end", "start", "both"})],
        "trim_side": [StrOptions({"end", "start", "both"})],
        "pad_value": [Real],
    }

    def __init__(self, target_length=None, *, duration=None, sr=None, pad_side="end",
                 trim_side="end", pad_value=0.0):
        self.target_length = target_length
        self.duration = duration
        self.sr = sr
        self.pad_side = pad_side
        self.trim_side = trim_side
        self.pad_value = pad_value

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None) -> PadTrim:
        """Fix the output length, learning it from ``X`` when not given.

        %(X_clips)s
        y : None
            Ignored.

        Returns
        -------
        self : PadTrim
        """
        X = check_audio(X, estimator=self, reset=True, silent="raise")
        if self.target_length is not None and self.duration is not None:
            raise ValueError(
                f"PadTrim got target_length={self.target_length} and duration={self.duration}; "
                "give one of them."
            )
        if self.duration is not None:
            if self.sr is None:
                raise ValueError(
                    f"PadTrim(duration={self.duration}) needs sr, the sample rate in Hz, to "
                    "turn seconds into samples; e.g. PadTrim(duration=1.0, sr=16000)."
                )
            self.target_length_ = max(1, round(self.duration * self.sr))
        elif self.target_length is not None:
            self.target_length_ = int(self.target_length)
        else:
            self.target_length_ = int(max(len(x) for x in X))
        self._n_features_out = self.target_length_
        return self

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Pad or trim every clip to ``target_length_`` samples.

        %(X_clips)s

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_samples_out)
            Float32 clips, ``n_samples_out = target_length_``.
        """
        check_is_fitted(self)
        length = self.target_length_
        X, garbage = check_audio(X, estimator=self, silent="warn", return_garbage=True,
                                 **self._length_limits())
        if not isinstance(X, list) and X.shape[1] >= length:
            start = {"end": 0, "start": X.shape[1] - length,
                     "both": (X.shape[1] - length) // 2}[self.trim_side]
            return mark_reported(np.ascontiguousarray(X[:, start:start + length]), garbage)
        out = np.empty((len(X), length), dtype=np.float32)
        for i, x in enumerate(X):
            _pad_or_trim(x, length, self.pad_side, self.trim_side, self.pad_value, out[i])
        return mark_reported(out, garbage)

    def _length_limits(self):
        """The lengths beyond which ``transform`` warns that a clip holds no one word."""
        length = self.target_length_
        kept = {"end": "first", "start": "last", "both": "middle"}[self.trim_side]
        what = (f"{MAX_LENGTH_RATIO}x PadTrim's target_length_ of {length}, of which it would "
                f"keep only the {kept} {length}")
        limits = {"max_length": (MAX_LENGTH_RATIO * length, what)}
        if self.sr is not None:
            frame = round(FRAME_SECONDS * self.sr)
            limits["min_length"] = (frame, f"one 25 ms analysis frame at sr={self.sr} Hz")
        elif length >= 80:
            limits["min_length"] = (length // 40, "1/40 of target_length_, 25 ms of a 1 s clip")
        return limits

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
