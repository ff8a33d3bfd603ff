"""Delta (time-derivative) features, as python_speech_features' ``delta``."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils._param_validation import Interval

from .._base import StatelessTransformer
from .._docstrings import fill_doc
from .._validation import check_frames
from ._frames import clip_bounds, stack_frames, unstack_frames


def _delta_stacked(flat, lengths, width):
    """psf's regression delta over +-``width`` frames on stacked clips.

    ``d[t] = sum_k k (c[t+k] - c[t-k]) / (2 sum_k k^2)`` with frames past
    either end of each clip replaced by that clip's edge frame.
    """
    starts, ends = clip_bounds(lengths)
    t = np.arange(flat.shape[0], dtype=np.int64)
    first = np.repeat(starts, lengths)
    last = np.repeat(ends - 1, lengths)
    out = np.zeros_like(flat)
    for k in range(1, width + 1):
        ahead = flat[np.minimum(t + k, last)]
        ahead -= flat[np.maximum(t - k, first)]
        ahead *= k
        out += ahead
    out /= 2 * sum(k * k for k in range(1, width + 1))
    return out


@fill_doc
class Deltas(StatelessTransformer):
    """Append delta (and delta-delta) coefficients to each frame.

    The delta of coefficient ``c`` at frame ``t`` is the slope of a
    least-squares line through frames ``t - width .. t + width``:
    ``sum_k k (c[t+k] - c[t-k]) / (2 sum_k k^2)``, with the first and last
    frame of each clip repeated past its ends, exactly as
    ``python_speech_features.delta(feat, width)``. Delta-deltas
    (``order=2``) are the deltas of the deltas. Each clip is treated on its
    own; a list of clips stays unpadded. Stateless.

    Parameters
    ----------
    width : int, default=2
        Frames on each side used for the slope (psf's ``N``).
    order : {1, 2}, default=1
        1 appends deltas; 2 appends deltas and delta-deltas.

    Attributes
    ----------
    %(n_features_frames)s

    See Also
    --------
    MFCC : Cepstral coefficients to take the deltas of.
    CMVN : Per-utterance normalisation.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.features import Deltas
    >>> ramp = np.arange(6.0).reshape(1, 6, 1)  # one clip, 6 frames, 1 coefficient
    >>> Deltas(width=1).fit_transform(ramp)[0].T
    array([[0. , 1. , 2. , 3. , 4. , 5. ],
           [0.5, 1. , 1. , 1. , 1. , 0.5]], dtype=float32)
    >>> frames = [np.zeros((10, 13)), np.zeros((7, 13))]
    >>> [f.shape for f in Deltas(order=2).fit_transform(frames)]
    [(10, 39), (7, 39)]
    """

    _takes = "frames"
    _parameter_constraints = {
        "width": [Interval(Integral, 1, None, closed="left")],
        "order": [Interval(Integral, 1, 2, closed="both")],
    }

    def __init__(self, width=2, order=1):
        self.width = width
        self.order = order

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray | list[np.ndarray]:
        """Append the deltas.

        %(X_frames)s

        Returns
        -------
        frames : ndarray of shape (n_clips, n_frames, n_coeffs * (order + 1)) or list
            Float32 ``[c, delta c(, delta-delta c)]`` per frame; a list for
            list input.
        """
        self._check_transform_params()
        X = check_frames(X, estimator=self)
        flat, lengths = stack_frames(X)
        parts = [flat]
        for _ in range(self.order):
            parts.append(_delta_stacked(parts[-1], lengths, int(self.width)))
        return unstack_frames(np.concatenate(parts, axis=1), lengths, X)
