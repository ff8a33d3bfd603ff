"""skspeech: spoken-command recognition with scikit-learn.

Importing :mod:`skspeech` is cheap: it imports no TensorFlow, hmmlearn or
espeak-ng. Subpackages are imported on first use, e.g.
``from skspeech.pipelines import svm_pipeline``.
"""

from ._lazy import lazy_getattr
from ._version import __version__

_LAZY = {
    "save_model": "._persistence",
    "load_model": "._persistence",
    "ModelVersionWarning": "._persistence",
}

__all__ = ["__version__", *sorted(_LAZY)]
__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__():
    return sorted(set(globals()) | set(__all__))
