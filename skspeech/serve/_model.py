"""The served model: loaded once, from the path given on the command line; its answers."""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..labels import commands_of, is_command, non_commands_of, shown
from ..utils import clip_seconds

_FRAME = 0.01  # seconds per energy frame when choosing the window of a longer clip
_QUIET_PEAK = 0.01  # a recording that never goes above -40 dBFS is probably muted
_DIGITAL_SILENCE_DB = -100.0  # frames this quiet are zeros (padding), never microphone noise
_MARGIN = 0.1  # seconds kept on either side of the sound for a model of any clip length


@dataclass
class ServedModel:
    """A loaded model and what the page shows about it.

    Attributes
    ----------
    model : estimator
        The fitted classifier; only its ``predict_proba`` and ``classes_`` are used.
    path : pathlib.Path
        The model file it was loaded from.
    classes : list of str
        The model's classes, in the order of ``predict_proba``'s columns.
    sr : int
        The rate the model takes its clips at, in Hz.
    window : float
        Seconds per window of the live listener: the model's clip length, else 1 s.
    clip_length : float or None
        Seconds the model pads or trims its clips to; None for a model that
        takes clips of any length.
    metadata : dict
        The model file's metadata (``created``, ``versions``, ...).
    """

    model: object
    path: Path
    classes: list
    sr: int
    window: float
    clip_length: float = None
    metadata: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def info(self) -> dict[str, Any]:
        """What the page shows about the model (JSON-ready)."""
        meta = self.metadata
        # a name that is not valid UTF-8 (surrogate escapes) cannot go into JSON as it is
        name = os.fsencode(self.path.name).decode("utf-8", "replace")
        return {"file": name, "words": commands_of(self.classes),
                "classes": list(self.classes), "no_command": non_commands_of(self.classes),
                "sr": self.sr, "window": self.window, "clip_length": self.clip_length,
                "created": meta.get("created"),
                "estimator": meta.get("estimator", type(self.model).__name__),
                "versions": meta.get("versions", {})}


def load_served_model(path: str | os.PathLike) -> ServedModel:
    """Load the model ``skspeech serve`` answers with: the one place the server loads one.

    Parameters
    ----------
    path : str or path-like
        A model file from ``skspeech train`` or :func:`skspeech.save_model`
        (a pickle: loading it runs code stored in it, so serve only models
        you trust), or an export folder from ``skspeech export`` (no pickle,
        no TensorFlow needed: :func:`skspeech.export.load_exported`).

    Returns
    -------
    served : ServedModel

    Raises
    ------
    ValueError
        If the model has no ``predict_proba`` or no known sample rate.
    """
    from ..pretrained import load_model_or_pretrained
    from ..utils import model_sr

    model, meta = load_model_or_pretrained(path, return_metadata=True)
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"{str(path)!r} holds a {type(model).__name__} without predict_proba; "
                         f"the page shows every word's probability. Train it with "
                         f"probabilities (e.g. svm_pipeline(probability=True)).")
    sr = meta.get("sr") or getattr(model, "sr", None) or model_sr(model)
    if sr is None:
        raise ValueError(f"{str(path)!r} does not record its sample rate; save it with "
                         f"skspeech train or save_model(..., sr=...).")
    clip = clip_seconds(model)
    return ServedModel(model=model, path=Path(path), classes=[str(c) for c in model.classes_],
                       sr=int(sr), window=clip or 1.0, clip_length=clip, metadata=dict(meta))


def make_listener(served, *, threshold="auto"):
    """A :class:`~skspeech.streaming.CommandListener` set as ``skspeech listen`` sets it:
    a model with ``_unknown_``/``_silence_`` reports them too (shown as "no command")."""
    from ..labels import NOISE_LABELS
    from ..streaming import CommandListener

    options = {"ignore": NOISE_LABELS} if non_commands_of(served.classes) else {}
    return CommandListener(served.model, served.sr, window=served.window, threshold=threshold,
                           **options)


def detection_json(d):
    """A :class:`~skspeech.streaming.Detection` as the page shows it."""
    return {"time": d.time, "word": d.word, "label": shown(d.word),
            "command": is_command(d.word), "probability": round(float(d.probability), 4)}


def _levels(x, frame):
    n = len(x) // frame
    power = np.mean(np.square(x[:n * frame].reshape(n, frame), dtype=np.float64), axis=1)
    return 10 * np.log10(power + 1e-12)


