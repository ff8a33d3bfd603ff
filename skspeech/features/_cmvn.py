"""Per-utterance cepstral mean (and variance) normalisation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._base import StatelessTransformer
from .._docstrings import fill_doc
from .._validation import check_frames
from ._frames import stack_frames, unstack_frames


@fill_doc
class CMVN(StatelessTransformer):
    """Cepstral mean (and variance) normalisation over the frames of each clip.

    Subtracts from every coefficient its mean over the clip's frames, and
    with ``variance=True`` also divides by its standard deviation (ddof=0), so
    each coefficient has mean 0 (and std 1) within every clip. Removing the
    mean cancels a fixed channel (microphone, room) and loudness, which add a
    constant to log-mel and cepstral coefficients. Each clip is normalised
    on its own statistics, so nothing is learned: stateless. A coefficient
    that is constant over a clip becomes 0.

    Parameters
    ----------
    variance : bool, default=False
        Also scale each coefficient to unit variance within the clip.

    Attributes
    ----------
    %(n_features_frames)s

    See Also
    --------
    MFCC : Cepstral coefficients.
    Deltas : Append time derivatives.
    sklearn.preprocessing.StandardScaler : Normalise with statistics learned on a training set.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import CMVN
    >>> frames = np.array([[[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]]])  # 1 clip, 3 frames
    >>> CMVN().fit_transform(frames)[0]
    array([[-2.,  0.],
           [ 0.,  0.],
           [ 2.,  0.]], dtype=float32)
    >>> out = CMVN(variance=True).fit_transform([np.arange(8.0).reshape(4, 2), np.ones((3, 2))])
    >>> [np.round(f.std(axis=0), 6).tolist() for f in out]
    [[1.0, 1.0], [0.0, 0.0]]
    """

    _takes = "frames"
    _parameter_constraints = {"variance": ["boolean"]}

    def __init__(self, variance=False):
        self.variance = variance

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray | list[np.ndarray]:
        """Normalise each clip by its own statistics.

        %(X_frames)s

        Returns
        -------
        frames : ndarray of shape (n_clips, n_frames, n_coeffs) or list of ndarray
            Float32, the same shape as ``X`` (a list for list input).
        """
        self._check_transform_params()
        X = check_frames(X, estimator=self)
        flat, lengths = stack_frames(X)
        starts = np.cumsum(lengths) - lengths
        # Statistics in float64: a float32 sum over many frames loses digits.
        centred = flat.astype(np.float64)
        mean = np.add.reduceat(centred, starts, axis=0) / lengths[:, np.newaxis]
        centred -= np.repeat(mean, lengths, axis=0)
        if self.variance:
            var = np.add.reduceat(np.square(centred), starts, axis=0) / lengths[:, np.newaxis]
            std = np.sqrt(var)
            std[std == 0] = 1.0
            centred /= np.repeat(std, lengths, axis=0)
        return unstack_frames(centred.astype(np.float32), lengths, X)
