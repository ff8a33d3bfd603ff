"""Polyphase resampling."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from math import gcd
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import firwin, resample_poly
from sklearn.utils._param_validation import Interval

from .._base import StatelessTransformer, TrainingClipsMixin
from .._docstrings import fill_doc
from .._validation import FRAME_SECONDS, check_audio, check_sr, mark_reported


def resample(y: ArrayLike, orig_sr: int, target_sr: int, axis: int = -1) -> np.ndarray:
    """Resample ``y`` from ``orig_sr`` to ``target_sr`` with a polyphase filter.

    Parameters
    ----------
    y : ndarray
        Samples along ``axis``.
    orig_sr, target_sr : int
        Sample rates in Hz.
    axis : int, default=-1
        The time axis.

    Returns
    -------
    y_resampled : ndarray
        ``ceil(n * target_sr / orig_sr)`` samples along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> resample(np.ones(16000), 16000, 8000).shape
    (8000,)
    """
    orig_sr, target_sr = check_sr(orig_sr, "orig_sr"), check_sr(target_sr, "target_sr")
    if orig_sr == target_sr:
        return np.array(y, copy=True)
    return polyphase(y, target_sr, orig_sr, axis=axis)


@lru_cache(maxsize=128)
def lowpass_filter(up: int, down: int, dtype: str) -> np.ndarray:
    """The anti-aliasing filter :func:`scipy.signal.resample_poly` designs for ``up/down``.

    Designed once per ratio and cached (read-only). A stream resampler that
    filters chunk by chunk uses it to give the samples :func:`resample` gives.

    Parameters
    ----------
    up, down : int
        The resampling ratio, in lowest terms.
    dtype : str
        The filter's dtype, e.g. ``"<f8"``.

    Returns
    -------
    h : ndarray of shape (20 * max(up, down) + 1,)
        The FIR filter.
    """
    max_rate = max(up, down)
    h = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0)).astype(dtype)
    h.setflags(write=False)
    return h


def polyphase(y: ArrayLike, up: int, down: int, axis: int = -1) -> np.ndarray:
    """:func:`scipy.signal.resample_poly` (same filter, same samples) with its filter
    designed once per ratio: designing it took as long as filtering a one-second clip."""
    g = gcd(up, down)
    up, down = up // g, down // g
    y = np.asarray(y)
    if up == down == 1:
        return np.array(y, copy=True)
    dtype = y.dtype if y.dtype.kind == "f" else np.dtype(np.float64)
    return resample_poly(y, up, down, axis=axis, window=lowpass_filter(up, down, dtype.str))


@fill_doc
class Resampler(TrainingClipsMixin, StatelessTransformer):
    """Change the sample rate of clips with a polyphase filter.

    Wraps :func:`scipy.signal.resample_poly`: an anti-aliasing FIR filter
    (Kaiser window) applied at the rational rate ``target_sr / orig_sr``.
    Stateless: ``fit`` learns nothing.

    **8 kHz or 16 kHz?** A signal sampled at ``sr`` keeps only frequencies
    below ``sr / 2`` (Nyquist). At 8 kHz that is < 4 kHz: enough for vowels
    and telephone-quality speech, but fricatives such as /s/, /f/, /th/ carry
    much of their energy between 4 and 8 kHz, so "six", "stop" and "yes" lose
    cues. 16 kHz keeps < 8 kHz (the Speech Commands recordings' own rate) at
    twice the samples. The TensorFlow tutorial resampled to 8 kHz to halve the
    raw-waveform network's input; with MFCC or log-mel features the frame
    count does not depend on the rate, so 16 kHz costs little.

    Parameters
    ----------
    orig_sr : int, default=16000
        Rate of the incoming clips, in Hz.
    target_sr : int, default=8000
        Rate of the output clips, in Hz.

    Attributes
    ----------
    %(n_features_clips)s

    See Also
    --------
    PadTrim : Make all clips the same length.
    skspeech.io.read_audio : Read a file, optionally resampling it.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.preprocessing import Resampler
    >>> X = 0.1 * np.random.default_rng(0).standard_normal((2, 16000))
    >>> Resampler(orig_sr=16000, target_sr=8000).fit_transform(X).shape
    (2, 8000)
    >>> clips = [X[0], X[1, :8000]]
    >>> [len(x) for x in Resampler(16000, 8000).fit_transform(clips)]
    [8000, 4000]
    """

    _parameter_constraints = {
        "orig_sr": [Interval(Integral, 1, None, closed="left")],
        "target_sr": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, orig_sr: int = 16000, target_sr: int = 8000):
        self.orig_sr = orig_sr
        self.target_sr = target_sr

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray | list[np.ndarray]:
        """Resample each clip.

        %(X_clips)s

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_samples_new) or list of 1-D ndarray
            Float32 clips at ``target_sr``; a list for list input.
        """
        self._check_transform_params()
        frame = max(1, round(FRAME_SECONDS * self.orig_sr))
        X, garbage = check_audio(
            X, estimator=self, silent="warn", return_garbage=True,
            min_length=(frame, f"one 25 ms analysis frame at orig_sr={self.orig_sr} Hz"))
        if isinstance(X, list):
            out = [resample(x, self.orig_sr, self.target_sr).astype(np.float32) for x in X]
        else:
            out = resample(X, self.orig_sr, self.target_sr, axis=1).astype(np.float32)
        return mark_reported(out, garbage)