def _loudest(levels, w):
    """``(first frame, centre frame)`` of the ``w`` frames with the most energy."""
    energy = 10 ** (levels / 10)
    if len(energy) <= w:
        return 0, len(energy) / 2
    first = int(np.argmax(np.convolve(energy, np.ones(w), mode="valid")))
    part = energy[first:first + w]
    return first, first + float(np.sum(part * np.arange(w)) / part.sum()) + 0.5


def word_window(x: ArrayLike, sr: int, window: float, *, clip_length: float | None = None,
                gate_db: float = 12.0, min_level_db: float = -55.0) -> tuple[int, int]:
    """``(start, stop)``: the part of a recording or file the model hears, in samples.

    The sound is found as :class:`~skspeech.streaming.CommandListener` finds
    it: 10 ms frames at least ``gate_db`` above the noise floor (the 10th
    percentile of the frame levels) and above ``min_level_db``. A model that
    pads or trims its clips to ``clip_length`` seconds hears that many seconds
    centred on the sound (the loudest ones), as in training: real audio
    around the word rather than padding. Any other model (statistics pooled
    over a clip of any length) hears the sound with 0.1 s on either side,
    from the loudest ``window`` seconds: silence added around the word would
    change its statistics (measured in the documentation's serve page).

    Examples
    --------
    >>> import numpy as np
    >>> x = 0.001 * np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    >>> x[8000:10000] += np.sin(np.arange(2000) / 3)
    >>> word_window(x, 8000, 1.0)
    (7200, 10800)
    >>> word_window(x, 8000, 1.0, clip_length=1.0)
    (5000, 13000)
    """
    frame = max(1, round(_FRAME * sr))
    levels = _levels(np.asarray(x, dtype=np.float32), frame)
    if clip_length:
        n = round(clip_length * sr)
        if len(x) <= n:
            return 0, len(x)
        _, centre = _loudest(levels, max(1, n // frame))
        start = int(min(max(0, round(centre * frame - n / 2)), len(x) - n))
        return start, start + n
    if not len(levels):
        return 0, len(x)
    w = max(1, round(window * sr) // frame)
    first, _ = _loudest(levels, w)
    part = levels[first:first + w]
    floor = float(np.percentile(levels, 10))
    loud = np.flatnonzero((part > floor + gate_db) & (part > min_level_db))
    if not len(loud):
        return first * frame, min(len(x), (first + w) * frame)
    a, b = first + int(loud[0]), first + int(loud[-1]) + 1
    for _ in range(round(_MARGIN / _FRAME)):  # the margin: any sound but digital silence
        a -= a > 0 and levels[a - 1] > _DIGITAL_SILENCE_DB
        b += b < len(levels) and levels[b] > _DIGITAL_SILENCE_DB
    return int(a) * frame, int(b) * frame


def predict_clip(served: ServedModel, x: ArrayLike) -> dict[str, Any]:
    """Every word's probability for one clip at the model's rate (JSON-ready).

    Returns the word, the label shown ("no command" for ``_unknown_`` and
    ``_silence_``), the probabilities of every class (largest first), the
    part of the clip the model heard (seconds) and notes (a quiet recording,
    a clip far from a spoken one).
    """
    x = np.asarray(x, dtype=np.float32)
    start, stop = word_window(x, served.sr, served.window, clip_length=served.clip_length)
    notes = []
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak < _QUIET_PEAK:
        notes.append(f"The recording is very quiet (peak {20 * np.log10(peak + 1e-12):.0f} "
                     f"dBFS): is the microphone muted or far away?")
    with served.lock, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proba = np.asarray(served.model.predict_proba([x[start:stop]]), dtype=float)[0]
    from ..exceptions import GarbageAudioWarning

    notes += [str(w.message) for w in caught if issubclass(w.category, GarbageAudioWarning)]
    order = np.argsort(-proba, kind="stable")
    best = served.classes[int(order[0])]
    return {"word": best, "label": shown(best), "command": is_command(best),
            "probability": round(float(proba[order[0]]), 4),
            "probabilities": [{"word": served.classes[k], "label": shown(served.classes[k]),
                               "p": round(float(proba[k]), 4)} for k in order],
            "duration": round(len(x) / served.sr, 3),
            "heard": [round(start / served.sr, 3), round(stop / served.sr, 3)],
            "notes": notes}


def listen_clip(served, x):
    """The detections of a ``skspeech listen`` run over a clip at the model's rate."""
    listener = make_listener(served)
    step = max(1, int(0.1 * served.sr))
    found = []
    with served.lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(0, len(x), step):
            found += listener.process(x[i:i + step])
        found += listener.flush()
    return [detection_json(d) for d in found]

