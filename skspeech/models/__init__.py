"""Classifiers: the tutorial's Conv1D network, two keyword-spotting networks, HMMs, and voting.

Importing this module does not import TensorFlow, Keras, scikeras or
hmmlearn: each class loads its dependency when it is first used.
"""

from .._lazy import lazy_getattr

_LAZY = {
    "HMMClassifier": "._hmm",
    "Conv1DClassifier": "._conv1d",
    "KWSClassifier": "._kws",
    "KWS2DClassifier": "._kws2d",
    "GeometricVotingClassifier": "._voting",
    "TrainingCheckpoint": "._checkpoint",
    "ClipProgress": "._checkpoint",
    "default_processes": "._workers",
}

__all__ = sorted(_LAZY)
__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__():
    return __all__
