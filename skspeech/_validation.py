"""Input checks shared by every skspeech estimator and function.

Audio comes in two forms (see STYLE.md, "Audio input"):

* equal-length clips: a float array of shape ``(n_clips, n_samples)``;
* clips of different lengths: a list of 1-D float arrays.

Feature frames likewise come as a 3-D array ``(n_clips, n_frames, n_coeffs)``
or as a list of 2-D ``(n_frames, n_coeffs)`` arrays.
"""

import sys
import threading
import warnings
import weakref
from contextlib import contextmanager
from numbers import Real

import numpy as np
from sklearn.utils import check_array

from .exceptions import GarbageAudioWarning, InvalidAudioError, SilentAudioWarning


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


# -- clips far from a spoken clip ("garbage") -------------------------------------------------
# What a spoken command looks like to every check: samples in [-1, 1] (a little overshoot from
# resampling is fine), at least one 25 ms analysis frame long, not many times longer than the
# clips a model was fitted on, and varying.
MAX_ABS = 1.5
FRAME_SECONDS = 0.025
MAX_LENGTH_RATIO = 3

# The kinds of garbage, in the order a clip is reported under (a one-sample clip is also
# constant: it is reported as too short).
_KINDS = ("silent", "short", "long", "loud", "constant")


class _Marks:
    """Objects (arrays) made by a pipeline step from clips it has reported, with those clips.

    For a 2-D array the value is the set of its reported rows; for a 1-D clip, ``None``.
    Entries go when their object is garbage-collected. Only objects the library made are
    marked: a mark on the user's own array would silence the next call's warning.
    """

    def __init__(self):
        self._entries = {}

    def add(self, obj, rows=None):
        key = id(obj)
        entries = self._entries

        def _drop(ref):
            if entries.get(key, (None,))[0] is ref:
                del entries[key]

        entries[key] = (weakref.ref(obj, _drop), rows)

    def get(self, obj):
        """``(True, rows)`` when ``obj`` is marked, else ``(False, None)``."""
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return True, entry[1]
        return False, None


_REPORTED = _Marks()

# Within ``one_report_per_call()``: the caller's clips already reported, {id: (object, rows)}.
_SCOPE = threading.local()


@contextmanager
def one_report_per_call():
    """Report each of the caller's clips at most once inside this block.

    For a meta-estimator that gives the same clips to several models (a voting
    ensemble): the first model's checks warn, the others' do not. The record
    holds the caller's own objects and is dropped when the outermost block
    ends, so the next call warns again.
    """
    if getattr(_SCOPE, "seen", None) is not None:
        yield
        return
    _SCOPE.seen = {}
    try:
        yield
    finally:
        _SCOPE.seen = None


# Set inside ``training_clips()``: the clips being transformed are training data.
_FITTING = threading.local()


@contextmanager
def training_clips():
    """Inside, :func:`check_audio` reports no clip far from a spoken clip.

    For ``fit_transform``: training clips are checked in ``fit`` (silent ones
    raise), and the warning is about prediction. Fit-only augmentation makes
    copies that may go beyond ±1.5 (a gain on a loud clip), and they are not
    the user's to fix.
    """
    before = getattr(_FITTING, "on", False)
    _FITTING.on = True
    try:
        yield
    finally:
        _FITTING.on = before


class TrainingClipsMixin:
    """``fit_transform`` for steps that check clips: training clips warn of no garbage.

    Put left of ``TransformerMixin``. ``fit_transform`` is ``fit(X, y)``
    then ``transform(X)`` inside :func:`training_clips`: silent training
    clips raise in ``fit`` as before, and the warning about clips far from a
    spoken clip is kept for prediction (fit-only augmentation makes copies
    beyond ±1.5 that are not the user's to fix).
    """

    def fit_transform(self, X, y=None):
        """Fit on the training clips and transform them, with no warning about garbage.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Training clips.
        y : array-like of shape (n_clips,), default=None
            Ignored by the transform; passed to ``fit``.

        Returns
        -------
        X_new : ndarray or list of ndarray
            As from ``transform``.
        """
        with training_clips():
            return self.fit(X, y).transform(X)


def _seen_in_scope(obj):
    seen = getattr(_SCOPE, "seen", None)
    entry = None if seen is None else seen.get(id(obj))
    if entry is not None and entry[0] is obj:
        return True, entry[1]
    return False, None


def _remember_in_scope(obj, rows=None):
    seen = getattr(_SCOPE, "seen", None)
    if seen is not None:
        if rows is not None:
            rows = set(rows) | (_seen_in_scope(obj)[1] or set())
        seen[id(obj)] = (obj, rows)


def _limit(limit):
    """``(n_samples, description)`` from an int, an ``(int, str)`` pair or None."""
    if limit is None:
        return None, None
    if isinstance(limit, tuple):
        return int(limit[0]), limit[1]
    return int(limit), None


