"""Scoring a listener as keyword spotters are scored: hits, false alarms per hour and detection
delay on a stream of known words.

The stream itself is made by :mod:`skspeech.streaming._command_stream`;
``make_command_stream`` and ``StreamEvent`` are also importable from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import Bunch

from ._command_stream import StreamEvent, make_command_stream  # noqa: F401 (importable here)

if TYPE_CHECKING:
    from ._listener import Detection

_OUTCOMES = ("hit", "duplicate", "wrong_word", "non_command", "noise")


def _as_events(events):
    out = []
    for i, e in enumerate(events):
        try:
            onset, offset, label, is_command = e[0], e[1], e[2], e[3]
            onset, offset = float(onset), float(offset)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"events[{i}] must be (onset, offset, label, is_command), e.g. a "
                             f"StreamEvent; got {e!r}.") from None
        if not (np.isfinite(onset) and np.isfinite(offset) and onset <= offset):
            raise ValueError(f"events[{i}] must have finite onset <= offset; got onset {onset} "
                             f"and offset {offset}.")
        out.append((onset, offset, str(label), bool(is_command)))
    return out


def _as_detections(detections):
    out = []
    for i, d in enumerate(detections):
        try:
            time, word = float(d[0]), d[1]
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"detections[{i}] must be (time, word, ...), e.g. a Detection; "
                             f"got {d!r}.") from None
        reported = getattr(d, "reported_at", None)
        if reported is None and not hasattr(d, "reported_at") and len(d) > 3:
            reported = d[3]
        reported = time if reported is None else float(reported)
        if not (np.isfinite(time) and np.isfinite(reported)):
            raise ValueError(f"detections[{i}] has a time that is not finite: {d!r}.")
        out.append((time, str(word), reported))
    return out


def score_detections(detections: Iterable[Detection | tuple],
                     events: Iterable[StreamEvent | tuple], *, duration: float,
                     tolerance: float = 0.5) -> Bunch:
    """Hit rate, false alarms per hour and delay of detections against the true words.

    A detection is a **hit** when it names the command of a command event
    and its time lies within ``tolerance`` seconds of that event (from
    ``onset - tolerance`` to ``offset + tolerance``); each event is hit at
    most once. Every other detection is a **false alarm**, of one of four
    kinds, checked in this order: a ``duplicate`` (the right word on an
    event already hit), a ``wrong_word`` (another command on a command
    event), a ``non_command`` (on a word that is not a command) or
    ``noise`` (on no event). Detections are matched in time order.

    The **delay** of a hit is the time at which the detection was reported
    minus the end of the spoken word (the event's ``offset``): how long a
    user waits after finishing the word. The time reported is
    ``Detection.reported_at`` (the end of the window that triggered it), or
    the detection's time for detections without it.

    Parameters
    ----------
    detections : iterable of Detection or tuple
        The listener's output, in any order: :class:`Detection` objects or
        ``(time, word)`` tuples (a fourth item, if present, is the time
        reported).
    events : iterable of StreamEvent or tuple
        The truth: ``(onset, offset, label, is_command)`` per utterance, e.g.
        from :func:`make_command_stream`.
    duration : float
        Length of the stream in seconds, for false alarms per hour.
    tolerance : float, default=0.5
        Seconds a detection may lie before the onset or after the offset of
        its event.

    Returns
    -------
    score : :class:`~sklearn.utils.Bunch`
        ``hit_rate`` (hits / command events; NaN without command events),
        ``false_alarms_per_hour``, ``mean_delay`` and ``median_delay`` (in
        seconds; NaN without hits), ``n_commands``, ``n_hits``, ``n_misses``,
        ``n_false_alarms`` and its kinds ``n_duplicate``, ``n_wrong_word``,
        ``n_non_command``, ``n_noise``; ``outcomes`` (one of "hit",
        "duplicate", "wrong_word", "non_command", "noise" per detection, in
        the order given), ``delays`` (per hit, in time order) and ``missed``
        (indices of the command events never hit).

    See Also
    --------
    make_command_stream : A long test stream with its true events.

    Examples
    --------
    >>> from skspeech.streaming import StreamEvent, score_detections
    >>> events = [StreamEvent(2.0, 2.5, "yes", True), StreamEvent(5.0, 5.6, "bed", False),
    ...           StreamEvent(8.0, 8.4, "no", True)]
    >>> detections = [(2.3, "yes", 0.9, 2.8), (2.6, "yes", 0.8, 3.1), (5.2, "no", 0.7, 5.7),
    ...               (8.2, "stop", 0.9, 8.7), (12.0, "up", 0.7, 12.5)]
    >>> score = score_detections(detections, events, duration=3600)
    >>> score.hit_rate, score.n_false_alarms, score.false_alarms_per_hour
    (0.5, 4, 4.0)
    >>> score.outcomes
    ['hit', 'duplicate', 'non_command', 'wrong_word', 'noise']
    >>> round(score.mean_delay, 3), score.missed
    (0.3, [2])
    """
    if not (isinstance(duration, Real) and np.isfinite(duration) and duration > 0):
        raise ValueError(f"duration must be the stream's length in seconds (> 0); "
                         f"got {duration!r}.")
    if not (isinstance(tolerance, Real) and np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a number of seconds >= 0; got {tolerance!r}.")
    dets = _as_detections(detections)
    evs = _as_events(events)
    onsets = np.array([e[0] for e in evs]) - tolerance
    offsets = np.array([e[1] for e in evs]) + tolerance
    hit = np.zeros(len(evs), dtype=bool)
    outcomes = [None] * len(dets)
    delays = []
    for j in sorted(range(len(dets)), key=lambda j: dets[j][0]):
        time, word, reported = dets[j]
        near = np.flatnonzero((onsets <= time) & (time <= offsets)) if evs else []
        right = [k for k in near if evs[k][3] and evs[k][2] == word]
        free = [k for k in right if not hit[k]]
        if free:  # the nearest free event, the earlier on a tie
            k = min(free, key=lambda k: (max(evs[k][0] - time, time - evs[k][1], 0), k))
            hit[k] = True
            outcomes[j] = "hit"
            delays.append(reported - evs[k][1])
        elif right:
            outcomes[j] = "duplicate"
        elif any(evs[k][3] for k in near):
            outcomes[j] = "wrong_word"
        elif len(near):
            outcomes[j] = "non_command"
        else:
            outcomes[j] = "noise"
    commands = [k for k, e in enumerate(evs) if e[3]]
    n_hits = int(hit.sum())
    n_false = len(dets) - n_hits
    delays = np.array(delays, dtype=float)
    counts = {f"n_{kind}": outcomes.count(kind) for kind in _OUTCOMES[1:]}
    return Bunch(
        hit_rate=n_hits / len(commands) if commands else float("nan"),
        false_alarms_per_hour=n_false * 3600.0 / duration,
        mean_delay=float(delays.mean()) if n_hits else float("nan"),
        median_delay=float(np.median(delays)) if n_hits else float("nan"),
        n_commands=len(commands), n_hits=n_hits, n_misses=len(commands) - n_hits,
        n_false_alarms=n_false, **counts, outcomes=outcomes, delays=delays,
        missed=[k for k in commands if not hit[k]],
    )
