"""Exploration and diagnostics plots: waveform, spectrogram, MFCC, durations, counts, confusions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._docstrings import fill_doc
from .._validation import check_sr
from ._history import _import_pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The docstring text every plot here shares (filled in by fill_doc).
_DOC = {
    "clip": """\
y : ndarray of shape (n_samples,)
    One clip.
sr : int
    Its sample rate in Hz.""",
    "ax": """\
ax : matplotlib Axes, default=None
    Where to draw; None makes a new figure.""",
    "returns_ax": """\
Returns
-------
ax : matplotlib Axes""",
}


def _axes(ax, what, figsize=(6, 3)):
    plt = _import_pyplot(what)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _clip(y, what):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{what} needs one clip, a non-empty 1-D array of samples; got an "
                         f"array of shape {y.shape}. For clip i of X pass X[i].")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{what}: the clip holds NaN or infinite samples.")
    return y


@fill_doc(**_DOC)
def plot_waveform(y: ArrayLike, sr: int, ax: Axes | None = None, *, title: str | None = None
                  ) -> Axes:
    """Plot a clip's samples against time, as the tutorial's first look at the data.

    Parameters
    ----------
    %(clip)s
    %(ax)s
    title : str, default=None
        Axes title (e.g. the word).

    %(returns_ax)s

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.plotting import plot_waveform
    >>> ax = plot_waveform(np.sin(np.arange(8000) / 5), 8000, title="tone")
    >>> ax.get_xlabel(), ax.get_title()
    ('time (s)', 'tone')
    """
    y = _clip(y, "plot_waveform")
    sr = check_sr(sr)
    ax = _axes(ax, "plot_waveform")
    ax.plot(np.arange(y.size) / sr, y, linewidth=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(0, y.size / sr))
    if title:
        ax.set_title(title)
    return ax


@fill_doc(**_DOC)
def plot_spectrogram(y: ArrayLike, sr: int, ax: Axes | None = None, *, n_fft: int | None = None,
                     hop_length: int | None = None, title: str | None = None) -> Axes:
    """Plot a clip's log-power spectrogram (dB), time across, frequency up.

    Parameters
    ----------
    %(clip)s
    %(ax)s
    n_fft : int, default=None
        FFT size; None is the power of two nearest 25 ms.
    hop_length : int, default=None
        Samples between frames; None is 10 ms.
    title : str, default=None
        Axes title.

    Returns
    -------
    ax : matplotlib Axes
        ``ax.images[0]`` is the image; a colour bar in dB is added.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.plotting import plot_spectrogram
    >>> t = np.arange(8000) / 8000
    >>> ax = plot_spectrogram(np.sin(2 * np.pi * 1000 * t), 8000)
    >>> ax.get_ylabel()
    'frequency (Hz)'
    """
    from scipy.signal import stft

    y = _clip(y, "plot_spectrogram")
    sr = check_sr(sr)
    n_fft = n_fft or int(2 ** np.round(np.log2(0.025 * sr)))
    hop = hop_length or max(1, int(0.010 * sr))
    if n_fft > y.size:
        raise ValueError(f"plot_spectrogram: the clip has {y.size} samples, fewer than n_fft="
                         f"{n_fft}; pass a smaller n_fft.")
    f, t, Z = stft(y, fs=sr, nperseg=n_fft, noverlap=n_fft - hop, boundary=None, padded=False)
    db = 10 * np.log10(np.abs(Z) ** 2 + 1e-12)
    db = np.maximum(db, db.max() - 80)
    ax = _axes(ax, "plot_spectrogram")
    im = ax.pcolormesh(t, f, db, shading="auto", cmap="magma")
    ax.figure.colorbar(im, ax=ax, label="dB")
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)")
    if title:
        ax.set_title(title)
    return ax


@fill_doc(**_DOC)
def plot_features(frames: ArrayLike, ax: Axes | None = None, *, hop_length: float = 0.01,
                  title: str | None = None, label: str = "MFCC") -> Axes:
    """Plot feature frames (MFCC or log-mel) as an image: time across, coefficient up.

    Parameters
    ----------
    frames : ndarray of shape (n_frames, n_coeffs)
        One clip's frames, time-major as skspeech's transformers give them
        (e.g. ``MFCC(sr=sr).fit_transform(x[None])[0]``).
    %(ax)s
    hop_length : float, default=0.01
        Seconds between frames, for the time axis.
    title : str, default=None
        Axes title.
    label : str, default="MFCC"
        Name of the coefficients (y-axis label).

    %(returns_ax)s

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import MFCC
    >>> from skspeech.plotting import plot_features
    >>> x = np.sin(np.arange(8000) / 3).astype("float32")
    >>> ax = plot_features(MFCC(sr=8000).fit_transform(x[None])[0])
    >>> ax.images[0].get_array().shape  # (n_coeffs, n_frames): coefficients up
    (13, 99)
    """
    F = np.asarray(frames, dtype=np.float64)
    if F.ndim != 2:
        raise ValueError(f"plot_features needs one clip's frames, shape (n_frames, n_coeffs); "
                         f"got shape {F.shape}. For clip i of a 3-D array pass F[i].")
    ax = _axes(ax, "plot_features")
    im = ax.imshow(F.T, origin="lower", aspect="auto", cmap="viridis",
                   extent=(0, F.shape[0] * hop_length, -0.5, F.shape[1] - 0.5))
    ax.figure.colorbar(im, ax=ax)
    ax.set(xlabel="time (s)", ylabel=f"{label} coefficient")
    if title:
        ax.set_title(title)
    return ax


@fill_doc(**_DOC)
def plot_durations(X: Sequence[ArrayLike] | np.ndarray, sr: int, ax: Axes | None = None, *,
                   bins: int = 30) -> Axes:
    """Histogram of clip durations in seconds, to choose a padding length.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_samples) or list of ndarray
        The clips.
    sr : int
        Their sample rate in Hz.
    %(ax)s
    bins : int, default=30
        Histogram bins.

    %(returns_ax)s

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.plotting import plot_durations
    >>> ax = plot_durations([np.zeros(n) for n in (4000, 6000, 8000)], 8000, bins=3)
    >>> [int(p.get_height()) for p in ax.patches]
    [1, 1, 1]
    """
    sr = check_sr(sr)
    lengths = np.array([len(x) for x in X], dtype=float)
    if lengths.size == 0:
        raise ValueError("plot_durations needs at least one clip; got none.")
    d = lengths / sr
    ax = _axes(ax, "plot_durations")
    ax.hist(d, bins=bins, color="tab:blue", edgecolor="white")
    ax.axvline(np.median(d), color="k", linestyle="--", label=f"median {np.median(d):.2f} s")
    ax.set(xlabel="duration (s)", ylabel="clips")
    ax.legend()
    return ax


@fill_doc(**_DOC)
def plot_class_counts(y: ArrayLike, ax: Axes | None = None) -> Axes:
    """Bar chart of clips per word, to spot unbalanced classes.

    Parameters
    ----------
    y : array-like of shape (n_clips,)
        The labels.
    %(ax)s

    %(returns_ax)s

    Examples
    --------
    >>> from skspeech.plotting import plot_class_counts
    >>> ax = plot_class_counts(["yes", "no", "yes"])
    >>> [int(p.get_height()) for p in ax.patches]
    [1, 2]
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"plot_class_counts needs a non-empty 1-D array of labels; got "
                         f"shape {y.shape}.")
    words, counts = np.unique(y, return_counts=True)
    ax = _axes(ax, "plot_class_counts")
    ax.bar([str(w) for w in words], counts, color="tab:green")
    ax.set(xlabel="word", ylabel="clips")
    ax.tick_params(axis="x", rotation=45)
    return ax


