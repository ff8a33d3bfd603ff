"""Bases shared by skspeech's transformers.

:class:`StatelessTransformer` holds what every transformer that learns nothing
repeats (Resampler, MFCC, LogMelSpectrogram, Deltas, CMVN): ``fit`` checks the
parameters and the input, the transformer counts as fitted from the start, and
its tags say so. :class:`TrainingClipsMixin` gives the transformers that read
clips a ``fit_transform`` that does not warn about the training clips.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context

from ._docstrings import fill_doc
from ._garbage import training_clips
from ._validation import check_audio, check_frames


@fill_doc
class TrainingClipsMixin:
    """``fit_transform`` for steps that check clips: training clips warn of no garbage.

    Put left of ``TransformerMixin``. ``fit_transform`` is ``fit(X, y)``
    then ``transform(X)`` inside :func:`~skspeech._garbage.training_clips`:
    silent training clips raise in ``fit`` as before, and the warning about
    clips far from a spoken clip is kept for prediction (fit-only
    augmentation makes copies beyond ±1.5 that are not the user's to fix).
    """

    def fit_transform(self, X: Any, y: ArrayLike | None = None) -> Any:
        """Fit on the training clips and transform them, with no warning about garbage.

        %(X_clips)s
        y : array-like of shape (n_clips,), default=None
            Ignored by the transform; passed to ``fit``.

        Returns
        -------
        X_new : ndarray or list of ndarray
            As from ``transform``.
        """
        with training_clips():
            return self.fit(X, y).transform(X)


@fill_doc
class StatelessTransformer(TransformerMixin, BaseEstimator):
    """Base of the transformers that learn nothing from the data.

    As scikit-learn's ``FunctionTransformer``: ``fit`` checks the
    parameters (``_parameter_constraints``, then :meth:`_check_params` for
    rules that tie parameters together) and ``X`` (recording
    ``n_features_in_`` for 2-D input), and learns nothing; the transformer
    is fitted from the start (``__sklearn_is_fitted__``,
    ``requires_fit=False``), so ``transform`` works on an unfitted clone.
    ``transform`` starts with :meth:`_check_transform_params`.

    A subclass sets ``_takes`` ("clips": audio, checked by
    :func:`~skspeech._validation.check_audio`, silent training clips
    refused; "frames": feature sequences, checked by
    :func:`~skspeech._validation.check_frames`), writes ``transform``, and
    may override :meth:`_check_params` and :meth:`_output_dtype`. Its
    ``transform`` output is not wrapped by ``set_output`` (3-D or ragged),
    unless the subclass passes ``auto_wrap_output_keys``.
    """

    _takes = "clips"

    def __init_subclass__(cls, auto_wrap_output_keys=None, **kwargs):
        super().__init_subclass__(auto_wrap_output_keys=auto_wrap_output_keys, **kwargs)

    def _check_params(self) -> None:
        """Rules across parameters, after ``_parameter_constraints``; none by default."""

    def _output_dtype(self) -> str:
        """The dtype of the output (and of the checked input): float32 by default."""
        return "float32"

    def _check_transform_params(self) -> None:
        """The parameter checks of ``fit``, for ``transform`` on an unfitted clone."""
        self._validate_params()
        self._check_params()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: ArrayLike | None = None) -> StatelessTransformer:
        """Check the parameters and ``X``; nothing is learned.

        Parameters
        ----------
        X : ndarray or list of ndarray
            What ``transform`` takes: clips ``(n_clips, n_samples)`` or a
            list of 1-D arrays, or frame sequences
            ``(n_clips, n_frames, n_coeffs)`` or a list of 2-D arrays.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._check_params()
        if self._takes == "frames":
            check_frames(X, estimator=self, reset=True)
        else:
            check_audio(X, estimator=self, reset=True, silent="raise",
                        dtype=np.dtype(self._output_dtype()))
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = [self._output_dtype()]
        return tags
