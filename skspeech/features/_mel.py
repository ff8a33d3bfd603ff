"""Mel filterbank front ends: log-mel spectrogram and MFCC.

The numbers follow ``python_speech_features`` (psf) 0.6 ``mfcc`` / ``logfbank``
exactly (framing, zero padding of the last frame, filterbank bin positions,
1/NFFT power scaling, zero-to-eps log floor, orthonormal DCT-II, lifter, log
energy in c0; :mod:`._mel_kernels` builds the filterbank and the lifter with
psf's own functions), but a whole batch is computed at once, in float32 by
default (``dtype="float64"`` for psf's precision). Per block of about
``_BLOCK_FRAMES`` frames (sized to stay in cache): pre-emphasis into a small
buffer, frames copied from one strided view into a zero-padded array, then
:func:`._mel_kernels._spectral_block`. ``n_jobs`` splits the clips into
chunks computed by joblib (threads: every step releases the GIL).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import partial
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from numpy.typing import ArrayLike
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .._base import StatelessTransformer, TrainingClipsMixin
from .._docstrings import fill_doc
from .._validation import check_audio
from ._mel_kernels import (  # noqa: F401 - _filter_bands: the tests read the bands here
    _dct_matrix,
    _filter_bands,
    _n_frames,
    _spectral_block,
    _window,
    has_empty_filters,
    round_half_up,
)

# Frames per FFT block: bounds the temporary memory (2 MB of frames and 2 MB
# of spectrum at the defaults) and keeps each block in cache: 2-3x faster than
# 4096-frame blocks (measured with OPENBLAS_NUM_THREADS=1).
_BLOCK_FRAMES = 1024
# Smallest chunk of clips worth a job of its own with n_jobs.
_MIN_CLIPS_PER_JOB = 16


def _features_2d(X, *, win_length, hop_length, preemphasis, n_fft, n_out, spectral):
    """Features of equal-length clips ``(n_clips, n_samples)``, a block of clips at a time.

    Each block (about ``_BLOCK_FRAMES`` frames) is pre-emphasised into a small
    zero-padded buffer, framed by a strided view straight into a zero-padded
    ``(frames, n_fft)`` array and sent through :func:`_spectral_block`, so the
    working set stays in cache and no whole-batch temporary is made.
    """
    n_clips, n_samples = X.shape
    dtype = X.dtype
    width = min(win_length, n_fft)
    nf = int(_n_frames(n_samples, win_length, hop_length))
    padded_len = max((nf - 1) * hop_length + win_length, n_samples)
    per_block = min(max(1, _BLOCK_FRAMES // nf), n_clips)
    buf = np.zeros((per_block, padded_len), dtype=dtype)  # zeros past n_samples stay
    block = np.zeros((per_block, nf, n_fft), dtype=dtype)  # zeros past width stay
    out = np.empty((n_clips * nf, n_out), dtype=dtype)
    coef = dtype.type(-preemphasis)
    item = buf.itemsize
    for c0 in range(0, n_clips, per_block):
        c1 = min(c0 + per_block, n_clips)
        b, x = buf[:c1 - c0], X[c0:c1]
        b[:, 0] = x[:, 0]
        if preemphasis:
            np.multiply(x[:, :-1], coef, out=b[:, 1:n_samples])
            b[:, 1:n_samples] += x[:, 1:]
        else:
            b[:, 1:n_samples] = x[:, 1:]
        # (clips, nf, width) strided view of the buffer: no index arrays.
        view = as_strided(b, shape=(c1 - c0, nf, width),
                          strides=(b.strides[0], hop_length * item, item), writeable=False)
        frames = block[:c1 - c0]
        frames[:, :, :width] = view
        spectral(frames.reshape(-1, n_fft), out[c0 * nf:c1 * nf])
    return out, np.full(n_clips, nf, dtype=np.int64)


def _features_list(X, *, win_length, hop_length, preemphasis, n_fft, n_out, spectral):
    """Features of a list of clips of any length: one pre-emphasised buffer, frames
    gathered by index into ``_BLOCK_FRAMES``-row blocks (clip after clip)."""
    dtype = X[0].dtype
    width = min(win_length, n_fft)
    lengths = np.fromiter((len(x) for x in X), dtype=np.int64, count=len(X))
    n_frames = _n_frames(lengths, win_length, hop_length)
    padded = (n_frames - 1) * hop_length + win_length
    buf_starts = np.cumsum(padded) - padded
    buffer = np.zeros(int(padded.sum()), dtype=dtype)
    coef = dtype.type(-preemphasis)
    for x, o in zip(X, buf_starts.tolist(), strict=True):  # one copy per clip, in place
        n = len(x)
        buffer[o] = x[0]
        if preemphasis:
            np.multiply(x[:-1], coef, out=buffer[o + 1:o + n])
            buffer[o + 1:o + n] += x[1:]
        else:
            buffer[o + 1:o + n] = x[1:]
    total = int(n_frames.sum())
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n_frames) - n_frames,
                                                          n_frames)
    starts = np.repeat(buf_starts, n_frames) + within * hop_length
    all_frames = sliding_window_view(buffer, win_length)[:, :width]
    out = np.empty((total, n_out), dtype=dtype)
    block = np.zeros((min(_BLOCK_FRAMES, total), n_fft), dtype=dtype)
    for lo in range(0, total, _BLOCK_FRAMES):
        hi = min(lo + _BLOCK_FRAMES, total)
        frames = block[:hi - lo]
        frames[:, :width] = all_frames[starts[lo:hi]]
        spectral(frames, out[lo:hi])
    return out, n_frames


def _features_chunk(X, *, sr, n_fft, win_length, hop_length, n_mels, fmin, fmax,
                    preemphasis, window, n_mfcc=None, lifter=0, log_energy=False):
    """Features of all frames of the clips ``X`` (checked), stacked:
    ``(n_total_frames, n_coeffs)``, and the frames per clip."""
    dtype = X[0].dtype.type
    with_energy = n_mfcc is not None and log_energy
    fmin, fmax = float(fmin), None if fmax is None else float(fmax)
    dct_mat = None if n_mfcc is None else _dct_matrix(n_mels, n_mfcc, float(lifter), dtype)
    bands, energy = _filter_bands(sr, n_fft, n_mels, fmin, fmax, with_energy, dtype)
    width = min(win_length, n_fft)  # longer frames are truncated to n_fft (as psf)
    win = None if window == "rect" else _window(window, win_length, dtype)[:width]
    spectral = partial(_spectral_block, win=win, bands=bands, energy=energy, dct_mat=dct_mat,
                       n_mels=n_mels)
    framing = _features_list if isinstance(X, list) else _features_2d
    return framing(X, win_length=win_length, hop_length=hop_length, preemphasis=preemphasis,
                   n_fft=n_fft, n_out=n_mels if n_mfcc is None else n_mfcc,
                   spectral=spectral)


def _log_mel_frames(X, *, n_jobs=None, **params):
    """Features of all frames of all clips, stacked: ``(n_total_frames, n_coeffs)``.

    With ``n_jobs`` (or an active ``joblib.parallel_config``) the clips are
    split into one contiguous chunk per job, computed by joblib (threads by
    default: the FFT, matrix products and ufuncs release the GIL) and
    concatenated; the result is the same up to float32 rounding (BLAS and FFT
    kernels treat a different number of rows a little differently).
    """
    n_chunks = min(effective_n_jobs(n_jobs), len(X) // _MIN_CLIPS_PER_JOB)
    if n_chunks <= 1:
        return _features_chunk(X, **params)
    bounds = np.linspace(0, len(X), n_chunks + 1).astype(int)
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_features_chunk)(X[a:b], **params)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    return (np.concatenate([r[0] for r in results]),
            np.concatenate([r[1] for r in results]))


_SHARED_PARAMS = """Parameters
----------
sr : int, default=16000
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
    ``winfunc=numpy.hanning`` / ``numpy.hamming``).
