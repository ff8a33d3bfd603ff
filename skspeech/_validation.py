"""Input checks shared by every skspeech estimator and function.

Audio comes in two forms (see STYLE.md, "Audio input"):

* equal-length clips: a float array of shape ``(n_clips, n_samples)``;
* clips of different lengths: a list of 1-D float arrays.

Feature frames likewise come as a 3-D array ``(n_clips, n_frames, n_coeffs)``
or as a list of 2-D ``(n_frames, n_coeffs)`` arrays.
"""

import sys
import warnings
import weakref
from numbers import Real

import numpy as np
from sklearn.utils import check_array

from .exceptions import InvalidAudioError, SilentAudioWarning


def _estimator_name(estimator):
    return type(estimator).__name__ if estimator is not None else None


def _check_finite_clip(x, i, name):
    if x.size == 0:
        raise InvalidAudioError(
            f"{name}: clip at index {i} is empty (0 samples); drop it or record again."
        )
    if not np.isfinite(x).all():
        raise InvalidAudioError(
            f"{name}: clip at index {i} contains NaN or infinite samples; "
            "clean or drop the clip (e.g. np.nan_to_num) before passing it."
        )


# Packages whose frames a warning about the user's clips skips, to point at the user's own line.
_LIBRARY_PACKAGES = ("skspeech", "sklearn", "imblearn", "scikeras", "joblib")


