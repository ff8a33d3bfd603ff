"""A sliding window over an audio stream, gated by energy, classified by a fitted pipeline."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .._docstrings import fill_doc
from .._validation import as_float_audio
from ..labels import NOISE_LABELS, SILENCE, UNKNOWN
from ._stored import stored_calibration

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

_FRAME = 0.01  # seconds per energy frame
# threshold="auto" (see CommandListener): from benchmarks/bench_streaming.py's curves
NETWORK_THRESHOLD = 0.999
OTHER_THRESHOLD = 0.6
_IGNORE = (SILENCE, UNKNOWN, *NOISE_LABELS)  # skspeech.labels: every label that is not a command


class _RecentLevels:
    """The last ``size`` frame levels in a ring buffer, and their percentiles.

    A percentile by ``np.partition`` of the buffer: numpy's default (linear)
    percentile without the copies of ``np.percentile`` over a deque, which
    cost more than the rest of a listener's step.
    """

    def __init__(self, size):
        self._buf = np.empty(size)
        self._n = 0
        self._pos = 0

    def __len__(self):
        return self._n

    def extend(self, values):
        size = len(self._buf)
        values = np.asarray(values, float)[-size:]
        end = self._pos + len(values)
        if end <= size:
            self._buf[self._pos:end] = values
        else:
            first = size - self._pos
            self._buf[self._pos:] = values[:first]
            self._buf[:end - size] = values[first:]
        self._pos = end % size
        self._n = min(size, self._n + len(values))

    def percentile(self, q):
        idx = q / 100 * (self._n - 1)
        lo = int(idx)
        hi = min(lo + 1, self._n - 1)
        part = np.partition(self._buf[:self._n], (lo, hi))
        return float(part[lo] + (part[hi] - part[lo]) * (idx - lo))


class Detection(NamedTuple):
    """One recognised command.

    Attributes
    ----------
    time : float
        Where the command is in the stream, in seconds from its start: the
        energy centre of the loud part of the window that triggered it.
    word : str
        The command.
    probability : float
        Its probability, averaged over the last ``smoothing`` windows.
    reported_at : float
        When it was reported, in seconds of stream: the end of the window
        that triggered it, so never before ``time``. ``reported_at`` minus
        the end of the word is the delay a user waits (plus compute time).
    """

    time: float
    word: str
    probability: float
    reported_at: float = None

    def __str__(self):
        return f"{self.time:8.2f} s  {self.word:<12} p={self.probability:.2f}"


def _is_network(est):
    from .._inspection import is_keras_classifier

    return is_keras_classifier(est) or type(est).__name__ == "TFLiteModel"


def threshold_origin(model: BaseEstimator) -> str:
    """Where ``threshold="auto"`` takes the model's threshold from, in a few words.

    Examples
    --------
    >>> from skspeech.pipelines import svm_pipeline
    >>> threshold_origin(svm_pipeline())
    'the default for a model that is not a neural network (not calibrated)'
    """
    return _auto(model)[1]


def describe_threshold(model: BaseEstimator,
                       threshold: float | str | dict[str, float] = "auto") -> str:
    """The threshold a listener uses with ``model`` and where it comes from, in a few words.

    Examples
    --------
    >>> from skspeech.pipelines import svm_pipeline
    >>> describe_threshold(svm_pipeline(), 0.7)
    '0.7 (given)'
    >>> describe_threshold(svm_pipeline())
    '0.6: the default for a model that is not a neural network (not calibrated)'
    >>> describe_threshold(svm_pipeline(), {"stop": 0.5})[:40]
    'stop=0.5 (given), the other words 0.6: t'
    """
    if isinstance(threshold, dict):
        named = ", ".join(f"{w}={p:g}" for w, p in threshold.items())
        value, origin = _auto(model)
        return f"{named} (given), the other words {value:g}: {origin}"
    if isinstance(threshold, str) and threshold == "auto":
        value, origin = _auto(model)
        return f"{value:g}: {origin}"
    return f"{float(threshold):g} (given)"


def auto_threshold(model: BaseEstimator) -> float:
    """The threshold ``threshold="auto"`` gives a model.

    The threshold calibrated for the model, when it has one
    (:func:`calibrate_threshold`; ``skspeech train`` calibrates the models
    it trains on Speech Commands). Otherwise a default for its kind:
    ``NETWORK_THRESHOLD`` for a neural network (a Keras classifier of
    skspeech, an exported :class:`~skspeech.export.TFLiteModel`, or a vote of
    networks only): their probabilities are sharp, so few false alarms need a
    threshold close to 1. ``OTHER_THRESHOLD`` for the rest (the SVM's
    calibrated probabilities, the HMM's, a vote with either). Both come from
    ``benchmarks/bench_streaming.py``.

    Parameters
    ----------
    model : estimator
        A fitted model, as given to :class:`CommandListener`.

    Returns
    -------
    threshold : float

    Examples
    --------
    >>> from skspeech.pipelines import svm_pipeline
    >>> from skspeech.streaming import auto_threshold
    >>> auto_threshold(svm_pipeline())
    0.6
    """
    return _auto(model)[0]


def _auto(model):
    """``threshold="auto"``'s threshold for ``model`` and where it comes from (the stored
    calibration is read, and its probe run, once)."""
    from .._inspection import classifiers

    calibration = stored_calibration(model)
    if calibration is not None:
        return float(calibration["threshold"]), (
            f"calibrated for at most {calibration['max_false_alarms_per_hour']:g} false alarms "
            f"per hour on {calibration['minutes']:g} min of held-out speech"
            + (f", with {calibration['calibrated_on']}" if calibration.get("calibrated_on")
               else ""))
    found = classifiers(model) if type(model).__name__ != "TFLiteModel" else [("", model)]
    if found and all(_is_network(clf) for _, clf in found):
        return NETWORK_THRESHOLD, "the default for a neural network (not calibrated)"
    return OTHER_THRESHOLD, "the default for a model that is not a neural network (not calibrated)"


@fill_doc
class CommandListener:
    """Recognise commands in a stream of audio blocks with a fitted classifier.

    Every ``hop`` seconds the last ``window`` seconds of audio go through the
    model's own ``predict_proba`` (the pipeline used offline, front end
    included), but only when the window holds sound: its loud part (energy
    frames at least ``gate_db`` above the noise floor, which is learned from
    the quietest frames of the stream so far) must last ``min_sound``
    seconds and be centred in the window. Probabilities are averaged over
    the last ``smoothing`` windows (a window without sound counts as zero),
    and a word is reported when its average reaches its threshold. A word is
    reported once: it fires again only after its average has fallen below
    its threshold (however long the sound lasts), and the next detection of
    any word must be ``refractory`` seconds later.

    The defaults come from ``benchmarks/bench_streaming.py``, a long stream of
    held-out Speech Commands voices, half commands and half other words, over
    noise (its curves are in the user's side page of the documentation): the
    threshold depends on the kind of model (``"auto"``, see
    :func:`auto_threshold`), and another point of a model's curve is a
    ``threshold`` away (:func:`make_command_stream`, :func:`score_detections`
    draw it).

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba`` and word ``classes_``
        (e.g. from :func:`skspeech.load_model`), fed 1-D clips at ``sr``.
    sr : int
        Sample rate of the blocks, which must be the model's input rate.
    window : float, default=1.0
        Seconds of audio per classification (the length of training clips).
    hop : float, default=0.1
        Seconds between classifications.
    threshold : float, dict of str to float, or "auto", default="auto"
        Minimum smoothed probability to report a word; a dict gives per-word
        thresholds (words missing from it use the "auto" one). "auto" takes
        :func:`auto_threshold`: the threshold calibrated for the model
        (:func:`calibrate_threshold`), or for a model without one 0.999 for
        a neural network and 0.6 for other models.
    smoothing : int, default=3
        Windows averaged.
    gate_db : float, default=12.0
        How far above the noise floor a frame must be to count as sound, in dB.
    min_level_db : float, default=-55.0
        Frames below this level (dB re full scale) are never sound, whatever
        the floor: digital silence does not open the gate.
    min_sound : float, default=0.1
        Seconds of sound a window needs.
    refractory : float, default=None
        Seconds after a detection during which no other is reported; None
        means ``0.6 * window``.
    ignore : sequence of str, default=("_silence_", "_unknown_", "_noise_", "_background_noise_")
        Classes never reported (background classes the model may know).

    Attributes
    ----------
    noise_floor_db : float
        The current noise floor estimate (None before any audio).

    See Also
    --------
    listen : Run a listener over an iterable of blocks.

    Examples
    --------
    %(quiet_clip_example)s
    >>> from skspeech.pipelines import svm_pipeline
    >>> from skspeech.streaming import CommandListener
    >>> X = [clip(f) for f in (300, 310, 320, 1200, 1210, 1220)]
    >>> model = svm_pipeline(sr=sr).set_params(svc__cv=2)
    >>> model = model.fit(X, ["low"] * 3 + ["high"] * 3)
    >>> stream = np.concatenate([0.001 * rng.standard_normal(2 * sr), clip(1205)[3000:6500],
    ...                          0.001 * rng.standard_normal(2 * sr)]).astype("float32")
    >>> listener = CommandListener(model, sr, threshold=0.5)
    >>> hits = [d for i in range(0, len(stream), 800)
    ...         for d in listener.process(stream[i:i + 800])]
    >>> [(round(d.time, 1), d.word) for d in hits]
    [(2.2, 'high')]
    """

    def __init__(self, model: BaseEstimator, sr: int, *, window: float = 1.0, hop: float = 0.1,
                 threshold: float | str | dict[str, float] = "auto", smoothing: int = 3,
                 gate_db: float = 12.0, min_level_db: float = -55.0,
                 min_sound: float = 0.1, refractory: float | None = None,
                 ignore: Sequence[str] = _IGNORE) -> None:
        self.model = model
        self.sr = sr
        self.window = window
        self.hop = hop
        self.threshold = threshold
        self.smoothing = smoothing
        self.gate_db = gate_db
        self.min_level_db = min_level_db
        self.min_sound = min_sound
        self.refractory = refractory
        self.ignore = ignore
        self._started = False

    # -- set-up -------------------------------------------------------------------------
    def _start(self):
        from .._persistence import check_model_sr

        sr = check_model_sr(self.model, self.sr, what="CommandListener(sr=...)")
        if not hasattr(self.model, "predict_proba"):
            raise ValueError(f"The model must have predict_proba to be thresholded; got "
                             f"{type(self.model).__name__} without it. For an SVM pipeline "
                             f"use svm_pipeline(probability=True).")
        classes = getattr(self.model, "classes_", None)
        if classes is None:
            raise ValueError("The model must be fitted (it has no classes_); fit it or load "
                             "one with skspeech.load_model.")
        for name, value, low, high in (("window", self.window, 0.05, 60),
                                       ("hop", self.hop, 0.005, self.window),
                                       ("min_sound", self.min_sound, 0, self.window)):
            if isinstance(value, bool) or not (isinstance(value, Real) and low <= value <= high):
                raise ValueError(f"{name} must be a number of seconds in [{low}, {high}]; "
                                 f"got {value!r}.")
        if not (isinstance(self.smoothing, Integral) and not isinstance(self.smoothing, bool)
                and self.smoothing >= 1):
            raise ValueError(f"smoothing must be an int >= 1 (windows averaged); "
                             f"got {self.smoothing!r}.")
        self._classes = [str(c) for c in classes]
        thr = self.threshold
        auto = auto_threshold(self.model) if thr == "auto" or isinstance(thr, dict) else None
        if isinstance(thr, dict):
            unknown = sorted(set(thr) - set(self._classes))
            if unknown:
                raise ValueError(f"threshold names words the model does not know: {unknown}; "
                                 f"its words are {self._classes}.")
            self._thr = np.array([float(thr.get(c, auto)) for c in self._classes])
        elif isinstance(thr, str):
            if thr != "auto":
                raise ValueError(f"threshold must be a probability, a dict of them or 'auto'; "
                                 f"got {thr!r}.")
            self._thr = np.full(len(self._classes), auto)
        else:
            self._thr = np.full(len(self._classes), float(thr))
        if np.any((self._thr < 0) | (self._thr > 1)):
            raise ValueError(f"thresholds must be probabilities in [0, 1]; got {thr!r}.")
        self._report = np.array([c not in set(self.ignore) for c in self._classes])
        self._sr = sr
        self._frame = max(1, int(round(_FRAME * sr)))
        self._n_win = int(round(self.window * sr)) // self._frame * self._frame
        self._n_hop = max(self._frame, int(round(self.hop * sr)) // self._frame * self._frame)
        self._refr = 0.6 * self.window if self.refractory is None else float(self.refractory)
        self.reset()
        self._started = True

    def reset(self) -> None:
        """Forget the audio, the noise floor and the last detection."""
        self._buf = np.zeros(0, dtype=np.float32)
        self._t0 = 0  # stream sample index of _buf[0]
        self._next = None  # stream index at which the next window ends
        self._history = _RecentLevels(int(30 / _FRAME))  # frame levels for the noise floor
        self._probs = deque(maxlen=int(self.smoothing))
        self._last = -np.inf
        self._armed = np.ones(len(getattr(self, "_classes", ())), dtype=bool)  # may fire
        self.noise_floor_db = None

    # -- processing ---------------------------------------------------------------------
    def _levels(self, x):
        frames = x[: len(x) // self._frame * self._frame].reshape(-1, self._frame)
        power = np.mean(np.square(frames, dtype=np.float64), axis=1)
        return 10 * np.log10(power + 1e-12)

    def process(self, block: ArrayLike) -> list[Detection]:
        """Add a block of samples; return the commands detected (a list of :class:`Detection`)."""
        if not self._started:
            self._start()
        block = np.asarray(as_float_audio(block, "block"), dtype=np.float32)
        if block.ndim == 2 and 1 in block.shape:
            block = block.ravel()
        if block.ndim != 1:
            raise ValueError(f"A block must be 1-D mono audio (n_samples,); got shape "
                             f"{block.shape}. Average the channels first.")
        if not np.all(np.isfinite(block)):
            raise ValueError("A block holds NaN or infinite samples.")
        self._buf = np.concatenate([self._buf, block])
        if self._next is None:
            self._next = self._n_win
        out = []
        while self._t0 + len(self._buf) >= self._next:
            end = self._next - self._t0
            win = self._buf[end - self._n_win:end]
            new = win[-self._n_hop:] if len(self._history) else win
            self._history.extend(self._levels(new))
            d = self._step(win, (self._next - self._n_win) / self._sr)
            if d is not None:
                out.append(d)
            self._next += self._n_hop
        drop = max(0, self._next - self._n_win - self._t0)  # keep from the next window's start
        self._buf = self._buf[drop:]
        self._t0 += drop
        return out

    def _step(self, win, start):
        levels = self._levels(win)
        floor = self._history.percentile(10)
        self.noise_floor_db = floor
        loud = (levels > floor + self.gate_db) & (levels > self.min_level_db)
        n = len(levels)
        probs = np.zeros(len(self._classes))
        centre = None
        if loud.sum() * _FRAME >= self.min_sound:
            weight = np.where(loud, 10 ** (levels / 10), 0.0)
            centre = float(np.sum(weight * np.arange(n)) / np.sum(weight)) / n
            if 0.25 <= centre <= 0.75:
                probs = np.asarray(self.model.predict_proba(win[None, :]), float)[0]
        self._probs.append(probs)
        mean = np.mean(self._probs, axis=0)
        mean = np.where(self._report, mean, -1.0)
        k = int(np.argmax(mean))
        armed = self._armed[k]
        self._armed |= mean < self._thr  # a word falling below its threshold may fire again
        if centre is None or mean[k] < self._thr[k] or not armed:
            return None
        t = start + centre * self.window
        if t - self._last < self._refr:
            return None
        self._last = t
        self._armed[k] = False
        return Detection(round(t, 3), self._classes[k], float(mean[k]),
                         round(start + self._n_win / self._sr, 3))

    def flush(self) -> list[Detection]:
        """Feed one window of silence so that a command at the very end is heard."""
        if not self._started:
            self._start()
        return self.process(np.zeros(self._n_win, dtype=np.float32))


def listen(model: BaseEstimator, blocks: Iterable[ArrayLike], *, sr: int | None = None,
           **options: Any) -> Iterator[Detection]:
    """Yield the commands a model recognises in an iterable of audio blocks.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba`` (e.g. from
        :func:`skspeech.load_model`).
    blocks : iterable of ndarray of shape (n_samples,)
        Mono audio blocks of any size, e.g. a :class:`FileStream`, a
        :class:`MicrophoneStream` or any generator.
    sr : int, default=None
        Sample rate of the blocks; None takes ``blocks.sr``.
    **options
        :class:`CommandListener` parameters (``window``, ``hop``,
        ``threshold``, ``smoothing``, ``gate_db``, ...).

    Yields
    ------
    detection : Detection
        ``(time, word, probability)`` as soon as each command is recognised.

    Examples
    --------
    >>> from skspeech import load_model
    >>> from skspeech.streaming import FileStream, listen
    >>> model = load_model("commands.joblib")  # doctest: +SKIP
    >>> for d in listen(model, FileStream("session.wav", sr=8000)):  # doctest: +SKIP
    ...     print(d)
        2.31 s  yes          p=0.91
    """
    if sr is None:
        sr = getattr(blocks, "sr", None)
        if sr is None:
            raise ValueError("listen needs sr= for blocks without an sr attribute.")
    listener = CommandListener(model, sr, **options)
    for block in blocks:
        yield from listener.process(block)
    yield from listener.flush()