dtype : {"float32", "float64"}, default="float32"
    Precision of the computation and of the output. float32 is faster
    and within about 1e-4 of python_speech_features on speech. Bands more
    than about 100 dB below a frame's peak (noiseless synthetic tones, or
    resampled band-limited audio, seen through a "hann" window) are then
    float32 rounding noise; "float64" follows psf there too."""

_N_JOBS_AND_ATTRIBUTES = """n_jobs : int, default=None
    Jobs computing ``transform`` in parallel: the clips are split into
    one contiguous chunk per job (at least 16 clips each) and run with
    joblib, in threads unless a ``joblib.parallel_config`` /
    ``parallel_backend`` context (e.g. Dask) says otherwise. ``None``
    means 1 unless in such a context; -1 means all processors. The
    output is the same up to float32 rounding (1e-5). Worth it for
    batches of hundreds of clips on free cores; see the performance
    guide.

Attributes
----------
n_features_in_ : int
    Number of samples per clip seen in ``fit`` (2-D input only)."""

_FRAMING_NOTE = """Frames start every ``hop_length`` samples; a clip of ``n`` samples gives
``1 + ceil((n - win_length) / hop_length)`` frames (1 when it is shorter
than a window), the last one padded with zeros. The power spectrum
``|rfft|^2 / n_fft`` of each frame is summed by the mel filters and logged
(zero energies are floored to float64 eps, ``log(eps) = -36.04``)."""


_SEE_ALSO = """Deltas : Append time derivatives.
CMVN : Per-utterance mean and variance normalisation.
FrameStats : Pool frames into one vector per clip."""

_fill_doc = fill_doc(shared_params=_SHARED_PARAMS, framing_note=_FRAMING_NOTE,
                     n_jobs_and_attributes=_N_JOBS_AND_ATTRIBUTES, see_also_frames=_SEE_ALSO)


@fill_doc
class _MelFrontend(TrainingClipsMixin, StatelessTransformer):
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
        "dtype": [StrOptions({"float32", "float64"}), Options(type, {np.float32, np.float64})],
        "n_jobs": [Integral, None],
    }

    def __init__(self, sr=16000, *, n_fft=512, win_length=None, hop_length=None, n_mels=26,
                 fmin=0.0, fmax=None, preemphasis=0.97, window="rect", dtype="float32",
                 n_jobs=None):
        self.sr = sr
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.preemphasis = preemphasis
        self.window = window
        self.dtype = dtype
        self.n_jobs = n_jobs

    def _resolved_params(self, warn=True):
        """Check the parameters together; return the effective framing values."""
        name = type(self).__name__
        sr = int(self.sr)
        win = round_half_up(0.025 * sr) if self.win_length is None else int(self.win_length)
        hop = round_half_up(0.01 * sr) if self.hop_length is None else int(self.hop_length)
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
        if warn and win > self.n_fft:
            warnings.warn(
                f"{name}: the frame length ({win} samples = win_length, 25 ms at sr={sr} when "
                f"None) is greater than n_fft={self.n_fft}, so frames are truncated to n_fft "
                "samples (as python_speech_features does). Raise n_fft (e.g. to "
                f"{1 << (win - 1).bit_length()}) to avoid.",
                UserWarning, stacklevel=3,
            )
        if not warn:
            return win, hop
        empty = has_empty_filters(sr, int(self.n_fft), int(self.n_mels), float(self.fmin),
                                  None if self.fmax is None else float(self.fmax))
        if empty:
            warnings.warn(
                f"{name}: some of the n_mels={self.n_mels} mel filters cover no FFT bin at "
                f"sr={sr}, n_fft={self.n_fft}, so they always output log(eps) = -36. Lower "
                "n_mels or raise n_fft.", UserWarning, stacklevel=3,
            )
        return win, hop

    def _n_mfcc_param(self):
        return None

    def frame_lengths(self) -> tuple[int, int]:
        """The frame length and the hop, in samples, that ``transform`` uses.

        ``win_length`` and ``hop_length`` when they are set, else 25 ms and
        10 ms at ``sr``, rounded half up as python_speech_features rounds
        them. A device computing the same features needs these two numbers.

        Returns
        -------
        win_length, hop_length : tuple of int

        Examples
        --------
        >>> from skspeech.features import MFCC
        >>> MFCC(sr=22050).frame_lengths()
        (551, 221)
        """
        self._validate_params()
        return self._resolved_params(warn=False)

    def _check_params(self):
        self._resolved_params(warn=False)  # the warnings come with transform

    def _output_dtype(self):
        return "float64" if self.dtype in ("float64", np.float64) else "float32"

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray | list[np.ndarray]:
        """Compute the features of every clip.

        %(X_clips)s

        Returns
        -------
        frames : ndarray of shape (n_clips, n_frames, n_coeffs) or list of ndarray
            Features in ``dtype`` (float32 by default), time-major. For a
            list of clips, a list of ``(n_frames_i, n_coeffs)`` arrays (no
            padding).
        """
        self._validate_params()
        win, hop = self._resolved_params()
        X = check_audio(X, estimator=self, silent="warn", dtype=np.dtype(self.dtype),
                        min_length=(win, f"one analysis frame (win_length) at sr={self.sr} Hz"))
        out, n_frames = _log_mel_frames(
            X, sr=int(self.sr), n_fft=int(self.n_fft), win_length=win, hop_length=hop,
            n_mels=int(self.n_mels), fmin=self.fmin, fmax=self.fmax,
            preemphasis=float(self.preemphasis), window=self.window, n_jobs=self.n_jobs,
            **self._mfcc_kwargs(),
        )
        if isinstance(X, list):
            return np.split(out, np.cumsum(n_frames)[:-1])
        return out.reshape(len(X), int(n_frames[0]), out.shape[1])

    def _mfcc_kwargs(self):
        return {}


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

    The output equals ``python_speech_features.logfbank(x, sr)`` at the defaults
    (within 1e-4 on speech in float32, 1e-9 in float64), for a whole batch at once.

    %(shared_params)s
    %(n_jobs_and_attributes)s

    See Also
    --------
    MFCC : Mel-frequency cepstral coefficients.
    %(see_also_frames)s

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

    The output equals ``python_speech_features.mfcc(x, sr)`` at the defaults
    (within 1e-3 on speech in float32, 1e-9 in float64), for a whole batch at once.

    %(shared_params)s
    n_mfcc : int, default=13
        Number of cepstral coefficients kept, at most ``n_mels``.
    lifter : float, default=22
        Cepstral lifter ``1 + (L / 2) sin(pi n / L)`` scaling coefficient
        ``n``; 0 turns it off.
    log_energy : bool, default=True
        Replace c0 by the log of the frame's total power (psf's
        ``appendEnergy``).
    %(n_jobs_and_attributes)s

    See Also
    --------
    LogMelSpectrogram : Log mel filterbank energies, without the DCT.
    %(see_also_frames)s

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import MFCC
    >>> X = 0.1 * np.random.default_rng(0).standard_normal((2, 16000))  # 1 s at 16 kHz
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
                 fmin=0.0, fmax=None, preemphasis=0.97, window="rect", dtype="float32",
                 n_mfcc=13, lifter=22, log_energy=True, n_jobs=None):
        super().__init__(sr, n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                         n_mels=n_mels, fmin=fmin, fmax=fmax, preemphasis=preemphasis,
                         window=window, dtype=dtype, n_jobs=n_jobs)
        self.n_mfcc = n_mfcc
        self.lifter = lifter
        self.log_energy = log_energy

    def _n_mfcc_param(self):
        return int(self.n_mfcc)

    def _mfcc_kwargs(self):
        return {"n_mfcc": int(self.n_mfcc), "lifter": float(self.lifter),
                "log_energy": bool(self.log_energy)}
