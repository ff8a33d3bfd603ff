"""Fit-only waveform copies around a recipe, shared by hmm_pipeline and kws_pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from sklearn.base import BaseEstimator

    from ..augment import AugmentedClassifier


def check_augment(augment: bool) -> None:
    """Refuse an ``augment`` that is not a bool."""
    if augment not in (True, False):
        raise ValueError(f"augment must be True (train on the clips plus perturbed copies) or "
                         f"False (on the clips as they are); got {augment!r}.")


def with_copies(pipeline: BaseEstimator, *, sr: int, n_copies: int,
                random_state: int | np.random.RandomState | None, **augmenter: Any
                ) -> BaseEstimator | AugmentedClassifier:
    """``pipeline`` trained on each clip plus ``n_copies`` perturbed copies.

    An :class:`~skspeech.augment.AugmentedClassifier` around ``pipeline``
    with a :class:`~skspeech.augment.WaveAugmenter` (``augmenter`` are its
    other parameters); ``pipeline`` itself when ``n_copies`` is 0.
    """
    if n_copies == 0:
        return pipeline
    from ..augment import AugmentedClassifier, WaveAugmenter

    return AugmentedClassifier(pipeline, WaveAugmenter(sr=sr, n_copies=int(n_copies),
                                                       random_state=random_state, **augmenter))
