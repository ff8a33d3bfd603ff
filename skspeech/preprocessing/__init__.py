"""Waveform preprocessing: resampling, padding/trimming to one length, a guard against garbage."""

from ._guard import GarbageGuard
from ._padtrim import PadTrim
from ._resample import Resampler

__all__ = ["GarbageGuard", "PadTrim", "Resampler"]
