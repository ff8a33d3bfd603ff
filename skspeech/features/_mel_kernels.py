"""The per-frame arithmetic of the mel front ends, on python_speech_features' definitions.

python_speech_features (psf) 0.6 is the reference the front ends follow, so
its own functions build what defines the numbers: the triangular filterbank
(``get_filterbanks``), the cepstral lifter (``lifter``) applied to the DCT
matrix, and the rounding of the 25 ms / 10 ms defaults (``round_half_up``);
parity with psf then holds by construction. What is computed differently is
only how: a whole block of frames at a time, with each group of filters
applied to the FFT bins it covers (see :func:`_filter_bands`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.fft
from python_speech_features import get_filterbanks
from python_speech_features.base import lifter as psf_lifter
from python_speech_features.sigproc import round_half_up

# psf floors zero energies to float64 eps before the log.
_EPS = np.finfo(np.float64).eps
# Mel filters per dense band product (see _filter_bands): 4 was fastest of 2-8.
_BAND_GROUP = 4


def mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular mel filters: python_speech_features' ``get_filterbanks``.

    Filter edges are equally spaced on the mel scale (HTK formula
    ``2595 log10(1 + f / 700)``) and then floored to FFT bins with
    ``floor((n_fft + 1) * f / sr)``; the triangles are not area-normalised.
    These are the filters :class:`MFCC` and :class:`LogMelSpectrogram` apply.

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
        Highest band edge in Hz, at most ``sr / 2``; ``None`` means ``sr / 2``.

    Returns
    -------
    fb : ndarray of shape (n_mels, n_fft // 2 + 1)
        One filter per row, float64.

    Examples
    --------
    >>> from skspeech.features import mel_filterbank
    >>> fb = mel_filterbank(8000, 512, 26)
    >>> fb.shape, float(fb.max())
    ((26, 257), 1.0)
    """
    return _filterbank(int(sr), int(n_fft), int(n_mels), float(fmin),
                       None if fmax is None else float(fmax)).copy()


@lru_cache(maxsize=32)
def _filterbank(sr, n_fft, n_mels, fmin, fmax):
    """psf's filterbank, float64, read-only; cached per parameter set."""
    if fmax is not None and fmax > sr / 2:
        raise ValueError(f"fmax={fmax:g} Hz is above the Nyquist frequency sr / 2 = "
                         f"{sr / 2:g} Hz; lower it or leave it as None.")
    fb = get_filterbanks(nfilt=n_mels, nfft=n_fft, samplerate=sr, lowfreq=fmin,
                         highfreq=sr / 2 if fmax is None else fmax)
    fb.flags.writeable = False
    return fb


def has_empty_filters(sr: int, n_fft: int, n_mels: int, fmin: float,
                      fmax: float | None) -> bool:
    """Whether some of the filters cover no FFT bin (they always give log(eps))."""
    return bool((_filterbank(sr, n_fft, n_mels, fmin, fmax).sum(axis=1) == 0).any())


@lru_cache(maxsize=32)
def _dct_matrix(n_mels, n_mfcc, lifter, dtype=np.float32):
    """psf's cepstrum as one matrix product: ``log_mel @ matrix``, read-only, cached.

    psf takes ``dct(log_mel, type=2, norm="ortho")[:, :n_mfcc]`` and then
    ``lifter``; both are linear, so applied to the identity they give the
    ``(n_mels, n_mfcc)`` matrix that does the same in one product.
    """
    dct = scipy.fft.dct(np.eye(n_mels), type=2, norm="ortho", axis=1)[:, :n_mfcc]
    mat = np.ascontiguousarray(psf_lifter(dct, lifter), dtype=dtype)
    mat.flags.writeable = False
    return mat


@lru_cache(maxsize=16)
def _window(name, length, dtype):
    # numpy's symmetric windows, i.e. psf's ``winfunc=numpy.hamming`` / ``numpy.hanning``.
    win = {"hann": np.hanning, "hamming": np.hamming}[name](length).astype(dtype)
    win.flags.writeable = False
    return win


def _n_frames(n_samples, win_length, hop_length):
    """psf's frame count: 1 + ceil((n - win) / hop), at least 1."""
    n_samples = np.asarray(n_samples, dtype=np.int64)
    extra = np.maximum(n_samples - win_length, 0)
    return 1 + (extra + hop_length - 1) // hop_length


@lru_cache(maxsize=32)
def _filter_bands(sr, n_fft, n_mels, fmin, fmax, with_energy, dtype=np.float32,
                  group=_BAND_GROUP):
    """The filterbank as dense pieces for the squared, interleaved spectrum.

    Each filter is non-zero on a few bins only, so instead of one
    ``(n_bins, n_mels)`` product (mostly zeros) the filters are taken
    ``group`` at a time, each group with the bins it covers: about a fifth of
    the arithmetic. The spectrum is used as FFT output seen as reals
    ``[re0^2, im0^2, re1^2, im1^2, ...]``, so each bin's weight appears twice
    and ``re^2 + im^2`` is summed by the product itself. Weights include the
    1/n_fft power scaling. Returns ``(bands, energy)``: ``bands`` is a tuple
    of ``(first_filter, end_filter, first_col, end_col, weights)``;
    ``energy`` is the ``(2 * n_bins,)`` vector giving psf's frame energy
    (or None).
    """
    fb = _filterbank(sr, n_fft, n_mels, fmin, fmax) / n_fft
    bands = []
    for a in range(0, n_mels, group):
        b = min(a + group, n_mels)
        cols = np.flatnonzero(fb[a:b].any(axis=0))
        lo, hi = (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, 1)
        w = np.ascontiguousarray(np.repeat(fb[a:b, lo:hi].T, 2, axis=0), dtype=dtype)
        w.flags.writeable = False
        bands.append((a, b, 2 * lo, 2 * hi, w))
    energy = None
    if with_energy:
        energy = np.full(2 * fb.shape[1], 1.0 / n_fft, dtype=dtype)
        energy.flags.writeable = False
    return tuple(bands), energy


def _spectral_block(frames, out, *, win, bands, energy, dct_mat, n_mels):
    """Features of a block of frames, written to ``out``; ``frames`` is overwritten.

    ``frames`` is ``(m, n_fft)``, zero-padded past the frame width. Steps,
    each one call on the whole block: window, real FFT, squares of the real
    and imaginary parts in place, banded filterbank products (which also
    add ``re^2 + im^2``, see :func:`_filter_bands`), energy, zero-to-eps
    floor and log, then the liftered DCT for MFCC.
    """
    if win is not None:
        frames[:, :win.shape[0]] *= win
    spec = scipy.fft.rfft(frames, axis=1, overwrite_x=True)
    sq = spec.view(frames.dtype)  # re0, im0, re1, im1, ... (contiguous)
    np.square(sq, out=sq)
    if dct_mat is None:
        mel = out
    else:
        mel = np.empty((len(frames), n_mels + (energy is not None)), dtype=frames.dtype)
    for a, b, lo, hi, w in bands:
        mel[:, a:b] = sq[:, lo:hi] @ w
    if energy is not None:
        np.matmul(sq, energy, out=mel[:, n_mels])
    np.copyto(mel, _EPS, where=mel == 0)
    np.log(mel, out=mel)
    if dct_mat is not None:
        np.matmul(mel[:, :n_mels], dct_mat, out=out)
        if energy is not None:
            out[:, 0] = mel[:, n_mels]


__all__ = ["has_empty_filters", "mel_filterbank", "round_half_up"]
