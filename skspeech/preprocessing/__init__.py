"""Waveform preprocessing: resampling and fixed-length padding/trimming."""

from ._padtrim import PadTrim
from ._resample import Resampler

__all__ = ["PadTrim", "Resampler"]
