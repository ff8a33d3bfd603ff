"""Augmentation that acts only when fitting: a waveform sampler and a fit-only wrapper.

:class:`WaveAugmenter` is a *sampler* (``fit_resample``, the imbalanced-learn
API): it returns the clips plus perturbed copies. :class:`AugmentedClassifier`
runs a sampler before fitting any classifier or pipeline and never at
``predict``/``score``. Spectrogram masking (SpecAugment) lives inside
:class:`~skspeech.models.KWSClassifier`, active only in training.
"""

from ._classifier import AugmentedClassifier
from ._wave import WaveAugmenter

__all__ = ["AugmentedClassifier", "WaveAugmenter"]
