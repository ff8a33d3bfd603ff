"""Input checks shared by every skspeech estimator and function.

Audio comes in two forms (see STYLE.md, "Audio input"):

* equal-length clips: a float array of shape ``(n_clips, n_samples)``;
* clips of different lengths: a list of 1-D float arrays.

Feature frames likewise come as a 3-D array ``(n_clips, n_frames, n_coeffs)``
or as a list of 2-D ``(n_frames, n_coeffs)`` arrays. The checks for clips far
from a spoken clip live in :mod:`skspeech._garbage` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_array

from ._garbage import (  # noqa: F401 - re-exported: every step imports its checks from here
    FRAME_SECONDS,
    MAX_ABS,
    MAX_LENGTH_RATIO,
    check_clips,
    find_garbage,
    mark_reported,
    one_report_per_call,
    report_garbage,
    training_clips,
)
from .exceptions import InvalidAudioError


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


# Integer PCM, as scipy.io.wavfile.read and soundfile return it, is scaled to [-1, 1) by its
# dtype's full scale, exactly as skspeech.io.read_audio scales the samples of a file: 8-bit WAV is
# unsigned (silence at 128), the others are signed (24-bit WAV comes as left-justified int32).
# int64 (and Python ints) is not a PCM format: its values are taken as they are, and values
# beyond ±1.5 get the "loud" GarbageAudioWarning at prediction time.
_PCM_SCALE = {np.dtype(np.int8): (0, 2.0 ** 7), np.dtype(np.int16): (0, 2.0 ** 15),
              np.dtype(np.int32): (0, 2.0 ** 31), np.dtype(np.uint8): (128, 2.0 ** 7)}


def as_float_audio(x: ArrayLike, name: str = "X", *, dtype: Any = np.float32) -> np.ndarray:
    """Samples as floats: integer PCM scaled to [-1, 1), bool and text refused.

    The one conversion every clip goes through when it enters skspeech
    (:func:`check_audio`, and streaming blocks).

    - ``int16``, ``int32``, ``int8`` (signed PCM) are divided by their
      dtype's full scale (32768, 2**31, 128) and ``uint8`` (8-bit WAV) is
      mapped by ``(x - 128) / 128``, as :func:`skspeech.io.read_audio` does:
      what ``scipy.io.wavfile.read`` returns gives the same predictions as
      the file read by skspeech. No warning: these dtypes are PCM.
    - Other integers (``int64``, Python ints, unsigned 16/32/64-bit) are
      taken as the numbers they are (values beyond ±1.5 then warn as
      "loud" at prediction time).
    - ``bool`` is refused: a True/False array is a mask, not audio.
    - Strings, bytes and other non-numbers are refused.

    Parameters
    ----------
    x : array-like
        Samples, any shape.
    name : str, default="X"
        How the input is named in errors.
    dtype : numpy dtype or None, default=np.float32
        Output float dtype; None keeps float32/float64 and gives float32
        otherwise.

    Returns
    -------
    x : ndarray of float
        The samples as floats.

    Raises
    ------
    skspeech.exceptions.InvalidAudioError
        For bool, text or other non-numeric samples.

    Examples
    --------
    >>> import numpy as np
    >>> as_float_audio(np.array([-32768, 0, 16384], dtype=np.int16))
    array([-1. ,  0. ,  0.5], dtype=float32)
    >>> as_float_audio(np.array([0, 128, 255], dtype=np.uint8))
    array([-1.       ,  0.       ,  0.9921875], dtype=float32)
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "b":
        raise InvalidAudioError(
            f"{name} has dtype bool (True/False); expected audio samples, floats in [-1, 1] "
            "(or integer PCM). A mask is not audio: pass the samples themselves.")
    if kind in "USaV" or (kind == "O" and any(isinstance(v, (str, bytes))
                                              for v in arr.ravel()[:1000])):
        example = next((v for v in arr.ravel()[:1000] if isinstance(v, (str, bytes))), None)
        raise InvalidAudioError(
            f"{name} holds text ({example!r}), not samples; expected audio clips: a 2-D float "
            "array (n_clips, n_samples) or a list of 1-D float arrays. File names? Read them "
            "with skspeech.io.read_audio first.")
    if kind == "M" or kind == "m":
        raise InvalidAudioError(f"{name} has dtype {arr.dtype}; expected audio samples.")
    if arr.dtype in _PCM_SCALE:
        offset, scale = _PCM_SCALE[arr.dtype]
        out = (arr.astype(np.float64) - offset) / scale if offset else arr / scale
        return out.astype(np.float32 if dtype is None else dtype, copy=False)
    if kind == "c":
        raise InvalidAudioError(
            f"{name} holds complex numbers (dtype {arr.dtype}): Complex data not supported. "
            "Expected real audio samples; a spectrum is not a clip: pass the waveform (or "
            "np.real of an inverse transform).")
    if kind == "O":
        return arr
    if dtype is not None or arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float32 if dtype is None else dtype, copy=False)
    return arr


