"""Acoustic features: MFCC and log-mel front ends, deltas, normalisation, pooling.

Front ends take clips (``(n_clips, n_samples)`` or a list of 1-D arrays) and
return time-major frames (``(n_clips, n_frames, n_coeffs)`` or a list of
``(n_frames, n_coeffs)`` arrays); the other transformers take such frames.
"""

from ._mel import MFCC, LogMelSpectrogram, mel_filterbank

__all__ = ["LogMelSpectrogram", "MFCC", "mel_filterbank"]
