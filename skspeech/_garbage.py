"""Clips far from a spoken clip ("garbage"): finding them, and warning once per call.

What a spoken command looks like to every check: samples in [-1, 1] (a little
overshoot from resampling is fine), at least one 25 ms analysis frame long, not
many times longer than the clips a model was fitted on, and varying. Clips that
are not get one :class:`~skspeech.exceptions.GarbageAudioWarning` per call (a
:class:`~skspeech.exceptions.SilentAudioWarning` when all are silent), at the
user's line: a step that reports clips marks what it makes of them
(:func:`mark_reported`) so that the next step does not warn again, and
:func:`one_report_per_call` does the same for the members of a vote.
:func:`skspeech._validation.check_audio` calls :func:`check_clips` on every batch.
"""

from __future__ import annotations

import sys
import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .exceptions import GarbageAudioWarning, InvalidAudioError, SilentAudioWarning

# Packages whose frames a warning about the user's clips skips, to point at the user's own line.
_LIBRARY_PACKAGES = ("skspeech", "sklearn", "imblearn", "scikeras", "joblib")


def _user_stacklevel():
    """``stacklevel`` for ``warnings.warn`` pointing at the first caller outside the libraries."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
            frame.f_globals.get("__name__", "").partition(".")[0] in _LIBRARY_PACKAGES):
        frame, level = frame.f_back, level + 1
    return level


# The limits of a spoken command (see the module docstring).
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
def one_report_per_call() -> Iterator[None]:
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
def training_clips() -> Iterator[None]:
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


def marked_rows(clips: np.ndarray | list[np.ndarray]) -> set[int]:
    """Indices of ``clips`` that an earlier step made from clips it reported.

    See :func:`mark_reported`.
    """
    if isinstance(clips, np.ndarray):
        marked, rows = _REPORTED.get(clips)
        return set() if not marked else set(range(len(clips)) if rows is None else rows)
    return {i for i, x in enumerate(clips) if _REPORTED.get(x)[0]}


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


def find_garbage(clips: np.ndarray | Sequence[np.ndarray], *, min_length: int | None = None,
                 max_length: int | None = None,
                 max_abs: float | None = MAX_ABS) -> dict[int, tuple[str, float]]:
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
    return {i for i, (orig, x) in enumerate(zip(originals, clips, strict=True))
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


def report_garbage(X: Any, clips: np.ndarray | list[np.ndarray], found: dict, name: str = "X",
                   *, min_length: Any = None, max_length: Any = None,
                   max_abs: float | None = MAX_ABS, outcome: str | None = None) -> None:
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


def mark_reported(out: Any, found: Iterable[int]) -> Any:
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


def check_clips(X, clips, name, silent, garbage, min_length, max_length):
    """The checks after conversion (see :func:`~skspeech._validation.check_audio`):
    silence (raise), garbage (warn); returns the garbage found."""
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


__all__ = ["FRAME_SECONDS", "MAX_ABS", "MAX_LENGTH_RATIO", "check_clips", "find_garbage",
           "mark_reported", "marked_rows", "one_report_per_call", "report_garbage",
           "training_clips"]