def find_garbage(clips, *, min_length=None, max_length=None, max_abs=MAX_ABS):
    """Find the clips that are far from a spoken clip.

    Parameters
    ----------
    clips : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
        Checked clips (see :func:`check_audio`).
    min_length : int, default=None
        Clips with fewer samples are "short" (e.g. one analysis frame).
    max_length : int, default=None
        Clips with more samples are "long".
    max_abs : float or None, default=1.5
        Clips with a sample beyond ``±max_abs`` are "loud" (samples are
        expected in [-1, 1]); None skips this check.

    Returns
    -------
    found : dict of int to (str, float)
        ``{index: (kind, detail)}`` in index order; kind is one of "silent"
        (all samples zero), "short", "long" (detail: the length), "loud"
        (detail: the largest absolute sample) and "constant" (every sample
        the same non-zero value; detail: that value).

    Examples
    --------
    >>> import numpy as np
    >>> clips = [np.sin(np.arange(800.0)), np.full(800, 0.5), np.ones(1), np.zeros(800)]
    >>> find_garbage(clips, min_length=200)
    {1: ('constant', 0.5), 2: ('short', 1), 3: ('silent', 0.0)}
    >>> find_garbage(np.array([[0.1, -0.2], [3e4, -2e4]]))
    {1: ('loud', 30000.0)}
    """
    min_length, _ = _limit(min_length)
    max_length, _ = _limit(max_length)
    if isinstance(clips, np.ndarray):
        n_clips, n = clips.shape
        if n_clips == 0 or n == 0:
            return {}
        lo, hi = clips.min(axis=1), clips.max(axis=1)
        lengths = np.full(n_clips, n)
    else:
        if not clips:
            return {}
        lo = np.array([x.min() if x.size else 0 for x in clips], dtype=np.float64)
        hi = np.array([x.max() if x.size else 0 for x in clips], dtype=np.float64)
        lengths = np.array([x.size for x in clips])
    peak = np.maximum(-lo, hi)
    flags = {
        "silent": (lo == 0) & (hi == 0),
        "short": lengths < min_length if min_length else np.zeros(len(lo), bool),
        "long": lengths > max_length if max_length else np.zeros(len(lo), bool),
        "loud": peak > max_abs if max_abs is not None else np.zeros(len(lo), bool),
        "constant": lo == hi,
    }
    detail = {"silent": np.zeros(len(lo)), "short": lengths, "long": lengths, "loud": peak,
              "constant": lo}
    found = {}
    for kind in _KINDS:
        for i in np.flatnonzero(flags[kind]):
            found.setdefault(int(i), (kind, detail[kind][i].item()))
    return dict(sorted(found.items()))


def _already_reported(X, clips):
    """Indices of ``clips`` reported before in this call: by an earlier step or model."""
    if isinstance(clips, np.ndarray):
        done = set()
        for obj in (X, clips):
            for marked, rows in (_REPORTED.get(obj), _seen_in_scope(obj)):
                if marked:
                    done |= set(range(len(clips))) if rows is None else set(rows)
        return done
    originals = X if isinstance(X, (list, tuple)) else clips
    return {i for i, (orig, x) in enumerate(zip(originals, clips))
            if _REPORTED.get(x)[0] or _seen_in_scope(orig)[0] or _seen_in_scope(x)[0]}


def _indices(idx):
    return ", ".join(map(str, idx[:5])) + (", ..." if len(idx) > 5 else "")


def _garbage_message(name, found, *, min_length=None, max_length=None, max_abs=MAX_ABS,
                     outcome=None):
    """One message for all the clips in ``found``, grouped by kind."""
    n_min, min_what = _limit(min_length)
    n_max, max_what = _limit(max_length)
    by_kind = {}
    for i, (kind, detail) in found.items():
        by_kind.setdefault(kind, []).append((i, detail))
    kinds = list(by_kind)
    parts = []
    for kind in _KINDS:
        if kind not in by_kind:
            continue
        idx = [i for i, _ in by_kind[kind]]
        first = by_kind[kind][0][1]
        where = f"Index {_indices(idx)}: "
        if kind == "silent":
            parts.append(where + "silent (all samples zero).")
        elif kind == "short":
            what = f"{min_what}, {n_min} samples" if min_what else f"{n_min} samples"
            parts.append(where + f"shorter than {what} (index {idx[0]} has {first}); a word "
                         "lasts a few hundred milliseconds.")
        elif kind == "long":
            what = f"{max_what}, {n_max} samples" if max_what else f"{n_max} samples"
            parts.append(where + f"longer than {what} (index {idx[0]} has {first}); cut long "
                         "recordings into clips of about one word first (or listen to them "
                         "with skspeech.streaming).")
        elif kind == "loud":
            parts.append(where + f"samples far outside [-1, 1] (index {idx[0]} reaches "
                         f"{first:.6g}; the limit is {max_abs:g}); samples must be floats in "
                         "[-1, 1]: scale integer PCM (16-bit: divide by 32768) or read files "
                         "with skspeech.io.read_audio.")
        else:
            parts.append(where + f"constant, every sample the same non-zero value (index "
                         f"{idx[0]}: {first:.6g}); a spoken clip varies around zero.")
    n = len(found)
    if kinds == ["silent"]:
        head = (f"{name}: {n} clip(s) are silent (all samples zero), at index "
                f"{_indices(list(found))}.")
    else:
        head = f"{name}: {n} clip(s) are far from a spoken clip. " + " ".join(parts)
    return f"{head} {outcome or 'Predictions for them are not meaningful.'}"