def check_labels(y: ArrayLike, *, n_clips: int | None = None, name: str = "y") -> np.ndarray:
    """Check classification labels: one per clip, all words or all integers, none missing.

    Parameters
    ----------
    y : array-like of shape (n_clips,)
        The labels.
    n_clips : int, default=None
        Number of clips the labels go with.
    name : str, default="y"
        Name of the labels in errors.

    Returns
    -------
    y : ndarray of shape (n_clips,)
        The labels as an array.

    Raises
    ------
    ValueError
        For missing labels (None, NaN, empty string), labels of mixed types
        (words and numbers), fractional numbers, a wrong number or a 2-D y.

    Examples
    --------
    >>> check_labels(["yes", "no", None])
    Traceback (most recent call last):
    ...
    ValueError: y: the label at index 2 is missing (None); ...
    """
    if y is None:
        raise ValueError(f"{name} is None; a classifier needs one label (a word) per clip.")
    if isinstance(y, (str, bytes)):
        raise ValueError(f"{name} is one string ({y!r}); expected one label per clip, e.g. a "  # noqa: TRY004
                         "list of words.")
    arr = np.asarray(y, dtype=object) if not hasattr(y, "dtype") else np.asarray(y)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, one label per clip; got shape {arr.shape}.")
    if n_clips is not None and len(arr) != n_clips:
        raise ValueError(f"{name} has {len(arr)} labels for {n_clips} clips; give one label "
                         "per clip.")
    values = arr.tolist()
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and
                                                                not v.strip()):
            raise ValueError(
                f"{name}: the label at index {i} is missing ({v!r}); every clip needs a word. "
                "Drop the unlabelled clips or label them.")
    kinds = {"word" if isinstance(v, (str, bytes)) else "number" if isinstance(
        v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) else
        type(v).__name__ for v in values}
    if len(kinds) > 1:
        first = {}
        for i, v in enumerate(values):
            k = "word" if isinstance(v, (str, bytes)) else type(v).__name__
            first.setdefault(k, (i, v))
        shown = ", ".join(f"{v!r} at index {i}" for i, v in first.values())
        raise ValueError(
            f"{name} mixes labels of different types ({shown}); use one type, words (str) "
            "preferably, e.g. [str(label) for label in y].")
    for i, v in enumerate(values):
        if isinstance(v, (float, np.floating)) and not float(v).is_integer():
            raise ValueError(
                f"{name}: the label at index {i} is {v!r}, a fractional number; a classifier "
                "needs discrete labels (words, or whole numbers).")
    return arr


def _check_container(X, name):
    """Refuse what cannot hold clips (None, dicts, sets, generators, one number, text) and
    read a 1-D object array of clips as a list of clips."""
    import types

    import scipy.sparse

    if scipy.sparse.issparse(X):  # check_array refuses it with its standard message
        return X
    what = None
    if X is None:
        what = "None"
    elif isinstance(X, dict):
        what = "a dict"
    elif isinstance(X, (set, frozenset)):
        what = "a set (which has no order)"
    elif isinstance(X, (types.GeneratorType, map, filter, zip, range)) or (
            hasattr(X, "__next__") and not hasattr(X, "__len__")):
        what = "an iterator or generator; pass a list, e.g. list(clips)"
    elif isinstance(X, (bool, int, float, complex, np.number, np.bool_)):
        what = f"a single number ({X!r})"
    if what is not None:
        raise InvalidAudioError(
            f"{name} must be audio clips: a 2-D float array (n_clips, n_samples) or a list of "
            f"1-D float arrays; got {what}.")
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1 and any(
            isinstance(x, (np.ndarray, list, tuple)) or x is None for x in X):
        return list(X)
    return X


def _is_ragged_input(X):
    return isinstance(X, (list, tuple)) and not (
        len(X) > 0 and all(np.ndim(x) == 0 for x in X)
    )


