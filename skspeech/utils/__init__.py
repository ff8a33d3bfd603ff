"""Utilities: estimator discovery, and looking inside a fitted model.

The inspection helpers find the steps, classifiers, augmenters, rate and clip
length of any model skspeech makes (a Pipeline, a search, an
:class:`~skspeech.augment.AugmentedClassifier`, a voting ensemble), without
importing TensorFlow.
"""

from .._inspection import (
    augmenters,
    chains,
    classifiers,
    clip_seconds,
    histories,
    is_keras_classifier,
    model_sr,
    rate_source,
    split_model,
    steps,
    unwrap,
)
from .discovery import all_estimators

__all__ = ["all_estimators", "augmenters", "chains", "classifiers", "clip_seconds", "histories",
           "is_keras_classifier", "model_sr", "rate_source", "split_model", "steps", "unwrap"]