def report_garbage(X, clips, found, name="X", *, min_length=None, max_length=None,
                   max_abs=MAX_ABS, outcome=None):
    """Warn once about the clips in ``found`` not reported before in this call.

    ``X`` is what the caller passed (its objects are remembered inside
    :func:`one_report_per_call`), ``clips`` the checked clips.
    The warning is a :class:`~skspeech.exceptions.SilentAudioWarning` when
    every clip is silent, else a
    :class:`~skspeech.exceptions.GarbageAudioWarning`, and points at the
    user's line.
    """
    done = _already_reported(X, clips)
    new = {i: v for i, v in found.items() if i not in done}
    if not new:
        return
    if isinstance(clips, np.ndarray):
        _remember_in_scope(X, new)
    else:
        originals = X if isinstance(X, (list, tuple)) else clips
        for i in new:
            _remember_in_scope(originals[i])
    category = (SilentAudioWarning if all(k == "silent" for k, _ in new.values())
                else GarbageAudioWarning)
    warnings.warn(_garbage_message(name, new, min_length=min_length, max_length=max_length,
                                   max_abs=max_abs, outcome=outcome),
                  category, stacklevel=_user_stacklevel())


def mark_reported(out, found):
    """Return ``out``, clips a transformer made, with the clips at ``found`` marked as reported.

    ``found`` are the indices of the input clips that :func:`check_audio`
    found to be garbage (``return_garbage=True``), and ``out[i]`` is what
    the transformer made of clip ``i``: the next step that checks ``out``
    does not warn about them again (one warning per ``predict``, not one per
    pipeline step). ``out`` must be new objects, never the caller's.
    """
    if found:
        if isinstance(out, np.ndarray):
            _REPORTED.add(out, frozenset(found))
        else:
            for i in found:
                _REPORTED.add(out[i])
    return out


def _check_silence(clips, name):
    """Raise for clips that are digital silence (all samples zero): training data."""
    if isinstance(clips, np.ndarray):
        silent_idx = np.flatnonzero(~clips.any(axis=1)).tolist()
    else:
        silent_idx = [i for i, x in enumerate(clips) if not x.any()]
    if silent_idx:
        raise InvalidAudioError(
            f"{name}: {len(silent_idx)} clip(s) are silent (all samples zero), at index "
            f"{_indices(silent_idx)}. A silent clip carries no word: drop it from the training "
            "data."
        )


def _check_clips(X, clips, name, silent, garbage, min_length, max_length):
    """The checks after conversion: silence (raise), garbage (warn); the garbage found."""
    if silent == "raise":
        _check_silence(clips, name)
    if getattr(_FITTING, "on", False):
        return {}
    if garbage is None:
        garbage = "warn" if silent == "warn" else "ignore"
    if garbage == "ignore" and silent != "warn":
        return {}
    found = find_garbage(clips, min_length=min_length if garbage == "warn" else None,
                         max_length=max_length if garbage == "warn" else None,
                         max_abs=MAX_ABS if garbage == "warn" else None)
    if garbage == "ignore":  # silent="warn" alone: the silent clips only
        found = {i: v for i, v in found.items() if v[0] == "silent"}
    elif silent == "ignore":
        found = {i: v for i, v in found.items() if v[0] != "silent"}
    report_garbage(X, clips, found, name, min_length=min_length, max_length=max_length)
    return found


# Integer PCM, as scipy.io.wavfile.read and soundfile return it, is scaled to [-1, 1) by its
# dtype's full scale, exactly as skspeech.io.read_audio scales the samples of a file: 8-bit WAV is
# unsigned (silence at 128), the others are signed (24-bit WAV comes as left-justified int32).
# int64 (and Python ints) is not a PCM format: its values are taken as they are, and values
# beyond ±1.5 get the "loud" GarbageAudioWarning at prediction time.
_PCM_SCALE = {np.dtype(np.int8): (0, 2.0 ** 7), np.dtype(np.int16): (0, 2.0 ** 15),
              np.dtype(np.int32): (0, 2.0 ** 31), np.dtype(np.uint8): (128, 2.0 ** 7)}


def as_float_audio(x, name="X", *, dtype=np.float32):
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


def check_labels(y, *, n_clips=None, name="y"):
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


def check_audio(X, *, estimator=None, reset=False, name="X", silent="ignore", garbage=None,
                min_length=None, max_length=None, dtype=np.float32, return_garbage=False):
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
        found = _check_clips(X, clips, name, silent, garbage, min_length, max_length)
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
    found = _check_clips(X, arr, name, silent, garbage, min_length, max_length)
    return (arr, sorted(found)) if return_garbage else arr


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


__all__ = ["as_float_audio", "check_audio", "check_frames", "check_labels", "check_sr",
           "find_garbage", "mark_reported", "one_report_per_call", "report_garbage",
           "training_clips"]
