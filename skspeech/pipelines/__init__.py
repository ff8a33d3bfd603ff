"""Ready-made recipes: unfitted scikit-learn Pipelines from waveform to word."""

from .._lazy import lazy_getattr

_LAZY = {
    "svm_pipeline": "._svm",
    "hmm_pipeline": "._hmm",
    "conv1d_pipeline": "._conv1d",
    "kws_pipeline": "._kws",
    "ensemble_pipeline": "._ensemble",
    "SpeechPipeline": "._pipeline",
}

__all__ = sorted(_LAZY)
__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__():
    return __all__