def _user_stacklevel():
    """``stacklevel`` for ``warnings.warn`` pointing at the first caller outside the libraries."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
            frame.f_globals.get("__name__", "").partition(".")[0] in _LIBRARY_PACKAGES):
        frame, level = frame.f_back, level + 1
    return level


# Clips (a 2-D array, or a 1-D clip of a list) that a pipeline step made from silent clips it
# has already warned about: the next step does not warn about them again.
_SILENCE_REPORTED = weakref.WeakValueDictionary()


def _silent_indices(clips):
    if isinstance(clips, np.ndarray):
        return np.flatnonzero(~clips.any(axis=1)).tolist()
    return [i for i, x in enumerate(clips) if not x.any()]


def _was_reported(x):
    return _SILENCE_REPORTED.get(id(x)) is x


def silence_reported(clips, out):
    """Return ``out``, the clips a transformer made from ``clips``, marked as already warned about.

    When ``clips`` held silent clips (which ``check_audio(silent="warn")``
    has just reported), the next step that checks ``out`` does not warn
    about the same clips again: one warning per ``predict``, not one per
    pipeline step.
    """
    silent_idx = _silent_indices(clips)
    if silent_idx:
        for x in [out] if isinstance(out, np.ndarray) else [out[i] for i in silent_idx]:
            _SILENCE_REPORTED[id(x)] = x
    return out


def _check_silence(clips, name, silent, reported=False):
    """Raise or warn for clips that are digital silence (all samples zero)."""
    if silent == "ignore" or (silent == "warn" and reported):
        return
    silent_idx = _silent_indices(clips)
    if silent == "warn" and not isinstance(clips, np.ndarray):
        silent_idx = [i for i in silent_idx if not _was_reported(clips[i])]
    if not silent_idx:
        return
    shown = ", ".join(map(str, silent_idx[:5])) + (", ..." if len(silent_idx) > 5 else "")
    msg = (
        f"{name}: {len(silent_idx)} clip(s) are silent (all samples zero), at index {shown}. "
    )
    if silent == "raise":
        raise InvalidAudioError(
            msg + "A silent clip carries no word: drop it from the training data."
        )
    warnings.warn(msg + "Predictions for them are not meaningful.", SilentAudioWarning,
                  stacklevel=_user_stacklevel())


def _is_ragged_input(X):
    return isinstance(X, (list, tuple)) and not (
        len(X) > 0 and all(np.ndim(x) == 0 for x in X)
    )


def check_audio(X, *, estimator=None, reset=False, name="X", silent="ignore",
                dtype=np.float32):
    """Check a batch of audio clips and convert it to float.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_samples) or list of 1-D array-like
        The clips.
    estimator : estimator instance, default=None
        Used for error messages and, with ``reset=True``, to record
        ``n_features_in_`` for 2-D input (removed for ragged input).
    reset : bool, default=False
        Whether this call comes from ``fit``.
    name : str, default="X"
        Name of the input used in error messages.
    silent : {"ignore", "warn", "raise"}, default="ignore"
        What to do with clips that are all zeros.
    dtype : numpy dtype, default=np.float32
        Output dtype.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
        2-D input stays a 2-D array, a list stays a list.

    Examples
    --------
    >>> import numpy as np
    >>> check_audio([np.zeros(3) + 0.1, np.ones(5)])[1].dtype
    dtype('float32')
    >>> check_audio(np.ones(4))
    Traceback (most recent call last):
    ...
    skspeech.exceptions.InvalidAudioError: X must be a 2-D array of shape (n_clips, n_samples) ...
    """
    est_name = _estimator_name(estimator)
    where = f" ({est_name})" if est_name else ""
    reported = isinstance(X, np.ndarray) and _was_reported(X)
    if _is_ragged_input(X):
        if len(X) == 0:
            raise InvalidAudioError(f"{name}{where}: got an empty list; expected at least one clip.")
        clips = []
        for i, x in enumerate(X):
            try:
                x = np.asarray(x)
            except (ValueError, TypeError) as exc:
                raise InvalidAudioError(f"{name}: clip at index {i} is not an array: {exc}") from exc
            if x.ndim != 1:
                raise InvalidAudioError(
                    f"{name}: clip at index {i} has shape {x.shape}; each clip must be 1-D "
                    "(mono samples). Average stereo channels first, e.g. x.mean(axis=1)."
                )
            if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)
                    or x.dtype == bool):
                raise InvalidAudioError(
                    f"{name}: clip at index {i} has dtype {x.dtype}; expected real numbers."
                )
            x = x.astype(dtype, copy=False)
            _check_finite_clip(x, i, name)
            clips.append(x)
        _check_silence(clips, name, silent)
        if estimator is not None and reset and hasattr(estimator, "n_features_in_"):
            del estimator.n_features_in_
        return clips

    arr = np.asarray(X) if not hasattr(X, "shape") else X
    if getattr(arr, "ndim", None) == 1:
        raise InvalidAudioError(
            f"{name} must be a 2-D array of shape (n_clips, n_samples) or a list of 1-D "
            f"arrays; got a 1-D array of shape {arr.shape}. Reshape your data: for a single "
            "clip x pass x[np.newaxis] or [x]."
        )
    if getattr(arr, "ndim", 2) != 2:
        raise InvalidAudioError(
            f"{name} must be a 2-D array of shape (n_clips, n_samples) or a list of 1-D "
            f"arrays; got an array of shape {getattr(arr, 'shape', None)}."
        )
    # sklearn gives the standard messages (NaN, complex, sparse, 0 samples) and
    # the dtype conversion; our own checks follow for what it does not know.
    arr = check_array(X, dtype=[np.float32, np.float64], ensure_all_finite=True,
                      input_name=name, estimator=estimator, ensure_min_features=1)
    arr = arr.astype(dtype, copy=False)
    if estimator is not None and reset:
        estimator.n_features_in_ = arr.shape[1]
    _check_silence(arr, name, silent, reported)
    return arr


def check_frames(X, *, estimator=None, reset=False, name="X", dtype=np.float32):
    """Check a batch of feature-frame sequences.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_frames, n_coeffs) or list of 2-D array-like
        Frame sequences. A 2-D array ``(n_clips, n_frames)`` is read as one
        coefficient per frame.
    estimator : estimator instance, default=None
        Used for error messages and, with ``reset=True``, to record
        ``n_features_in_`` for 2-D input.
    reset : bool, default=False
        Whether this call comes from ``fit``.
    name : str, default="X"
        Name of the input in error messages.
    dtype : numpy dtype, default=np.float32
        Output dtype.

    Returns
    -------
    frames : ndarray of shape (n_clips, n_frames, n_coeffs) or list of 2-D ndarray
        A 3-D (or 2-D) array comes back as a 3-D array, a list as a list.

    Examples
    --------
    >>> import numpy as np
    >>> check_frames(np.zeros((2, 5))).shape
    (2, 5, 1)
    >>> [f.shape for f in check_frames([np.zeros((3, 4)), np.zeros((6, 4))])]
    [(3, 4), (6, 4)]
    """
    if _is_ragged_input(X):
        if len(X) == 0:
            raise InvalidAudioError(f"{name}: got an empty list; expected at least one sequence.")
        seqs = []
        n_coeffs = None
        for i, f in enumerate(X):
            f = np.asarray(f)
            if f.ndim == 1:
                f = f[:, np.newaxis]
            if f.ndim != 2:
                raise InvalidAudioError(
                    f"{name}: sequence at index {i} has shape {f.shape}; expected "
                    "(n_frames, n_coeffs)."
                )
            if f.shape[0] == 0:
                raise InvalidAudioError(f"{name}: sequence at index {i} has 0 frames.")
            if n_coeffs is not None and f.shape[1] != n_coeffs:
                raise InvalidAudioError(
                    f"{name}: sequence at index {i} has {f.shape[1]} coefficients per frame, "
                    f"but the first has {n_coeffs}; all sequences need the same number."
                )
            n_coeffs = f.shape[1]
            f = f.astype(dtype, copy=False)
            if not np.isfinite(f).all():
                raise InvalidAudioError(
                    f"{name}: sequence at index {i} contains NaN or infinite values."
                )
            seqs.append(f)
        if estimator is not None and reset and hasattr(estimator, "n_features_in_"):
            del estimator.n_features_in_
        return seqs

    arr = X if hasattr(X, "ndim") else np.asarray(X)
    if arr.ndim == 1:
        raise InvalidAudioError(
            f"{name} must be frame sequences: a 3-D array (n_clips, n_frames, n_coeffs), a list "
            "of (n_frames, n_coeffs) arrays, or a 2-D array (n_clips, n_frames) with one "
            f"coefficient per frame; got a 1-D array of shape {arr.shape}. Reshape your data: "
            "for the frames f of a single clip pass f[np.newaxis] or [f]."
        )
    if arr.ndim == 2:
        arr = check_array(arr, dtype=[np.float32, np.float64], input_name=name,
                          estimator=estimator)
        if estimator is not None and reset:
            estimator.n_features_in_ = arr.shape[1]
        return arr.astype(dtype, copy=False)[:, :, np.newaxis]
    if arr.ndim != 3:
        raise InvalidAudioError(
            f"{name} must be frame sequences: a 3-D array (n_clips, n_frames, n_coeffs) or a "
            f"list of 2-D arrays; got an array of shape {arr.shape}."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0 or arr.shape[2] == 0:
        raise InvalidAudioError(f"{name}: got an empty array of shape {arr.shape}.")
    arr = check_array(arr, dtype=[np.float32, np.float64], allow_nd=True, input_name=name,
                      estimator=estimator)
    if estimator is not None and reset and hasattr(estimator, "n_features_in_"):
        del estimator.n_features_in_
    return arr.astype(dtype, copy=False)


def check_sr(sr, name="sr"):
    """Check a sample rate: a positive whole number of samples per second.

    Examples
    --------
    >>> check_sr(16000)
    16000
    >>> check_sr(None)
    Traceback (most recent call last):
    ...
    ValueError: sr must be the sample rate in Hz (a positive integer, e.g. 16000); got None. ...
    """
    if isinstance(sr, Real) and not isinstance(sr, bool) and float(sr).is_integer() and sr > 0:
        return int(sr)
    raise ValueError(
        f"{name} must be the sample rate in Hz (a positive integer, e.g. 16000); got {sr!r}. "
        "skspeech.io.read_audio returns the rate of a file alongside its samples."
    )


__all__ = ["check_audio", "check_frames", "check_sr"]
