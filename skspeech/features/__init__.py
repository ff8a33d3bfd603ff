"""Acoustic features: MFCC and log-mel front ends, deltas, normalisation, pooling.

Front ends take clips (``(n_clips, n_samples)`` or a list of 1-D arrays) and
return time-major frames (``(n_clips, n_frames, n_coeffs)`` or a list of
``(n_frames, n_coeffs)`` arrays); :class:`Deltas` and :class:`CMVN` map
frames to frames, and :class:`FrameStats` pools them into one vector per clip.
:func:`relative_log_level` and :func:`cepstra` are functions of log-mel frames
for ``FunctionTransformer`` steps. :class:`FeatureExtractor` streams audio
files through them in chunks.
"""

from ._cmvn import CMVN
from ._deltas import Deltas
from ._extractor import FeatureExtractor
from ._frame_functions import cepstra, relative_log_level
from ._mel import MFCC, LogMelSpectrogram
from ._mel_kernels import mel_filterbank
from ._stats import FrameStats

__all__ = ["CMVN", "Deltas", "FeatureExtractor", "FrameStats", "LogMelSpectrogram", "MFCC",
           "cepstra", "mel_filterbank", "relative_log_level"]
