"""WaveAugmenter: random shift, noise at an SNR, speed, tempo, pitch and gain on waveforms."""

import os
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
import scipy.fft
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .._validation import _is_ragged_input, check_audio, check_sr

__all__ = ["WaveAugmenter"]


def _range(value, name):
    """A (low, high) pair from a pair or None."""
    if value is None:
        return None
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of numbers, or None; "
                         f"got {value!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{name} must be a (low, high) pair of finite numbers; got {value!r}.")
    if low > high:
        raise ValueError(f"{name} must be a (low, high) pair with low <= high; got {value!r}.")
    return low, high


def _change_rate(x, factor):
    """Play ``x`` ``factor`` times faster (speed: tempo and pitch both change)."""
    if abs(factor - 1.0) < 1e-3:
        return x
    up = 100
    down = int(round(up * factor))
    from ..preprocessing._resample import polyphase

    return polyphase(x, up, down).astype(np.float32)


def _stretch(x, factor, frame):
    """WSOLA time stretch: ``factor`` times faster, pitch kept (tempo change).

    Each output frame is taken near its nominal input position, at the offset
    (within half a hop) that best continues the previous frame, so that the
    overlap-added waveform keeps its phase (no phasing, no pitch drift).
    """
    if abs(factor - 1.0) < 1e-3 or len(x) < 2 * frame:
        return x
    hop = frame // 2
    tol = hop // 2
    n_frames = max(1, int(round((len(x) / factor - frame) / hop)) + 1)
    win = np.hanning(frame).astype(np.float32)
    xp = np.concatenate([np.zeros(tol, x.dtype), x, np.zeros(2 * frame + 2 * tol, x.dtype)])
    starts = np.empty(n_frames, dtype=np.intp)
    prev = None
    for i in range(n_frames):
        nominal = int(round(i * hop * factor)) + tol
        if prev is None:
            start = nominal
        else:
            target = xp[prev + hop:prev + hop + frame]
            region = xp[nominal - tol:nominal + tol + frame]
            corr = np.correlate(region, target, mode="valid")
            start = nominal - tol + int(np.argmax(corr))
        starts[i] = prev = start
    if frame == 2 * hop:  # overlap-add at once: frame i covers hops i and i + 1
        segs = xp[starts[:, None] + np.arange(frame)] * win
        out = np.zeros((n_frames + 1, hop), np.float32)
        norm = np.zeros_like(out)
        out[:-1] += segs[:, :hop]
        out[1:] += segs[:, hop:]
        norm[:-1] += win[:hop]
        norm[1:] += win[hop:]
        out, norm = out.ravel(), norm.ravel()
    else:  # an odd frame reaches one sample into a third hop
        out = np.zeros(hop * (n_frames - 1) + frame, np.float32)
        norm = np.zeros_like(out)
        for i, start in enumerate(starts):
            out[i * hop:i * hop + frame] += xp[start:start + frame] * win
            norm[i * hop:i * hop + frame] += win
    return out / np.maximum(norm, 1e-3)


def _fit_length(x, n):
    """Trim or zero-pad ``x`` at the end to ``n`` samples."""
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros(n - len(x), x.dtype)])


