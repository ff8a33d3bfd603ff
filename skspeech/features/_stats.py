"""Pool the frames of each clip into one fixed-length vector."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from .._docstrings import fill_doc
from .._validation import check_frames
from ._frames import stack_frames

_STATS = ("mean", "std", "min", "max", "median")


def _pool(flat, lengths, stat, mean=None):
    """One statistic per clip over its frames; ``flat`` is float32, stacked.

    Sums are accumulated in float64 (``dtype=`` of the reductions, no float64
    copy of the frames); min, max and median are exact in float32.
    """
    starts = np.cumsum(lengths) - lengths
    if stat == "mean":
        return np.add.reduceat(flat, starts, axis=0, dtype=np.float64) / lengths[:, np.newaxis]
    if stat == "std":
        dev = flat - np.repeat(mean.astype(flat.dtype), lengths, axis=0)
        np.square(dev, out=dev)
        return np.sqrt(np.add.reduceat(dev, starts, axis=0, dtype=np.float64)
                       / lengths[:, np.newaxis])
    if stat == "min":
        return np.minimum.reduceat(flat, starts, axis=0)
    if stat == "max":
        return np.maximum.reduceat(flat, starts, axis=0)
    # median: no ufunc reduceat; clips of one length at once.
    out = np.empty((len(lengths), flat.shape[1]))
    for n in np.unique(lengths):
        idx = np.flatnonzero(lengths == n)
        rows = starts[idx][:, np.newaxis] + np.arange(n)
        out[idx] = np.median(flat[rows], axis=1)
    return out


def _pool_3d(X, stat, mean=None):
    """One statistic per clip of equal-length frames ``(n_clips, n_frames, n_coeffs)``:
    axis reductions, mean and std accumulated in float64 without a float64 copy."""
    if stat == "mean":
        return X.mean(axis=1, dtype=np.float64)
    if stat == "std":
        dev = X - mean[:, np.newaxis, :].astype(X.dtype)
        # float32 deviations, float64 sum of squares: within float32 rounding of the
        # float64 two-pass value (the mean is removed before squaring).
        return np.sqrt(np.einsum("ntc,ntc->nc", dev, dev, dtype=np.float64) / X.shape[1])
    if stat == "min":
        return X.min(axis=1)
    if stat == "max":
        return X.max(axis=1)
    return np.median(X, axis=1)


@fill_doc
class FrameStats(TransformerMixin, BaseEstimator):
    """Summarise each clip's frames by statistics such as mean and std.

    Turns frame sequences of any length into one fixed-length vector per
    clip, the input a classical classifier (SVM, logistic regression,
    random forest) needs. Each statistic is taken per coefficient over the
    clip's own frames, so clips of a list are not padded and padding never
    enters the statistics.

    Parameters
    ----------
    stats : tuple of {"mean", "std", "min", "max", "median"}, default=("mean", "std")
        Statistics to compute, in output order. "std" is the population
        standard deviation (ddof=0).

    Attributes
    ----------
    n_coeffs_ : int
        Number of coefficients per frame seen in ``fit``.
    %(n_features_frames)s

    See Also
    --------
    MFCC : Frame features to pool.
    Deltas : Append time derivatives (their mean and std describe the dynamics).

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import FrameStats
    >>> frames = [np.array([[0.0, 1.0], [2.0, 3.0]]),
    ...           np.array([[4.0, 4.0], [4.0, 6.0], [4.0, 8.0]])]
    >>> pool = FrameStats(stats=("mean", "max")).fit(frames)
    >>> pool.transform(frames)
    array([[1., 2., 2., 3.],
           [4., 6., 4., 8.]], dtype=float32)
    >>> pool.get_feature_names_out().tolist()
    ['mean_c0', 'mean_c1', 'max_c0', 'max_c1']
    """

    _parameter_constraints = {"stats": [list, tuple]}

    def __init__(self, stats=("mean", "std")):
        self.stats = stats

    def _check_stats(self):
        stats = list(self.stats)
        bad = [s for s in stats if s not in _STATS]
        if not stats or bad:
            raise ValueError(
                f"FrameStats(stats={self.stats!r}): expected a non-empty tuple of "
                f"{', '.join(map(repr, _STATS))}; got {'no statistics' if not stats else bad}."
            )
        if len(set(stats)) != len(stats):
            raise ValueError(
                f"FrameStats(stats={self.stats!r}) names a statistic twice; list each once."
            )
        return stats

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None) -> FrameStats:
        """Record the number of coefficients per frame.

        %(X_frames)s
        y : None
            Ignored.

        Returns
        -------
        self : FrameStats
        """
        self._check_stats()
        X = check_frames(X, estimator=self, reset=True)
        self.n_coeffs_ = int(X[0].shape[-1])
        return self

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Pool each clip's frames.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_frames, n_coeffs) or list of ndarray
            Frame sequences with ``n_coeffs_`` coefficients per frame.

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_outputs)
            Float32, statistic-major: all coefficients' first statistic,
            then the second, as named by :meth:`get_feature_names_out`.
        """
        check_is_fitted(self)
        stats = self._check_stats()
        X = check_frames(X, estimator=self)
        n_coeffs = X[0].shape[-1]
        if n_coeffs != self.n_coeffs_:
            raise ValueError(
                f"X has {n_coeffs} coefficients per frame, but FrameStats was fitted on "
                f"{self.n_coeffs_}; use the same feature extractor settings for fit and "
                "transform."
            )
        if isinstance(X, np.ndarray) and X.ndim == 3:  # equal lengths: no stacking
            mean = _pool_3d(X, "mean") if {"mean", "std"} & set(stats) else None
            pooled = [mean if s == "mean" else _pool_3d(X, s, mean) for s in stats]
            return np.concatenate(pooled, axis=1).astype(np.float32)
        flat, lengths = stack_frames(X)
        mean = _pool(flat, lengths, "mean") if {"mean", "std"} & set(stats) else None
        pooled = [mean if s == "mean" else _pool(flat, lengths, s, mean) for s in stats]
        return np.concatenate(pooled, axis=1).astype(np.float32)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output columns: ``{stat}_c{j}`` for coefficient ``j``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: input columns are frames (or clips' samples), not the
            coefficients the outputs are named after.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        stats = self._check_stats()
        return np.asarray([f"{s}_c{j}" for s in stats for j in range(self.n_coeffs_)],
                          dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
