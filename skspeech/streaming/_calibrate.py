"""Calibrating a listener's threshold for a false-alarm budget on a stream of held-out clips."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import Bunch, check_random_state

from .._docstrings import fill_doc
from .._validation import check_sr
from ..labels import commands_of
from ._command_stream import make_command_stream
from ._evaluate import score_detections
from ._listener import CommandListener
from ._stored import CALIBRATION_ATTRIBUTE, probe

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

# The stream calibrate_threshold builds: as benchmarks/bench_streaming.py builds its own
_STREAM = {"noise_db": (-55.0, -40.0), "gain_db": (-6.0, 3.0), "gap": (1.0, 5.0), "lead": 5.0}
_BABBLE_CLIPS = 600  # held-out clips the noisy part's babble is made of, at most
_MAX_REUSE = 3  # uses of a command clip, at most, to make the stream minutes long
# Thresholds tried: 0.5 to 0.99999, evenly spaced in -log10(1 - threshold)
THRESHOLD_GRID = (0.5,) + tuple(round(float(t), 6)
                                for t in 1.0 - 10.0 ** -np.arange(0.4, 5.01, 0.1))


class WindowTable:
    """A fitted model whose ``predict_proba`` answers from windows computed in advance.

    ``predict_proba`` of every ``window``-second stretch of ``stream`` ending
    every ``hop`` seconds is computed once, in batches; a listener run over
    the stream then asks the table instead of the model (a window not in it
    goes to the model). A sweep of listener settings costs one pass of the
    model.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba`` and ``classes_``.
    stream : ndarray of shape (n_samples,)
        The stream the listener will hear, at ``sr``.
    sr : int
        Its sample rate.
    window, hop : float, default=1.0, 0.1
        The listener's window and hop, in seconds.
    batch : int, default=256
        Windows per ``predict_proba`` call.
    """

    def __init__(self, model: BaseEstimator, stream: np.ndarray, *, sr: int,
                 window: float = 1.0, hop: float = 0.1, batch: int = 256) -> None:
        self.model = model
        self.classes_ = model.classes_
        stream = np.asarray(stream, np.float32)
        n_win, n_hop = round(window * sr), round(hop * sr)
        ends = np.arange(n_win, len(stream) + 1, n_hop)
        proba = [np.asarray(model.predict_proba(
            np.stack([stream[e - n_win:e] for e in ends[i:i + batch]])), float)
            for i in range(0, len(ends), batch)]
        proba = np.concatenate(proba) if proba else np.zeros((0, len(self.classes_)))
        self._table = {hash(stream[e - n_win:e].tobytes()): p for e, p in zip(ends, proba)}
        self.n_windows = len(ends)
        self.misses = 0

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        out = []
        for x in np.asarray(X, np.float32):
            key = hash(x.tobytes())
            p = self._table.get(key)
            if p is None:
                p = np.asarray(self.model.predict_proba(x[None]), float)[0]
                self._table[key] = p
                self.misses += 1
            out.append(p)
        return np.array(out)


def _blocks(stream, n):
    for i in range(0, len(stream), n):
        yield stream[i:i + n]


def run_listener(model: BaseEstimator, stream: np.ndarray, events, *, sr: int,
                 **options) -> tuple[list, Bunch]:
    """The detections of a :class:`CommandListener` over ``stream`` and their score."""
    listener = CommandListener(model, sr, **options)
    n = max(1, int(round(listener.hop * sr)))
    found = [d for block in _blocks(stream, n) for d in listener.process(block)]
    found += listener.flush()
    return found, score_detections(found, events, duration=len(stream) / sr)


def balanced_order(labels: np.ndarray, commands: Sequence[str], n_commands: int,
                   rng: np.random.RandomState) -> np.ndarray:
    """Indices of ``n_commands`` command clips and as many other clips (reused as needed)."""
    is_cmd = np.isin(labels, list(commands))
    cmd, other = np.flatnonzero(is_cmd), np.flatnonzero(~is_cmd)

    def draw(pool, n):
        passes = -(-n // len(pool))
        return np.concatenate([rng.permutation(pool) for _ in range(passes)])[:n]

    cmd_idx = draw(cmd, n_commands)
    return np.concatenate([cmd_idx, draw(other, n_commands) if len(other) else other])


def calibration_stream(clips: Sequence[ArrayLike], labels: np.ndarray, commands: Sequence[str], *,
                       sr: int, noise: Sequence[ArrayLike] | None, n_commands: int,
                       noisy_share: float, noisy_snr_db: float, rng: np.random.RandomState
                       ) -> tuple[np.ndarray, list]:
    """The stream :func:`calibrate_threshold` listens to, and its events.

    ``n_commands`` command clips and as many other clips (reused as needed),
    in a random order; the first ``1 - noisy_share`` of them at their
    recorded level over ``noise``, the rest ``noisy_snr_db`` above babble
    made of the clips (every voice played backwards: no word in it) and
    ``noise``.
    """
    order = balanced_order(labels, commands, n_commands, rng)
    n_noisy = int(round(noisy_share * len(order)))
    if n_noisy:  # which utterances go to the noisy part (make_command_stream shuffles each part)
        order = order[rng.permutation(len(order))]
    rest = {k: v for k, v in _STREAM.items() if k not in ("noise_db", "gain_db")}
    parts = [(order[:len(order) - n_noisy], noise,
              {"noise_db": _STREAM["noise_db"], "gain_db": _STREAM["gain_db"]})]
    if n_noisy:
        from ..augment._wave import _babble_bank

        pick = rng.permutation(len(clips))[:_BABBLE_CLIPS]
        babble = _babble_bank([clips[i] for i in pick], sr,
                              np.random.default_rng(rng.randint(2 ** 31)), reverse=1.0)
        bed = (babble or []) + (list(noise) if noise is not None else [])
        if bed:
            parts.append((order[len(order) - n_noisy:], bed, {"snr_db": noisy_snr_db}))
        else:  # no clip has sound and no noise: the part at recorded level takes them
            parts[0] = (order, noise, parts[0][2])
    audio, events, offset = [], [], 0.0
    for idx, bed, level in parts:
        if not len(idx):
            continue
        part, ev = make_command_stream([clips[i] for i in idx], labels[idx], sr=sr,
                                       commands=commands, noise=bed, random_state=rng,
                                       **rest, **level)
        events += [e._replace(onset=e.onset + offset, offset=e.offset + offset) for e in ev]
        audio.append(part)
        offset += len(part) / sr
    return np.concatenate(audio), events


@fill_doc
def calibrate_threshold(model: BaseEstimator, clips: Sequence[ArrayLike], labels: ArrayLike, *,
                        sr: int, noise: Sequence[ArrayLike] | None = None,
                        max_false_alarms_per_hour: float = 2.0, minutes: float | None = 180.0,
                        noisy_share: float = 0.0, noisy_snr_db: float = 10.0,
                        smoothing: int = 3, gate_db: float = 12.0,
                        random_state: int | np.random.RandomState | None = 0,
                        store: bool = True) -> Bunch:
    """Choose the listener threshold that fits a model and a false-alarm budget.

    A listener's threshold is a property of one model: the probabilities
    of two networks trained alike differ most exactly where the threshold
    sits. This builds a stream of about ``minutes`` from held-out clips
    (never trained on): every command clip at least once, as many uses of
    the other clips (reused as needed), each use at its own gain (-6 to
    +3 dB) and place, 1-5 s apart, over ``noise`` (-55 to -40 dBFS), and
    with ``noisy_share`` a part of them 10 dB (``noisy_snr_db``) above
    babble of the clips themselves (3-7 voices, played backwards); runs a
    :class:`CommandListener` over it and returns the lowest threshold of
    :data:`THRESHOLD_GRID` (0.5 to 0.99999) whose false alarms stay within
    ``max_false_alarms_per_hour`` (a bisection: false alarms fall as the
    threshold rises), the one with the most commands heard. With ``store``
    it is kept on the model, as ``listener_calibration_`` (a dict, also
    written by :func:`skspeech.export.export_tflite`), and
    ``threshold="auto"`` then takes it.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba`` and word ``classes_``, fed
        1-D clips at ``sr``.
    clips : list of ndarray of shape (n_samples,)
        Held-out clips at ``sr``: commands and other words, from speakers the
        model never heard (e.g. a validation subset).
    labels : array-like of shape (n_clips,), str
        The word of each clip. Commands are the model's classes not starting
        with ``"_"``; every other label counts as another word.
    sr : int
        Sample rate of the clips and the noise.
    noise : list of ndarray, default=None
        Background recordings at ``sr`` for the stream (held out from
        training); None: digital silence between the words.
    max_false_alarms_per_hour : float, default=2.0
        The budget. A stream of a few hours counts a few events: the
        threshold chosen keeps its false alarms within the budget on this
        stream, and another stream will count a few more or fewer.
    minutes : float or None, default=180.0
        Length of the stream to reach by reusing the clips (each use at its
        own gain, place and noise; a command clip three times at most, so a
        small held-out set gives a shorter stream): the longer, the fewer
        chance events decide the threshold. Every command clip is used at
        least once, with as many other words; None: once (1.5 hours for the
        validation subset of the development copy of Speech Commands).
    noisy_share : float, default=0.0
        Share of the utterances placed ``noisy_snr_db`` above babble made of
        the clips (and ``noise``) instead of at their recorded level: for a
        listener that must keep its false alarms within the budget in a
        noisy room too. It costs hits: on the development copy of Speech
        Commands a third at 10 dB chose 0.9968 instead of 0.987 for the same
        network (60.5 % of the commands heard on the benchmark's test stream
        at 1.0 false alarm per hour, against 68.8 % at 2.6).
    noisy_snr_db : float, default=10.0
        Signal-to-noise ratio of that part, in dB.
    smoothing, gate_db : int, float, default=3, 12.0
        The listener settings the threshold is chosen for (the listener's
        defaults).
    random_state : int, RandomState instance or None, default=0
        Seed of the stream.
    store : bool, default=True
        Keep the result on ``model`` as ``listener_calibration_``.

    Returns
    -------
    calibration : :class:`~sklearn.utils.Bunch`
        ``threshold``, ``smoothing``, ``gate_db``, ``max_false_alarms_per_hour``,
        ``hit_rate`` and ``false_alarms_per_hour`` at that threshold on the
        stream, ``minutes`` (its length), ``n_commands``, ``noisy_share``,
        ``noisy_snr_db``, and ``curve``: the
        ``(threshold, hit_rate, false_alarms_per_hour)`` of every threshold
        tried. When no threshold of the grid meets the budget, the highest
        (0.99999) is returned with a warning.

    See Also
    --------
    CommandListener : Takes the stored threshold with ``threshold="auto"``.
    make_command_stream, score_detections : The stream and its score.

    Examples
    --------
    %(quiet_clip_example)s
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skspeech.streaming import calibrate_threshold
    >>> def bands(X):  # log energy of 40 bands relative to the loudest: any level
    ...     power = np.abs(np.fft.rfft(X))[:, :4000].reshape(len(X), 40, -1).sum(axis=2) ** 2
    ...     return np.log10(power / power.max(axis=1, keepdims=True) + 1e-6)
    >>> freqs = {"low": 300, "high": 1200, "_unknown_": 2500}
    >>> words = list(freqs) * 5
    >>> X = [clip(freqs[w] + 10 * i) for i, w in enumerate(words)]
    >>> model = make_pipeline(FunctionTransformer(bands), LogisticRegression())
    >>> model = model.fit(np.stack(X), words)
    >>> noise = [0.003 * rng.standard_normal(10 * sr).astype("float32")]
    >>> cal = calibrate_threshold(model, X, words, sr=sr, noise=noise, minutes=2)
    >>> cal.threshold, cal.hit_rate, cal.false_alarms_per_hour
    (0.5, 1.0, 0.0)
    >>> model.listener_calibration_["threshold"]  # threshold="auto" takes it
    0.5
    """
    sr = check_sr(sr)
    if not (isinstance(max_false_alarms_per_hour, Real)
            and not isinstance(max_false_alarms_per_hour, bool)
            and 0 <= max_false_alarms_per_hour < np.inf):
        raise ValueError(f"max_false_alarms_per_hour must be a number >= 0; "
                         f"got {max_false_alarms_per_hour!r}.")
    if minutes is not None and not (isinstance(minutes, Real) and not isinstance(minutes, bool)
                                    and 0 < minutes <= 600):
        raise ValueError(f"minutes must be None or a number in (0, 600]; got {minutes!r}.")
    if not (isinstance(noisy_share, Real) and not isinstance(noisy_share, bool)
            and 0 <= noisy_share <= 1):
        raise ValueError(f"noisy_share must be a number from 0 to 1; got {noisy_share!r}.")
    if not (isinstance(noisy_snr_db, Real) and not isinstance(noisy_snr_db, bool)
            and -30 <= noisy_snr_db <= 60):
        raise ValueError(f"noisy_snr_db must be a number of dB from -30 to 60; got "
                         f"{noisy_snr_db!r}.")
    classes = getattr(model, "classes_", None)
    if classes is None or not hasattr(model, "predict_proba"):
        raise ValueError("calibrate_threshold needs a fitted classifier with predict_proba and "
                         "classes_; fit the model first.")
    commands = commands_of(classes)
    labels = np.asarray(labels, dtype=object).ravel()
    if len(labels) != len(clips):
        raise ValueError(f"labels must hold one word per clip: got {len(clips)} clips and "
                         f"{len(labels)} labels.")
    labels = labels.astype(str)
    is_cmd = np.isin(labels, commands)
    if not is_cmd.any() or is_cmd.all():
        raise ValueError(f"calibrate_threshold needs clips of the model's commands "
                         f"({', '.join(commands)}) and of other words (or _unknown_); got "
                         f"{int(is_cmd.sum())} command clips and {int((~is_cmd).sum())} others.")
    rng = check_random_state(random_state)
    mean_len = np.mean([len(np.asarray(x)) for x in clips]) / sr
    per_pair = 2 * (mean_len + np.mean(_STREAM["gap"]))
    n_commands = int(is_cmd.sum())
    if minutes is not None:
        n_commands = max(n_commands, min(int(np.ceil(minutes * 60 / per_pair)),
                                         _MAX_REUSE * n_commands))
    stream, events = calibration_stream(clips, labels, commands, sr=sr, noise=noise,
                                        n_commands=n_commands, noisy_share=noisy_share,
                                        noisy_snr_db=noisy_snr_db, rng=rng)
    table = WindowTable(model, stream, sr=sr)
    options = {"smoothing": smoothing, "gate_db": gate_db}
    tried = {}

    def score(i):
        if i not in tried:
            tried[i] = run_listener(table, stream, events, sr=sr, threshold=THRESHOLD_GRID[i],
                                    **options)[1]
        return tried[i]

    lo, hi = 0, len(THRESHOLD_GRID) - 1  # the answer is the first index within the budget
    if score(hi).false_alarms_per_hour > max_false_alarms_per_hour:
        warnings.warn(f"No threshold up to {THRESHOLD_GRID[hi]:g} keeps this model within "
                      f"{max_false_alarms_per_hour:g} false alarms per hour on the calibration "
                      f"stream ({score(hi).false_alarms_per_hour:.1f}); using "
                      f"{THRESHOLD_GRID[hi]:g}.", UserWarning, stacklevel=2)
        lo = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if score(mid).false_alarms_per_hour <= max_false_alarms_per_hour:
            hi = mid
        else:
            lo = mid + 1
    best = score(lo)
    result = Bunch(threshold=THRESHOLD_GRID[lo], smoothing=int(smoothing), gate_db=float(gate_db),
                   max_false_alarms_per_hour=float(max_false_alarms_per_hour),
                   hit_rate=float(best.hit_rate),
                   false_alarms_per_hour=float(best.false_alarms_per_hour),
                   minutes=round(len(stream) / sr / 60, 1), n_commands=best.n_commands,
                   noisy_share=float(noisy_share), noisy_snr_db=float(noisy_snr_db),
                   curve=[(THRESHOLD_GRID[i], float(s.hit_rate), float(s.false_alarms_per_hour))
                          for i, s in sorted(tried.items())])
    if store:
        stored = {k: result[k] for k in ("threshold", "smoothing", "gate_db",
                                         "max_false_alarms_per_hour", "hit_rate",
                                         "false_alarms_per_hour", "minutes", "n_commands",
                                         "noisy_share", "noisy_snr_db")}
        stored["probe"] = [float(p) for p in probe(model, sr)]
        stored["sr"] = sr
        setattr(model, CALIBRATION_ATTRIBUTE, stored)
    return result
