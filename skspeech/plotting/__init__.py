"""Plots (matplotlib, the optional ``plot`` extra, is imported only when a plot is drawn)."""

from ._history import plot_history

__all__ = ["plot_history"]