@lru_cache(maxsize=32)
def _eq_grid(n_fft, sr, n_bands):
    """Log frequencies of an ``n_fft`` spectrum (clipped to the anchors) and of the anchors."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    anchors = np.geomspace(100.0, sr / 2.0, n_bands)
    return np.log(np.clip(freqs, anchors[0], anchors[-1])), np.log(anchors)


def _random_eq(x, sr, gain_range, rng, n_bands=6):
    """Colour ``x`` as a random microphone would: a smooth, zero-phase gain curve.

    ``n_bands`` gains drawn from ``gain_range`` dB at log-spaced frequencies
    from 100 Hz to ``sr / 2``, joined linearly in dB over log frequency
    (flat below the first and above the last), applied in the frequency
    domain.
    """
    n = len(x)
    if n < 2:
        return x
    n_fft = scipy.fft.next_fast_len(n + min(n, 512), real=True)
    log_freqs, log_anchors = _eq_grid(n_fft, sr, n_bands)
    gains = rng.uniform(*gain_range, size=n_bands)
    curve = np.interp(log_freqs, log_anchors, gains)
    spec = scipy.fft.rfft(x, n_fft) * (10.0 ** (curve / 20.0))
    return scipy.fft.irfft(spec, n_fft)[:n].astype(np.float32)


def _coloured_noise(n, exponent, rng):
    """Noise with power spectrum ~ 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.arange(n // 2 + 1, dtype=np.float64)
    f[0] = 1.0
    noise = np.fft.irfft(spec / f ** (exponent / 2), n)
    return (noise / (np.std(noise) + 1e-12)).astype(np.float32)


def _babble_bank(clips, sr, rng, *, n_tracks=4, seconds=30.0, voices=(3, 7), reverse=0.5):
    """Babble recordings made of clips, for :class:`WaveAugmenter`'s ``babble``.

    Each of the ``n_tracks`` tracks sums 3-7 voices; a voice is a chain of
    random clips (each reversed with chance ``reverse``, so that most of the
    babble says no word), every clip brought to the same RMS, the voice at a
    random gain within +-6 dB. ``clips``: 1-D arrays at ``sr``. None when no
    clip has sound.
    """
    clips = [np.asarray(c, dtype=np.float32) for c in clips]
    clips = [c / np.float32(np.sqrt(np.mean(c.astype(np.float64) ** 2)))
             for c in clips if len(c) and np.any(c)]
    if not clips:
        return None
    n = int(seconds * sr)
    bank = []
    for _ in range(n_tracks):
        track = np.zeros(n, np.float32)
        for _ in range(int(rng.integers(voices[0], voices[1] + 1))):
            voice, length = [np.zeros(int(rng.integers(sr)), np.float32)], 0
            while length < n:
                c = clips[int(rng.integers(len(clips)))]
                voice.append(c[::-1] if rng.random() < reverse else c)
                length += len(c)
            gain = np.float32(10.0 ** (rng.uniform(-6.0, 6.0) / 20.0))
            track += np.concatenate(voice)[:n] * gain
        bank.append(track / np.float32(np.std(track) + 1e-12))
    return bank


def _cut(recording, n, rng):
    """``n`` samples from a random place of a recording (repeated if shorter)."""
    if len(recording) < n:
        recording = np.tile(recording, int(np.ceil(n / len(recording))))
    start = int(rng.integers(len(recording) - n + 1))
    return recording[start:start + n]


def _noise_recording(entry, sr):
    """A noise recording as a float32 array: an array as it is, a file path read at ``sr``."""
    if isinstance(entry, (str, os.PathLike)):
        from ..io import read_audio

        return read_audio(entry, sr=sr)[0].astype(np.float32, copy=False)
    return np.asarray(entry, dtype=np.float32)


class WaveAugmenter(BaseEstimator):
    """Random perturbations of waveforms, as a fit-only sampler.

    ``fit_resample(X, y)`` returns the clips followed by ``n_copies``
    perturbed copies of each (labels repeated), in the imbalanced-learn
    sampler API, so it runs only while fitting: in
    :class:`~skspeech.augment.AugmentedClassifier`, or in an
    ``imblearn.pipeline.Pipeline``. Each copy draws, independently, when
    the corresponding parameter is set:

    - speed: play ``speed`` times faster (tempo and pitch change together,
      as Kaldi's speed perturbation);
    - tempo: time-stretch by ``tempo``, pitch kept (WSOLA overlap-add);
    - pitch: shift by ``pitch`` semitones, duration kept;
    - shift: move the clip by up to ``shift`` seconds either way (zeros in);
    - gain: scale by ``gain`` dB;
    - eq: colour the clip as another microphone or room would: a smooth
      random gain curve over frequency, 6 gains drawn from ``eq`` dB at
      log-spaced frequencies from 100 Hz to ``sr / 2``;
    - noise: add noise at a signal-to-noise ratio drawn from ``snr`` dB,
      cut at random from the ``noise`` recordings (e.g. Speech Commands'
      ``_background_noise_``) or, without them, generated white, pink or
      brown noise; with ``babble``, a share of the noisy copies get babble
      made of the other clips being augmented instead.

    Equal-length input (a 2-D array) comes back at its length; a list of
    clips comes back as a list (speed and tempo change the lengths).

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the clips, in Hz.
    n_copies : int, default=1
        Perturbed copies per clip; the output has ``(1 + n_copies)`` times
        the clips (the originals first) or, with ``keep_original=False``,
        ``n_copies`` times. 0 returns the clips as they are (e.g. to
        compare with and without copies in ``GridSearchCV``).
    shift : float or None, default=0.1
        Largest time shift, in seconds.
    snr : (float, float) or None, default=(5.0, 30.0)
        Range of the signal-to-noise ratio in dB; None adds no noise.
    noise : list of ndarray or path, or None, default=None
        Noise recordings: 1-D arrays at ``sr``, or audio files (read and
        resampled to ``sr`` when fitting, so a saved model keeps only their
        paths), e.g. from
        :func:`~skspeech.datasets.background_noise`; None generates
        coloured noise.
    noise_prob : float, default=0.8
        Chance that a copy gets noise.
    generated_noise : float, default=0.0
        With ``noise`` recordings: the share of the noisy copies that get
        generated noise instead, of a colour drawn anew each time (power
        spectrum ``1/f**b``, ``b`` from 0, white, to 2, brown): more kinds of
        noise than a few recordings hold. Without recordings every noisy
        copy gets generated noise (white, pink or brown).
    babble : float, default=0.0
        The share of the noisy copies that get babble instead: several
        voices talking at once, made when fitting from the clips being
        augmented (4 tracks of 30 s, each 3-7 voices of chained clips, half
        of them reversed), so that the model hears speech-like noise that
        is not a command; the tracks are not saved with the model.
    speed : (float, float) or None, default=(0.9, 1.1)
        Range of the speed factor (within 0.25-4).
    tempo : (float, float) or None, default=None
        Range of the tempo factor (within 0.25-4).
    pitch : (float, float) or None, default=None
        Range of the pitch shift, in semitones (within -12..12).
    gain : (float, float) or None, default=(-6.0, 6.0)
        Range of the gain, in dB.
    eq : (float, float) or None, default=None
        Range of the random equaliser's gains, in dB (e.g. ``(-8, 8)``);
        None leaves the spectrum's shape alone.
    keep_original : bool, default=True
        Return the original clips too.
    random_state : int, RandomState instance or None, default=None
        Seeds every draw: the same seed gives the same copies.

    See Also
    --------
    AugmentedClassifier : Fit any classifier on the augmented clips.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.augment import WaveAugmenter
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((4, 8000)).astype("float32")
    >>> y = np.array(["a", "a", "b", "b"])
    >>> Xa, ya = WaveAugmenter(sr=8000, n_copies=2, random_state=0).fit_resample(X, y)
    >>> Xa.shape, ya.tolist()
    ((12, 8000), ['a', 'a', 'b', 'b', 'a', 'a', 'b', 'b', 'a', 'a', 'b', 'b'])
    >>> bool(np.array_equal(Xa[:4], X))
    True
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_copies": [Interval(Integral, 0, None, closed="left")],
        "shift": [Interval(Real, 0, None, closed="left"), None],
        "snr": [tuple, list, None],
        "noise": [list, tuple, None],
        "noise_prob": [Interval(Real, 0, 1, closed="both")],
        "generated_noise": [Interval(Real, 0, 1, closed="both")],
        "babble": [Interval(Real, 0, 1, closed="both")],
        "speed": [tuple, list, None],
        "tempo": [tuple, list, None],
        "pitch": [tuple, list, None],
        "gain": [tuple, list, None],
        "eq": [tuple, list, None],
        "keep_original": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, sr=16000, *, n_copies=1, shift=0.1, snr=(5.0, 30.0), noise=None,
                 noise_prob=0.8, generated_noise=0.0, babble=0.0, speed=(0.9, 1.1), tempo=None,
                 pitch=None, gain=(-6.0, 6.0), eq=None, keep_original=True, random_state=None):
        self.sr = sr
        self.n_copies = n_copies
        self.shift = shift
        self.snr = snr
        self.noise = noise
        self.noise_prob = noise_prob
        self.generated_noise = generated_noise
        self.babble = babble
        self.speed = speed
        self.tempo = tempo
        self.pitch = pitch
        self.gain = gain
        self.eq = eq
        self.keep_original = keep_original
        self.random_state = random_state

    def _check_ranges(self, *, read_files=True):
        """The ranges as pairs and the noise recordings as arrays, checked.

        With ``read_files=False`` noise files are left unread (their entries
        come back as None): for checks before the copies are made, so that a
        recording is read once, when it is mixed in.
        """
        ranges = {name: _range(getattr(self, name), name)
                  for name in ("snr", "speed", "tempo", "pitch", "gain", "eq")}
        for name in ("speed", "tempo"):
            if ranges[name] is not None and not (0.25 <= ranges[name][0]
                                                 and ranges[name][1] <= 4.0):
                raise ValueError(f"{name} factors must be within 0.25-4 (1 is unchanged; "
                                 f"0.8-1.25 is already a large change); got "
                                 f"{getattr(self, name)!r}.")
        if ranges["pitch"] is not None and max(map(abs, ranges["pitch"])) > 12:
            raise ValueError(f"pitch shifts must be within -12..12 semitones (an octave); got "
                             f"{self.pitch!r}.")
        if self.n_copies == 0 and not self.keep_original:
            raise ValueError("n_copies=0 with keep_original=False leaves no clips; keep the "
                             "originals or ask for copies.")
        noise = None
        if self.noise is not None:
            noise = [None if not read_files and isinstance(n, (str, os.PathLike))
                     else _noise_recording(n, self.sr) for n in self.noise]
            arrays = [n for n in noise if n is not None]
            if any(n.ndim != 1 for n in arrays):
                raise ValueError(f"noise must be a list of 1-D noise recordings (mono, at "
                                 f"sr={self.sr} Hz); got shapes "
                                 f"{[n.shape for n in arrays]}.")
            if not noise or any(len(n) == 0 or not np.all(np.isfinite(n)) for n in arrays):
                raise ValueError("noise must be a non-empty list of finite 1-D noise recordings "
                                 f"at sr={self.sr} Hz; got {len(noise)} recording(s), some "
                                 "empty or not finite.")
        return ranges, noise

    def _babble_bank(self, n_clips, read, seed):
        """The babble tracks (see ``babble``) made of up to 600 of the ``n_clips`` clips that
        ``read(indices)`` returns, drawn with ``seed``; None without babble."""
        if not self.babble or self.snr is None or not self.n_copies:
            return None
        pick = np.sort(np.random.default_rng([int(seed), 7]).permutation(n_clips)[:600])
        return _babble_bank(read(pick), self.sr, np.random.default_rng([int(seed), 7]))

    def _augment_one(self, x, rng, ranges, noise, babble=None):
        n = len(x)
        if ranges["speed"] is not None:
            x = _change_rate(x, rng.uniform(*ranges["speed"]))
        frame = max(16, int(0.032 * self.sr))
        if ranges["tempo"] is not None:
            x = _stretch(x, rng.uniform(*ranges["tempo"]), frame)
        if ranges["pitch"] is not None:
            factor = 2.0 ** (rng.uniform(*ranges["pitch"]) / 12.0)
            x = _fit_length(_stretch(_change_rate(x, factor), 1.0 / factor, frame), len(x))
        if self.shift:
            k = int(rng.integers(-int(self.shift * self.sr), int(self.shift * self.sr) + 1))
            if k > 0:
                x = np.concatenate([np.zeros(k, x.dtype), x])
            elif k < 0:
                x = np.concatenate([x[-k:], np.zeros(-k, x.dtype)])
        x = _fit_length(x, n) if self._equal_length else x[:max(len(x), 1)]
        if ranges["gain"] is not None:
            x = x * np.float32(10.0 ** (rng.uniform(*ranges["gain"]) / 20.0))
        if ranges["eq"] is not None:
            x = _random_eq(x, self.sr, ranges["eq"], rng)
        if ranges["snr"] is not None and rng.random() < self.noise_prob:
            if babble is not None and rng.random() < self.babble:
                nz = _cut(babble[int(rng.integers(len(babble)))], len(x), rng)
            elif noise is None:
                nz = _coloured_noise(len(x), float(rng.choice([0.0, 1.0, 2.0])), rng)
            elif self.generated_noise and rng.random() < self.generated_noise:
                nz = _coloured_noise(len(x), float(rng.uniform(0.0, 2.0)), rng)
            else:
                nz = _cut(noise[int(rng.integers(len(noise)))], len(x), rng)
            p_sig = float(np.mean(x.astype(np.float64) ** 2))
            p_noise = float(np.mean(nz.astype(np.float64) ** 2)) + 1e-20
            snr = rng.uniform(*ranges["snr"])
            x = x + nz * np.float32(np.sqrt(p_sig / p_noise / 10.0 ** (snr / 10.0)))
        return x.astype(np.float32)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the clips; nothing is learned (imblearn's sampler API).

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of ndarray
            Waveforms at ``sr``.
        y : array-like of shape (n_clips,), default=None
            Labels.

        Returns
        -------
        self : WaveAugmenter
        """
        check_sr(self.sr)
        self._check_ranges(read_files=False)
        check_audio(X, estimator=self, reset=True, name="X", silent="raise")
        if y is not None:
            check_consistent_length(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Return the clips and their perturbed copies.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of ndarray
            Waveforms at ``sr``.
        y : array-like of shape (n_clips,)
            Labels.

        Returns
        -------
        X_resampled : ndarray of shape (n_out, n_samples) or list of ndarray
            The originals (with ``keep_original``) then copy 1 of every
            clip, copy 2, ...
        y_resampled : ndarray of shape (n_out,)
            The labels, in the same order.
        """
        check_sr(self.sr)
        ranges, noise = self._check_ranges()
        X = check_audio(X, estimator=None, name="X", silent="raise")
        y = column_or_1d(np.asarray(y), warn=True)
        check_consistent_length(X, y)
        self._equal_length = not _is_ragged_input(X)
        seed = check_random_state(self.random_state).randint(2 ** 31)
        rng = np.random.default_rng(seed)
        babble = self._babble_bank(len(X), lambda pick: [X[i] for i in pick], seed)
        copies = [self._augment_one(np.asarray(x), rng, ranges, noise, babble)
                  for _ in range(self.n_copies) for x in X]
        originals = list(X) if self.keep_original else []
        y_out = np.concatenate([y] * (self.n_copies + int(self.keep_original)))
        if self._equal_length:
            parts = ([np.asarray(X, dtype=np.float32)] if self.keep_original else [])
            return np.concatenate(parts + ([np.stack(copies)] if copies else [])), y_out
        return originals + copies, y_out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
