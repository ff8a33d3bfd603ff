"""Making a test stream: known words placed in noise at known times (make_command_stream).

:mod:`skspeech.streaming._evaluate` scores a listener's detections on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_random_state

from .._validation import check_sr
from ..labels import is_command as is_a_command

_FRAME = 0.01  # seconds per level frame, for the extent of a word in its clip
_FADE = 0.005  # seconds of raised-cosine fade at the edges of clips and noise excerpts


class StreamEvent(NamedTuple):
    """One utterance placed in a stream by :func:`make_command_stream`.

    Attributes
    ----------
    onset : float
        Where the spoken word starts, in seconds from the start of the stream.
    offset : float
        Where it ends, in seconds.
    label : str
        The word said (its label in the clips given).
    is_command : bool
        Whether a listener should report it.
    clip : int
        Index of the clip used, in the clips given (-1 when unknown).
    """

    onset: float
    offset: float
    label: str
    is_command: bool
    clip: int = -1


def _pair(value, name, *, low=-np.inf, high=np.inf, unit):
    """A number or a (low, high) range of numbers, as a checked pair of floats."""
    pair = (value, value) if isinstance(value, Real) else value
    try:
        if isinstance(pair, (str, bytes)):
            raise TypeError
        a, b = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of {unit} or a (low, high) pair of them; "
                         f"got {value!r}.") from None
    if not (np.isfinite(a) and np.isfinite(b) and low <= a <= b <= high):
        raise ValueError(f"{name} must be {unit} in [{low:g}, {high:g}] with low <= high; "
                         f"got {value!r}.")
    return a, b


def _levels_db(x, frame):
    n = len(x) // frame * frame
    if n == 0:
        return np.array([10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-12)])
    power = np.mean(np.square(x[:n].reshape(-1, frame), dtype=np.float64), axis=1)
    return 10 * np.log10(power + 1e-12)


def _extent(x, frame, top_db):
    """First and last sample of the loud part of a clip: frames within top_db of the loudest."""
    levels = _levels_db(x, frame)
    loud = np.flatnonzero(levels >= levels.max() - top_db)
    return int(loud[0]) * frame, min(len(x), (int(loud[-1]) + 1) * frame)


def _fade(x, n):
    n = min(n, len(x) // 2)
    if n > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
        x[:n] *= ramp
        x[len(x) - n:] *= ramp[::-1]
    return x


def _noise_bed(noise, n, sr, levels_db, segment, rng):
    """``n`` samples of excerpts of the recordings, each at a level drawn from ``levels_db``."""
    bed = np.zeros(n, dtype=np.float64)
    fade = round(_FADE * sr)
    pos = 0
    while pos < n:
        length = min(n - pos, max(1, round(rng.uniform(*segment) * sr)))
        rec = noise[int(rng.randint(len(noise)))]
        start = int(rng.randint(len(rec)))
        idx = (start + np.arange(length + fade)) % len(rec)  # loops over a short recording
        piece = rec[idx].astype(np.float64)
        piece -= piece.mean()
        rms = np.sqrt(np.mean(piece ** 2))
        if rms > 0:
            piece *= 10 ** (rng.uniform(*levels_db) / 20) / rms
        piece = _fade(piece, fade)
        stop = min(n, pos + len(piece))
        bed[pos:stop] += piece[:stop - pos]  # overlapping fades: a short crossfade
        pos += length
    return bed


def make_command_stream(clips: Sequence[ArrayLike] | np.ndarray, labels: ArrayLike, *, sr: int,
                        commands: Sequence[str] | None = None,
                        noise: Sequence[ArrayLike] | None = None,
                        noise_db: float | tuple[float, float] = -50.0,
                        noise_segment: tuple[float, float] = (5.0, 20.0),
                        gain_db: float | tuple[float, float] = 0.0,
                        snr_db: float | tuple[float, float] | None = None,
                        gap: float | tuple[float, float] = (1.0, 3.0), lead: float = 3.0,
                        top_db: float = 25.0, shuffle: bool = True,
                        random_state: int | np.random.RandomState | None = None
                        ) -> tuple[np.ndarray, list[StreamEvent]]:
    """Build a long test stream of words at known times over background noise.

    Each clip is added once (in a random order with ``shuffle``) at its own
    gain, separated from the next by a random gap, over a noise bed made of
    excerpts of the ``noise`` recordings at random offsets, each excerpt at its
    own level. The truth is the loud part of each clip where it was placed: an
    event runs from the first to the last 10 ms frame within ``top_db`` of the
    clip's loudest frame. To reuse clips (at other gains, over other noise),
    pass them more than once.

    Parameters
    ----------
    clips : list of ndarray of shape (n_samples,) or ndarray of shape (n_clips, n_samples)
        The utterances, at ``sr``.
    labels : array-like of shape (n_clips,), str
        The word said in each clip.
    sr : int
        Sample rate of the clips, the noise and the stream.
    commands : sequence of str, default=None
        The labels a listener should report. None: every label that does not
        start with ``"_"`` (``"_unknown_"`` or ``"_silence_"`` are not commands).
    noise : list of ndarray of shape (n_samples,), default=None
        Background recordings at ``sr`` (e.g.
        :func:`~skspeech.datasets.background_noise` of a held-out subset);
        short ones are looped. None: digital silence between the words.
    noise_db : float or (float, float), default=-50.0
        RMS level of the noise in dB re full scale, or a range from which
        each excerpt draws its level.
    noise_segment : (float, float), default=(5.0, 20.0)
        Range of the excerpts' lengths in seconds (each from a random
        recording, at a random offset, joined by 5 ms crossfades).
    gain_db : float or (float, float), default=0.0
        Gain applied to each clip in dB, or a range from which each clip
        draws its gain.
    snr_db : float or (float, float), default=None
        Place each clip at this signal-to-noise ratio instead (a range: each
        clip draws its own): its gain makes the RMS of its word (the loud
        part, as for the events) this many dB above the RMS of the noise
        under it. Needs ``noise`` and ``gain_db=0``. None: ``gain_db``
        decides.
    gap : float or (float, float), default=(1.0, 3.0)
        Seconds from the end of one clip to the start of the next, or a range
        to draw from.
    lead : float, default=3.0
        Seconds of noise before the first clip and after the last (time for a
        listener to learn the noise floor).
    top_db : float, default=25.0
        How far below a clip's loudest frame its word still extends, in dB.
    shuffle : bool, default=True
        Place the clips in a random order; False keeps the given order.
    random_state : int, RandomState instance or None, default=None
        Seed for the order, gaps, gains and noise.

    Returns
    -------
    stream : ndarray of shape (n_samples,), float32
        The stream, clipped to [-1, 1].
    events : list of StreamEvent
        One ``(onset, offset, label, is_command, clip)`` per clip, in time
        order.

    See Also
    --------
    score_detections : Hits, false alarms per hour and delay of a listener on the stream.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.streaming import make_command_stream
    >>> sr = 8000
    >>> word = np.zeros(sr, dtype="float32")
    >>> word[2000:6000] = 0.3 * np.sin(np.arange(4000) * 0.3)
    >>> stream, events = make_command_stream([word, word], ["yes", "_unknown_"], sr=sr,
    ...                                      gap=1.0, lead=2.0, shuffle=False)
    >>> len(stream) / sr
    7.0
    >>> [(e.onset, e.offset, e.label, e.is_command) for e in events]
    [(2.25, 2.75, 'yes', True), (4.25, 4.75, '_unknown_', False)]
    """
    sr = check_sr(sr)
    if isinstance(clips, np.ndarray) and clips.ndim == 2:
        clips = list(clips)
    if isinstance(clips, np.ndarray) or not hasattr(clips, "__len__"):
        raise ValueError("clips must be a list of 1-D arrays or a 2-D array (n_clips, "
                         f"n_samples); got {type(clips).__name__}"
                         + (f" of shape {clips.shape}" if isinstance(clips, np.ndarray) else "")
                         + ".")
    labels = np.asarray(labels, dtype=object).ravel() if not isinstance(labels, str) else None
    if labels is None or len(labels) != len(clips):
        raise ValueError(f"labels must hold one word per clip: got {len(clips)} clips and "
                         f"{'a string' if labels is None else len(labels)} labels.")
    if len(clips) == 0:
        raise ValueError("clips is empty: a stream needs at least one clip.")
    bad = [i for i, w in enumerate(labels) if not isinstance(w, (str, np.str_))]
    if bad:
        raise ValueError(f"labels must be strings (words); label {bad[0]} is {labels[bad[0]]!r}.")
    labels = labels.astype(str)
    checked = []
    for i, x in enumerate(clips):
        x = np.asarray(x)
        if x.ndim != 1 or x.size == 0 or not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"clips[{i}] must be a non-empty 1-D array of samples; got shape "
                             f"{x.shape} and dtype {x.dtype}.")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"clips[{i}] holds NaN or infinite samples.")
        checked.append(x)
    if commands is None:
        is_command = np.array([is_a_command(w) for w in labels], dtype=bool)
    else:
        if isinstance(commands, str) or not all(isinstance(c, str) for c in commands):
            raise ValueError(f"commands must be a list of words (strings); got {commands!r}.")
        is_command = np.isin(labels, list(commands))
    if noise is not None:
        noise = [noise] if isinstance(noise, np.ndarray) and noise.ndim == 1 else list(noise)
        for i, rec in enumerate(noise):
            rec = np.asarray(rec)
            if rec.ndim != 1 or rec.size < sr // 10 or not np.all(np.isfinite(rec)):
                raise ValueError(f"noise[{i}] must be a finite 1-D recording of at least 0.1 s "
                                 f"({sr // 10} samples at sr={sr}); got shape {rec.shape}.")
        if not noise:
            raise ValueError("noise is an empty list; pass recordings or None for silence.")
    noise_db = _pair(noise_db, "noise_db", high=0.0, unit="dB")
    segment = _pair(noise_segment, "noise_segment", low=0.01, unit="seconds")
    gain_db = _pair(gain_db, "gain_db", low=-120.0, high=60.0, unit="dB")
    if snr_db is not None:
        if noise is None:
            raise ValueError("snr_db sets each clip's level from the noise under it, but noise "
                             "is None; pass noise recordings or leave snr_db=None.")
        if gain_db != (0.0, 0.0):
            raise ValueError(f"Give gain_db or snr_db, not both: snr_db sets each clip's gain; "
                             f"got gain_db={gain_db} and snr_db={snr_db!r}.")
        snr_db = _pair(snr_db, "snr_db", low=-30.0, high=60.0, unit="dB")
    gap = _pair(gap, "gap", low=0.0, unit="seconds")
    lead = _pair(lead, "lead", low=0.0, unit="seconds")[0]
    if not (isinstance(top_db, Real) and top_db > 0):
        raise ValueError(f"top_db must be a positive number of dB; got {top_db!r}.")
    rng = check_random_state(random_state)

    order = rng.permutation(len(checked)) if shuffle else np.arange(len(checked))
    gaps = rng.uniform(*gap, size=len(checked))
    gains = 10 ** (rng.uniform(*gain_db, size=len(checked)) / 20)
    snrs = None if snr_db is None else rng.uniform(*snr_db, size=len(checked))
    n_lead = round(lead * sr)
    starts, pos = [], n_lead
    for k, i in enumerate(order):
        starts.append(pos)
        pos += len(checked[i])
        if k + 1 < len(order):
            pos += round(gaps[k] * sr)
    n_total = pos + n_lead
    if noise is None:
        stream = np.zeros(n_total, dtype=np.float64)
    else:
        stream = _noise_bed(noise, n_total, sr, noise_db, segment, rng)
    frame = max(1, round(_FRAME * sr))
    fade = round(_FADE * sr)
    events = []
    for k, (start, i, g) in enumerate(zip(starts, order, gains)):
        x = checked[i].astype(np.float64)
        if snrs is not None:  # the word's RMS snr dB above the noise's under it
            a, b = _extent(x, frame, float(top_db))
            word = np.sqrt(np.mean(np.square(x[a:b])))
            under = np.sqrt(np.mean(np.square(stream[start + a:start + b])))
            g = 10 ** (snrs[k] / 20) * under / word if word > 0 and under > 0 else 1.0
        x = _fade(x * g, fade)
        stream[start:start + len(x)] += x
        first, last = _extent(x, frame, float(top_db))
        events.append(StreamEvent(round((start + first) / sr, 6), round((start + last) / sr, 6),
                                  str(labels[i]), bool(is_command[i]), int(i)))
    return np.clip(stream, -1.0, 1.0).astype(np.float32), events
