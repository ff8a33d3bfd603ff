"""Acoustic features: MFCC and log-mel front ends, deltas, normalisation, pooling.

Front ends take clips (``(n_clips, n_samples)`` or a list of 1-D arrays) and
return time-major frames (``(n_clips, n_frames, n_coeffs)`` or a list of
``(n_frames, n_coeffs)`` arrays); :class:`Deltas` and :class:`CMVN` map
frames to frames, and :class:`FrameStats` pools them into one vector per clip.
:class:`FeatureExtractor` streams audio files through them in chunks.
"""

from ._cmvn import CMVN
from ._deltas import Deltas
from ._extractor import FeatureExtractor
from ._mel import MFCC, LogMelSpectrogram, mel_filterbank
from ._stats import FrameStats

__all__ = ["CMVN", "Deltas", "FeatureExtractor", "FrameStats", "LogMelSpectrogram", "MFCC",
           "mel_filterbank"]
