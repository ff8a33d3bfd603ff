"""Waveform preprocessing: resampling, fixed-length padding/trimming, and a guard against garbage."""

from ._guard import GarbageGuard
from ._padtrim import PadTrim
from ._resample import Resampler

__all__ = ["GarbageGuard", "PadTrim", "Resampler"]
