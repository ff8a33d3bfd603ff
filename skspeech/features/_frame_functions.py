"""Functions of log-mel frames, for ``FunctionTransformer`` steps: level and cepstra.

Both take equal-length frames ``(n_clips, n_frames, n_bands)`` (as
:class:`LogMelSpectrogram` gives for clips of one length) and return float32
frames of the same layout. :func:`~skspeech.pipelines.kws_pipeline` uses them
as its ``level`` and ``cepstra`` steps, and a device that runs an exported
model computes the same (see the user's side page of the docs).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike


def _check_top_db(top_db):
    """Refuse a ``top_db`` that is not a number of dB > 0."""
    if isinstance(top_db, bool) or not isinstance(top_db, Real) or not top_db > 0:
        raise ValueError(f"top_db must be a number of dB > 0 (how far below each clip's "
                         f"loudest value the frames are floored); got {top_db!r}.")


def relative_log_level(frames: ArrayLike, top_db: float = 80.0) -> np.ndarray:
    """Log-mel frames relative to each clip's loudest value, floored ``top_db`` below it.

    ``log(power) - max(log(power))`` per clip, clipped at ``-top_db`` dB (in
    natural-log units): the same clip recorded louder or softer gives the
    same frames (a microphone's or a speaker's level is not a word), and the
    silence that PadTrim adds sits at the floor instead of at the
    spectrogram's ``log(eps)``, ~25 units below speech.

    Parameters
    ----------
    frames : array-like of shape (n_clips, n_frames, n_bands)
        Log-mel frames (natural log of the band powers).
    top_db : float, default=80.0
        How far below each clip's peak the floor is, in dB.

    Returns
    -------
    frames : ndarray of shape (n_clips, n_frames, n_bands)
        Float32, at most 0 and at least ``-top_db * ln(10) / 10``.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import relative_log_level
    >>> frames = np.log(np.array([[[1.0, 10.0], [100.0, 1e-12]]]))
    >>> relative_log_level(frames, top_db=30.0).round(3)
    array([[[-4.605, -2.303],
            [ 0.   , -6.908]]], dtype=float32)
    """
    _check_top_db(top_db)
    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim != 3:
        raise ValueError(f"relative_log_level takes frames of shape (n_clips, n_frames, "
                         f"n_bands); got shape {frames.shape}. Pad or trim the clips first.")
    floor = np.float32(top_db * np.log(10.0) / 10.0)
    peak = frames.max(axis=(1, 2), keepdims=True)
    return np.maximum(frames - peak, -floor)


def cepstra(frames: ArrayLike, n_ceps: int = 13) -> np.ndarray:
    """The first ``n_ceps`` cepstral coefficients of log-mel frames: a DCT-II across the bands.

    ``scipy.fft.dct(frames, type=2, norm="ortho", axis=2)[:, :, :n_ceps]``
    (a device computing the features must use the same orthonormal DCT).

    The MFCC transform, applied to the frames :func:`relative_log_level`
    gives. The first coefficients keep each frame's spectral envelope (the
    vocal tract: the word); the ones left out carry the fine structure, the
    harmonics of the speaker's pitch, which tell voices apart and do not
    tell words apart.

    Parameters
    ----------
    frames : array-like of shape (n_clips, n_frames, n_bands)
        Log-mel frames, at least ``n_ceps`` bands.
    n_ceps : int, default=13
        Coefficients kept per frame.

    Returns
    -------
    cepstra : ndarray of shape (n_clips, n_frames, n_ceps)
        Float32.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import cepstra
    >>> frames = np.random.default_rng(0).normal(size=(2, 98, 40))
    >>> cepstra(frames, n_ceps=13).shape
    (2, 98, 13)
    """
    from scipy.fft import dct

    if isinstance(n_ceps, bool) or not isinstance(n_ceps, Integral) or n_ceps < 1:
        raise ValueError(f"n_ceps must be an int >= 1 (cepstral coefficients kept per frame); "
                         f"got {n_ceps!r}.")
    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim != 3 or frames.shape[2] < n_ceps:
        raise ValueError(f"cepstra takes frames of shape (n_clips, n_frames, n_bands) with at "
                         f"least n_ceps={n_ceps} bands; got shape {frames.shape}.")
    return dct(frames, type=2, norm="ortho", axis=2)[:, :, :n_ceps].astype(np.float32)


# Pickles and exported settings name them by their public path, skspeech.features.<name>,
# which stays valid if this private module is renamed or split (numpy's set_module).
relative_log_level.__module__ = cepstra.__module__ = "skspeech.features"
