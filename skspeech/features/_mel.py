"""Mel filterbank front ends: log-mel spectrogram and MFCC.

The numbers follow ``python_speech_features`` (psf) 0.6 ``mfcc`` / ``logfbank``
exactly (framing, zero padding of the last frame, filterbank bin positions,
1/NFFT power scaling, zero-to-eps log floor, orthonormal DCT-II, lifter, log
energy in c0), but a whole batch is computed at once: every frame of every
clip is gathered from one strided view, then one real FFT, one matrix product
with the (cached) filterbank and one with the (cached) DCT, in float32.
"""

import decimal
import warnings
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import check_audio

# psf floors zero energies to float64 eps before the log.
_EPS = np.finfo(np.float64).eps
# Frames per FFT block: bounds the temporary memory (about 4 MB of frames and
# 4 MB of spectrum at the defaults) and keeps the blocks in cache.
_BLOCK_FRAMES = 4096


def _round_half_up(number):
    """Round as psf's ``sigproc.round_half_up`` (exact decimal rounding of the float)."""
    return int(decimal.Decimal(number).quantize(decimal.Decimal("1"),
                                                rounding=decimal.ROUND_HALF_UP))


def _hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None):
    """Triangular mel filters as psf's ``get_filterbanks`` builds them.

    Filter edges are equally spaced on the mel scale (HTK formula
    ``2595 log10(1 + f / 700)``) and then floored to FFT bins with
    ``floor((n_fft + 1) * f / sr)``; the triangles are not area-normalised.

    Parameters
    ----------
    sr : int
        Sample rate in Hz.
    n_fft : int
        FFT size.
    n_mels : int
        Number of filters.
    fmin : float, default=0.0
        Lowest band edge in Hz.
    fmax : float, default=None
        Highest band edge in Hz; ``None`` means ``sr / 2``.

    Returns
    -------
    fb : ndarray of shape (n_mels, n_fft // 2 + 1)
        One filter per row, float64.

    Examples
    --------
    >>> fb = mel_filterbank(8000, 512, 26)
    >>> fb.shape, float(fb.max())
    ((26, 257), 1.0)
    """
    fmax = sr / 2 if fmax is None else fmax
    mel_points = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2)
    bins = np.floor((n_fft + 1) * _mel_to_hz(mel_points) / sr)
    k = np.arange(n_fft // 2 + 1, dtype=np.float64)[np.newaxis, :]
    lo, mid, hi = bins[:-2, np.newaxis], bins[1:-1, np.newaxis], bins[2:, np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = np.where((k >= lo) & (k < mid), (k - lo) / (mid - lo), 0.0)
        falling = np.where((k >= mid) & (k < hi), (hi - k) / (hi - mid), 0.0)
    return rising + falling


@lru_cache(maxsize=32)
def _frontend_matrices(sr, n_fft, n_mels, fmin, fmax, with_energy, n_mfcc, lifter):
    """Filterbank (with the 1/n_fft scaling and an optional energy column) and
    liftered DCT matrix, float32, read-only; cached per parameter set."""
    fb = mel_filterbank(sr, n_fft, n_mels, fmin, fmax)
    cols = [fb.T]
    if with_energy:
        cols.append(np.ones((fb.shape[1], 1)))
    fb_mat = np.ascontiguousarray(np.hstack(cols) / n_fft, dtype=np.float32)
    fb_mat.flags.writeable = False
    dct_mat = None
    if n_mfcc is not None:
        # Orthonormal DCT-II as scipy.fftpack.dct(type=2, norm="ortho"), as columns.
        n = np.arange(n_mels)
        k = np.arange(n_mfcc)
        dct = np.cos(np.pi * (2 * n[:, np.newaxis] + 1) * k[np.newaxis, :] / (2 * n_mels))
        dct *= np.sqrt(2.0 / n_mels)
        dct[:, 0] /= np.sqrt(2.0)
        if lifter > 0:
            dct *= 1 + (lifter / 2.0) * np.sin(np.pi * k / lifter)
        dct_mat = np.ascontiguousarray(dct, dtype=np.float32)
        dct_mat.flags.writeable = False
    return fb_mat, dct_mat, bool((fb.sum(axis=1) == 0).any())


@lru_cache(maxsize=8)
def _window(name, length):
    # numpy's symmetric windows, i.e. psf's ``winfunc=numpy.hamming`` / ``numpy.hanning``.
    win = {"hann": np.hanning, "hamming": np.hamming}[name](length).astype(np.float32)
    win.flags.writeable = False
    return win


def _n_frames(n_samples, win_length, hop_length):
    """psf's frame count: 1 + ceil((n - win) / hop), at least 1."""
    n_samples = np.asarray(n_samples, dtype=np.int64)
    extra = np.maximum(n_samples - win_length, 0)
    return 1 + (extra + hop_length - 1) // hop_length


def _frame_signals(X, win_length, hop_length, preemphasis):
    """Pre-emphasise and zero-pad the clips into one flat buffer.

    Returns ``(buffer, starts, n_frames)``: frame ``j`` is
    ``buffer[starts[j]:starts[j] + win_length]``, and clip ``i`` has
    ``n_frames[i]`` consecutive frames.
    """
    if isinstance(X, list):
        lengths = np.fromiter((len(x) for x in X), dtype=np.int64, count=len(X))
        flat = np.concatenate(X)
        clip_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        emph = flat.copy()
        if preemphasis:
            emph[1:] -= np.float32(preemphasis) * flat[:-1]
            emph[clip_starts] = flat[clip_starts]
        n_frames = _n_frames(lengths, win_length, hop_length)
        padded = (n_frames - 1) * hop_length + win_length
        buf_starts = np.concatenate(([0], np.cumsum(padded)[:-1]))
        if np.array_equal(padded, lengths):
            buffer = emph
        else:
            buffer = np.zeros(int(padded.sum()), dtype=np.float32)
            buffer[np.arange(flat.size) + np.repeat(buf_starts - clip_starts, lengths)] = emph
    else:
        n_clips, n_samples = X.shape
        emph = X.copy()
        if preemphasis:
            emph[:, 1:] -= np.float32(preemphasis) * X[:, :-1]
        nf = int(_n_frames(n_samples, win_length, hop_length))
        padded_len = (nf - 1) * hop_length + win_length
        if padded_len > n_samples:
            buffer = np.zeros((n_clips, padded_len), dtype=np.float32)
            buffer[:, :n_samples] = emph
        else:
            buffer = emph
        buffer = buffer.reshape(-1)
        n_frames = np.full(n_clips, nf, dtype=np.int64)
        buf_starts = np.arange(n_clips, dtype=np.int64) * padded_len
    total = int(n_frames.sum())
    frame_offsets = np.concatenate(([0], np.cumsum(n_frames)[:-1]))
    within = np.arange(total, dtype=np.int64) - np.repeat(frame_offsets, n_frames)
    starts = np.repeat(buf_starts, n_frames) + within * hop_length
    return buffer, starts, n_frames


def _log_mel_frames(X, *, sr, n_fft, win_length, hop_length, n_mels, fmin, fmax,
                    preemphasis, window, n_mfcc=None, lifter=0, log_energy=False):
    """Features of all frames of all clips, stacked: (n_total_frames, n_coeffs)."""
    buffer, starts, n_frames = _frame_signals(X, win_length, hop_length, preemphasis)
    with_energy = n_mfcc is not None and log_energy
    fb_mat, dct_mat, _ = _frontend_matrices(sr, n_fft, n_mels, float(fmin),
                                            None if fmax is None else float(fmax),
                                            with_energy, n_mfcc, float(lifter))
    win = None if window == "rect" else _window(window, win_length)
    all_frames = sliding_window_view(buffer, win_length)
    n_out = n_mels if n_mfcc is None else n_mfcc
    total = len(starts)
    out = np.empty((total, n_out), dtype=np.float32)
    width = min(win_length, n_fft)  # longer frames are truncated to n_fft (as psf)
    block = np.zeros((min(_BLOCK_FRAMES, total), n_fft), dtype=np.float32)
    for lo in range(0, total, _BLOCK_FRAMES):
        hi = min(lo + _BLOCK_FRAMES, total)
        frames = block[:hi - lo]
        # Gather the frames of this block into the zero-padded FFT buffer.
        frames[:, :width] = all_frames[starts[lo:hi], :width]
        if win is not None:
            frames[:, :width] *= win[:width]
        spec = scipy.fft.rfft(frames, axis=1)
        power = np.square(spec.real)
        power += np.square(spec.imag)
        mel = power @ fb_mat
        mel[mel == 0] = _EPS
        np.log(mel, out=mel)
        if n_mfcc is None:
            out[lo:hi] = mel
        else:
            np.matmul(mel[:, :n_mels], dct_mat, out=out[lo:hi])
            if with_energy:
                out[lo:hi, 0] = mel[:, n_mels]
    return out, n_frames


_SHARED_PARAMS = """sr : int, default=16000
        Sample rate of the clips in Hz.
    n_fft : int, default=512
        FFT size. Frames are zero-padded to it (or truncated, with a warning,
        when ``win_length`` is larger, as in python_speech_features).
    win_length : int, default=None
        Frame length in samples; ``None`` means 25 ms, i.e.
        ``round_half_up(0.025 * sr)`` (400 at 16 kHz, 200 at 8 kHz).
    hop_length : int, default=None
        Step between frames in samples; ``None`` means 10 ms
        (``round_half_up(0.01 * sr)``).
    n_mels : int, default=26
        Number of triangular mel filters.
    fmin : float, default=0.0
        Lowest filter edge in Hz.
    fmax : float, default=None
        Highest filter edge in Hz, at most ``sr / 2``; ``None`` means ``sr / 2``.
    preemphasis : float, default=0.97
        Coefficient of the pre-emphasis filter ``y[t] = x[t] - a x[t-1]``
        applied to each clip before framing; 0 turns it off.
    window : {"rect", "hann", "hamming"}, default="rect"
        Analysis window. "rect" (no window) is python_speech_features'
        default; "hann" and "hamming" are numpy's symmetric windows (psf's
        ``winfunc=numpy.hanning`` / ``numpy.hamming``)."""

_FRAMING_NOTE = """Frames start every ``hop_length`` samples; a clip of ``n`` samples gives
    ``1 + ceil((n - win_length) / hop_length)`` frames (1 when it is shorter
    than a window), the last one padded with zeros. The power spectrum
    ``|rfft|^2 / n_fft`` of each frame is summed by the mel filters and logged
    (zero energies are floored to float64 eps, ``log(eps) = -36.04``)."""


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__ % {"shared_params": _SHARED_PARAMS,
                                 "framing_note": _FRAMING_NOTE}
    return cls


class _MelFrontend(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Shared parameters, checks and transform of MFCC and LogMelSpectrogram."""

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "win_length": [Interval(Integral, 1, None, closed="left"), None],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "preemphasis": [Interval(Real, 0, 1, closed="both")],
        "window": [StrOptions({"rect", "hann", "hamming"})],
    }

    def _resolved_params(self):
        """Check the parameters together; return the effective framing values."""
        name = type(self).__name__
        sr = int(self.sr)
        win = _round_half_up(0.025 * sr) if self.win_length is None else int(self.win_length)
        hop = _round_half_up(0.01 * sr) if self.hop_length is None else int(self.hop_length)
        fmax = sr / 2 if self.fmax is None else float(self.fmax)
        if fmax > sr / 2:
            raise ValueError(
                f"{name}(fmax={self.fmax}) is above the Nyquist frequency sr / 2 = {sr / 2:g} Hz "
                f"for sr={sr}; lower fmax, leave it as None (= sr / 2) or check that sr is the "
                "clips' real sample rate."
            )
        if self.fmin >= fmax:
            raise ValueError(
                f"{name}(fmin={self.fmin}) must be below fmax = {fmax:g} Hz; lower fmin or "
                "raise fmax."
            )
        n_mfcc = self._n_mfcc_param()
        if n_mfcc is not None and n_mfcc > self.n_mels:
            raise ValueError(
                f"{name}(n_mfcc={n_mfcc}) cannot exceed n_mels={self.n_mels}: the cepstrum has "
                "one coefficient per mel filter at most. Lower n_mfcc or raise n_mels."
            )
        if win > self.n_fft:
            warnings.warn(
                f"{name}: the frame length ({win} samples = win_length, 25 ms at sr={sr} when "
                f"None) is greater than n_fft={self.n_fft}, so frames are truncated to n_fft "
                "samples (as python_speech_features does). Raise n_fft (e.g. to "
                f"{1 << (win - 1).bit_length()}) to avoid.",
                UserWarning, stacklevel=3,
            )
        *_, empty = _frontend_matrices(sr, int(self.n_fft), int(self.n_mels), float(self.fmin),
                                       None if self.fmax is None else float(self.fmax),
                                       False, None, 0.0)
        if empty:
            warnings.warn(
                f"{name}: some of the n_mels={self.n_mels} mel filters cover no FFT bin at "
                f"sr={sr}, n_fft={self.n_fft}, so they always output log(eps) = -36. Lower "
                "n_mels or raise n_fft.", UserWarning, stacklevel=3,
            )
        return win, hop

    def _n_mfcc_param(self):
        return None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and ``X``; nothing is learned.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at ``sr``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._resolved_params()
        check_audio(X, estimator=self, reset=True, silent="raise")
        return self

    def transform(self, X):
        """Compute the features of every clip.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at ``sr``.

        Returns
        -------
        frames : ndarray of shape (n_clips, n_frames, n_coeffs) or list of ndarray
            Float32 features, time-major. For a list of clips, a list of
            ``(n_frames_i, n_coeffs)`` arrays (no padding).
        """
        self._validate_params()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # already warned by fit
            win, hop = self._resolved_params()
        X = check_audio(X, estimator=self, silent="warn")
        out, n_frames = _log_mel_frames(
            X, sr=int(self.sr), n_fft=int(self.n_fft), win_length=win, hop_length=hop,
            n_mels=int(self.n_mels), fmin=self.fmin, fmax=self.fmax,
            preemphasis=float(self.preemphasis), window=self.window,
            **self._mfcc_kwargs(),
        )
        if isinstance(X, list):
            return np.split(out, np.cumsum(n_frames)[:-1])
        return out.reshape(len(X), int(n_frames[0]), out.shape[1])

    def _mfcc_kwargs(self):
        return {}

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


@_fill_doc
class LogMelSpectrogram(_MelFrontend):
    """Log mel filterbank energies of each frame (python_speech_features ``logfbank``).

    The spectrum of each short frame is summed by ``n_mels`` triangular
    filters spaced evenly on the mel scale, then logged. Unlike MFCC, the
    filter outputs are kept as they are: neighbouring coefficients are
    strongly correlated, which suits convolutional networks that look at
    the time-frequency picture; MFCC decorrelates and compresses them with
    a DCT, which suits diagonal-covariance models (HMM/GMM) and linear
    classifiers.

    %(framing_note)s

    With the default parameters the output equals
    ``python_speech_features.logfbank(x, sr)`` (to float32 precision), but
    the whole batch is computed at once.

    Parameters
    ----------
    %(shared_params)s

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in ``fit`` (2-D input only).

    See Also
    --------
    MFCC : Mel-frequency cepstral coefficients.
    Deltas : Append time derivatives.
    CMVN : Per-utterance mean and variance normalisation.
    FrameStats : Pool frames into one vector per clip.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import LogMelSpectrogram
    >>> t = np.arange(8000) / 8000
    >>> X = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 880 * t)])
    >>> LogMelSpectrogram(sr=8000).fit_transform(X).shape
    (2, 99, 26)
    >>> [f.shape for f in LogMelSpectrogram(sr=8000, n_mels=40).transform([X[0], X[1, :4000]])]
    [(99, 40), (49, 40)]
    """

    def __init__(self, sr=16000, *, n_fft=512, win_length=None, hop_length=None, n_mels=26,
                 fmin=0.0, fmax=None, preemphasis=0.97, window="rect"):
        self.sr = sr
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.preemphasis = preemphasis
        self.window = window


@_fill_doc
class MFCC(_MelFrontend):
    """Mel-frequency cepstral coefficients (python_speech_features ``mfcc``).

    Log mel filterbank energies (see :class:`LogMelSpectrogram`) turned into
    a cepstrum by an orthonormal DCT-II, of which the first ``n_mfcc``
    coefficients are kept and liftered. The DCT decorrelates the filter
    outputs and keeps the smooth spectral envelope (the vocal tract shape)
    in few numbers: the classic input to HMM/GMM models and linear
    classifiers. Log-mel keeps the full picture for convolutional networks.

    %(framing_note)s

    With the default parameters the output equals
    ``python_speech_features.mfcc(x, sr)`` (to float32 precision), but the
    whole batch is computed at once.

    Parameters
    ----------
    %(shared_params)s
    n_mfcc : int, default=13
        Number of cepstral coefficients kept, at most ``n_mels``.
    lifter : float, default=22
        Cepstral lifter ``1 + (L / 2) sin(pi n / L)`` scaling coefficient
        ``n``; 0 turns it off.
    log_energy : bool, default=True
        Replace c0 by the log of the frame's total power (psf's
        ``appendEnergy``).

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in ``fit`` (2-D input only).

    See Also
    --------
    LogMelSpectrogram : Log mel filterbank energies, without the DCT.
    Deltas : Append time derivatives.
    CMVN : Per-utterance mean and variance normalisation.
    FrameStats : Pool frames into one vector per clip.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import MFCC
    >>> t = np.arange(16000) / 16000
    >>> X = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 880 * t)])
    >>> MFCC().fit_transform(X).shape
    (2, 99, 13)
    >>> clips = [X[0], X[1, :8000], X[1, :100]]
    >>> [f.shape for f in MFCC(n_mfcc=20, n_mels=40).transform(clips)]
    [(99, 20), (49, 20), (1, 20)]
    """

    _parameter_constraints = {
        **_MelFrontend._parameter_constraints,
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "lifter": [Interval(Real, 0, None, closed="left")],
        "log_energy": ["boolean"],
    }

    def __init__(self, sr=16000, *, n_fft=512, win_length=None, hop_length=None, n_mels=26,
                 n_mfcc=13, fmin=0.0, fmax=None, preemphasis=0.97, lifter=22, log_energy=True,
                 window="rect"):
        self.sr = sr
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.n_mfcc = n_mfcc
        self.fmin = fmin
        self.fmax = fmax
        self.preemphasis = preemphasis
        self.lifter = lifter
        self.log_energy = log_energy
        self.window = window

    def _n_mfcc_param(self):
        return int(self.n_mfcc)

    def _mfcc_kwargs(self):
        return {"n_mfcc": int(self.n_mfcc), "lifter": float(self.lifter),
                "log_energy": bool(self.log_energy)}
