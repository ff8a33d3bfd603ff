"""Waveform preprocessing: resampling, padding/trimming to one length, a guard against garbage."""

from .._garbage import FRAME_SECONDS, find_garbage
from ._guard import GarbageGuard
from ._padtrim import PadTrim
from ._resample import Resampler, lowpass_filter, resample

__all__ = ["FRAME_SECONDS", "GarbageGuard", "PadTrim", "Resampler", "find_garbage",
           "lowpass_filter", "resample"]