def check_audio(X: ArrayLike | Sequence[ArrayLike], *, estimator: Any = None, reset: bool = False,
                name: str = "X", silent: str = "ignore", garbage: str | None = None,
                min_length: Any = None, max_length: Any = None, dtype: Any = np.float32,
                return_garbage: bool = False) -> Any:
    """Check a batch of audio clips and convert it to float.

    At prediction time (``silent="warn"``) this is also the one check for
    clips far from a spoken clip, which every step calls: silent, constant,
    shorter than ``min_length``, longer than ``max_length`` or with samples
    far outside [-1, 1]. They get one warning per call, naming each clip by
    its index and saying what was expected, at the user's line; clips that
    an earlier step of the same call reported (see :func:`mark_reported`
    and :func:`one_report_per_call`) are not reported again. Inside
    :func:`training_clips` (a ``fit_transform``) nothing is reported.

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
        What to do with clips that are all zeros: "raise" for training data,
        "warn" at prediction time.
    garbage : {"warn", "ignore"} or None, default=None
        What to do with the other clips far from a spoken clip. None warns
        when ``silent="warn"`` (prediction time) and ignores them otherwise.
    min_length : int or (int, str), default=None
        Clips with fewer samples are too short to hold a word; the str says
        what the length is, for the warning (e.g. "one 25 ms analysis frame
        at 16000 Hz").
    max_length : int or (int, str), default=None
        Clips with more samples are far longer than the model's clips.
    dtype : numpy dtype or None, default=np.float32
        Output dtype. None keeps float32 and float64 clips as they are and
        converts other numbers to float32.
    return_garbage : bool, default=False
        Also return the indices of the clips found far from a spoken clip
        (reported now or earlier in the call), for :func:`mark_reported`.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
        2-D input stays a 2-D array, a list stays a list.
    garbage : list of int
        Only with ``return_garbage=True``.

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
    X = _check_container(X, name)
    if _is_ragged_input(X):
        if len(X) == 0:
            raise InvalidAudioError(
                f"{name}{where}: got an empty list; expected at least one clip.")
        clips = []
        for i, x in enumerate(X):
            if x is None:
                raise InvalidAudioError(
                    f"{name}: clip at index {i} is None; expected a 1-D array of samples. Drop "
                    "the missing clips (and their labels) first.")
            try:
                x = np.asarray(x)
            except (ValueError, TypeError) as exc:
                raise InvalidAudioError(
                    f"{name}: clip at index {i} is not an array: {exc}") from exc
            if x.ndim != 1:
                raise InvalidAudioError(
                    f"{name}: clip at index {i} has shape {x.shape}; each clip must be 1-D "
                    "(mono samples). Average stereo channels first, e.g. x.mean(axis=1)."
                )
            if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)
                    or x.dtype == bool):
                raise InvalidAudioError(
                    f"{name}: clip at index {i} has dtype {x.dtype}; expected real numbers "
                    "(float samples in [-1, 1], or integer PCM)."
                )
            x = as_float_audio(x, f"{name}: clip at index {i}", dtype=dtype)
            _check_finite_clip(x, i, name)
            clips.append(x)
        found = check_clips(X, clips, name, silent, garbage, min_length, max_length)
        if estimator is not None and reset and hasattr(estimator, "n_features_in_"):
            del estimator.n_features_in_
        return (clips, sorted(found)) if return_garbage else clips

    arr = np.asarray(X) if not hasattr(X, "shape") else X
    if isinstance(arr, np.ndarray):
        arr = as_float_audio(arr, name, dtype=None)  # integer PCM scaled; bool, text refused
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
    try:
        arr = check_array(arr, dtype=[np.float32, np.float64], ensure_all_finite=True,
                          input_name=name, estimator=estimator, ensure_min_features=1)
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise InvalidAudioError(
            f"{name}: expected audio clips, numbers (a 2-D float array (n_clips, n_samples) or "
            f"a list of 1-D float arrays), but some values are not numbers: {exc}") from exc
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if estimator is not None and reset:
        estimator.n_features_in_ = arr.shape[1]
    found = check_clips(X, arr, name, silent, garbage, min_length, max_length)
    return (arr, sorted(found)) if return_garbage else arr


def check_frames(X: ArrayLike | Sequence[ArrayLike], *, estimator: Any = None,
                 reset: bool = False, name: str = "X",
                 dtype: Any = np.float32) -> np.ndarray | list[np.ndarray]:
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


def check_sr(sr: Any, name: str = "sr") -> int:
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


__all__ = ["FRAME_SECONDS", "MAX_ABS", "MAX_LENGTH_RATIO", "as_float_audio", "check_audio",
           "check_frames", "check_labels", "check_sr", "find_garbage", "mark_reported",
           "one_report_per_call", "report_garbage", "training_clips"]
