"""skspeech: spoken-command recognition with scikit-learn.

Importing :mod:`skspeech` is cheap: it imports no TensorFlow, hmmlearn or
espeak-ng. Subpackages are imported on first use, e.g.
``from skspeech.pipelines import svm_pipeline``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