@fill_doc(**_DOC)
def plot_confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, ax: Axes | None = None, *,
                          labels: Sequence[str] | None = None, normalize: bool = False
                          ) -> Axes:
    """Confusion matrix as an image with counts: true word down, predicted across.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted words.
    %(ax)s
    labels : list of str, default=None
        Words in display order; None: sorted words of both.
    normalize : bool, default=False
        Show each row as fractions of the true word's clips (recall on the
        diagonal).

    %(returns_ax)s

    Examples
    --------
    >>> from skspeech.plotting import plot_confusion_matrix
    >>> ax = plot_confusion_matrix(["yes", "no", "no"], ["yes", "yes", "no"])
    >>> ax.images[0].get_array().tolist()
    [[1, 1], [0, 1]]
    """
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"plot_confusion_matrix needs y_true and y_pred of one shape "
                         f"(n_clips,); got {y_true.shape} and {y_pred.shape}.")
    labels = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    n = len(labels)
    ax = _axes(ax, "plot_confusion_matrix", figsize=(1 + 0.6 * n, 0.8 + 0.6 * n))
    ax.imshow(shown, cmap="Blues", vmin=0)
    top = shown.max() if shown.size else 1
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}" if normalize else str(cm[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > top / 2 else "black")
    ax.set(xticks=range(n), yticks=range(n), xlabel="predicted", ylabel="true")
    ax.set_xticklabels([str(w) for w in labels], rotation=45, ha="right")
    ax.set_yticklabels([str(w) for w in labels])
    return ax
