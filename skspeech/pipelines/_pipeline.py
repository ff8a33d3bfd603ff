"""The recipes' Pipeline: scikit-learn's, plus a check that its steps agree on the sample rate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if

from ._streamed import fit_streamed, is_lazy, predict_streamed, score_streamed


def _check_rates(pipeline):
    from .._persistence import model_sr  # here: _persistence imports the pipelines lazily too

    model_sr(pipeline)  # raises a ValueError naming the steps that disagree


def _final_estimator_has(attr):
    """Like scikit-learn's Pipeline: a method exists when the last step has it."""

    def check(pipeline):
        getattr(pipeline._final_estimator, attr)  # AttributeError, as scikit-learn raises
        return True

    return check


class SpeechPipeline(Pipeline):
    """A :class:`sklearn.pipeline.Pipeline` that refuses steps set to different sample rates.

    Every recipe in :mod:`skspeech.pipelines` returns one. It behaves exactly
    like scikit-learn's Pipeline, but before ``fit`` and before each
    prediction it checks that the steps which name a rate (``GarbageGuard.sr``,
    ``PadTrim.sr``, ``MFCC.sr``, a ``Resampler``'s ``orig_sr`` and
    ``target_sr``, ...) agree along the chain. Without the check,
    ``set_params(mfcc__sr=8000)`` on a 16 kHz recipe would fit and predict
    without a word, computing every feature at the wrong rate.

    It also takes clips that are read when needed
    (:class:`~skspeech.io.AudioFiles`, ``load_speech_commands(lazy=True)``):
    ``fit`` then fits the front end on a sample of them and gives the last
    step the clips with the fitted front end applied batch by batch (the
    networks train on those batches), and the predictions are made a batch
    at a time.

    Parameters
    ----------
    steps : list of tuple
        ``(name, estimator)`` pairs, as for :class:`sklearn.pipeline.Pipeline`.
    memory, transform_input, verbose
        As for :class:`sklearn.pipeline.Pipeline`.

    See Also
    --------
    sklearn.pipeline.Pipeline : The class this one extends.

    Examples
    --------
    >>> from skspeech.pipelines import svm_pipeline
    >>> model = svm_pipeline(sr=16000).set_params(mfcc__sr=8000)
    >>> model.fit([[0.0] * 16000] * 2, ["yes", "no"])
    Traceback (most recent call last):
    ...
    ValueError: The model's steps disagree on the sample rate: step 'mfcc' (MFCC) expects ...
    """

    def fit(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None,
            **params: Any) -> SpeechPipeline:
        """Fit the steps, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X):  # clips read batch by batch (AudioFiles): see _streamed
            return fit_streamed(self, X, y, **params)
        return super().fit(X, y, **params)

    @available_if(_final_estimator_has("predict"))
    def predict(self, X: ArrayLike | Sequence[ArrayLike], **params: Any) -> np.ndarray:
        """Pipeline.predict, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X):
            return predict_streamed(self, "predict", X, **params)
        return super().predict(X, **params)

    @available_if(_final_estimator_has("predict_proba"))
    def predict_proba(self, X: ArrayLike | Sequence[ArrayLike], **params: Any) -> np.ndarray:
        """Pipeline.predict_proba, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X):
            return predict_streamed(self, "predict_proba", X, **params)
        return super().predict_proba(X, **params)

    @available_if(_final_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: ArrayLike | Sequence[ArrayLike], **params: Any) -> np.ndarray:
        """Pipeline.predict_log_proba, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X):
            return predict_streamed(self, "predict_log_proba", X, **params)
        return super().predict_log_proba(X, **params)

    @available_if(_final_estimator_has("decision_function"))
    def decision_function(self, X: ArrayLike | Sequence[ArrayLike], **params: Any) -> np.ndarray:
        """Pipeline.decision_function, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X):
            return predict_streamed(self, "decision_function", X, **params)
        return super().decision_function(X, **params)

    @available_if(_final_estimator_has("score"))
    def score(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike | None = None,
              sample_weight: ArrayLike | None = None, **params: Any) -> float:
        """Pipeline.score, after checking that the steps agree on the sample rate."""
        _check_rates(self)
        if is_lazy(X) and not params:
            return score_streamed(self, X, y, sample_weight=sample_weight)
        return super().score(X, y, sample_weight=sample_weight, **params)
