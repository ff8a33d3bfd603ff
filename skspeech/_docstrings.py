"""Docstring text that many estimators share, written once (imblearn's ``Substitution``).

A docstring names a snippet with ``%(name)s`` on a line of its own;
:func:`fill_doc` replaces it by the snippet, indented as that line. Other ``%``
signs are left alone.
"""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")

SNIPPETS = {
    # what the frame transformers and the HMM take
    "X_frames": """\
Parameters
----------
X : ndarray of shape (n_clips, n_frames, n_coeffs) or list of ndarray
    Frame sequences, one per clip; a list may hold sequences of different
    lengths, and a 2-D array is read as one coefficient per frame.""",
    # what the clip transformers take
    "X_clips": """\
Parameters
----------
X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
    Clips, float samples in [-1, 1] (integer PCM is scaled), at the step's
    sample rate.""",
    # the one fitted attribute of a step that reads clips, or frames
    "n_features_clips": """\
n_features_in_ : int
    Number of samples per clip seen in ``fit`` (2-D input only).""",
    "n_features_frames": """\
n_features_in_ : int
    Number of frames per clip seen in ``fit`` (2-D input only).""",
    # the start of examples: two words as half a second of a low or a high tone in noise
    # (X, y at 8 kHz, and tone(f) for more clips)
    "tones_example": """\
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = np.arange(4000) / 8000
>>> def tone(f):
...     return np.sin(2 * np.pi * f * t) + 0.1 * rng.standard_normal(t.size)
>>> X = ([tone(f) for f in rng.uniform(250, 350, 6)]
...      + [tone(f) for f in rng.uniform(1100, 1300, 6)])
>>> y = ["low"] * 6 + ["high"] * 6""",
    # the start of the streaming examples: clip(f), a word as a tone in 1 s of quiet noise
    "quiet_clip_example": """\
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> sr = 8000
>>> def clip(f):  # a 0.3 s tone in the middle of 1 s of quiet noise
...     x = 0.001 * rng.standard_normal(sr)
...     x[3500:5900] += 0.3 * np.sin(2 * np.pi * f * np.arange(2400) / sr)
...     return x.astype("float32")""",
}

_MARK = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


def _fill(text, snippets):
    def expand(m):
        indent, name = m.group(1), m.group(2)
        return "\n".join(indent + line if line else "" for line in snippets[name].split("\n"))

    return _MARK.sub(expand, text)


def _apply(obj, snippets):
    if obj.__doc__:
        obj.__doc__ = _fill(obj.__doc__, snippets)
    if isinstance(obj, type):
        for value in vars(obj).values():
            func = getattr(value, "__func__", value)
            if callable(func) and getattr(func, "__doc__", None) and "%(" in func.__doc__:
                func.__doc__ = _fill(func.__doc__, snippets)
    return obj


def fill_doc(obj: T | None = None, /, **snippets: str) -> T:
    """Fill the ``%(name)s`` lines of ``obj``'s docstring, and of its methods for a class.

    Used bare (``@fill_doc``: the shared snippets) or with snippets of its
    own (``@fill_doc(name=text)``), which a module keeps for its classes.
    """
    if obj is None:
        return lambda o: _apply(o, {**SNIPPETS, **snippets})
    return _apply(obj, SNIPPETS)
