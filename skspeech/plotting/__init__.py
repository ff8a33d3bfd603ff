"""Plots (matplotlib, the optional ``plot`` extra, is imported only when a plot is drawn)."""

from ._explore import (
                       plot_class_counts,
                       plot_confusion_matrix,
                       plot_durations,
                       plot_features,
                       plot_spectrogram,
                       plot_waveform,
)
from ._history import plot_history

__all__ = ["plot_class_counts", "plot_confusion_matrix", "plot_durations", "plot_features",
           "plot_history", "plot_spectrogram", "plot_waveform"]
