"""Ready-made recipes: unfitted scikit-learn Pipelines from waveform to word.

Also :class:`NetworkEmbedding`, a fitted or pretrained network's embedding as a
transformer, which :func:`custom_words_pipeline` builds on.
"""

from .._lazy import lazy_attach

_LAZY = {
    "svm_pipeline": "._svm",
    "hmm_pipeline": "._hmm",
    "conv1d_pipeline": "._conv1d",
    "kws_pipeline": "._kws",
    "ensemble_pipeline": "._ensemble",
    "custom_words_pipeline": "._custom_words",
    "NetworkEmbedding": "._embedding",
    "SpeechPipeline": "._pipeline",
    "fit_with_progress": "._progress",
}

__getattr__, __dir__, __all__ = lazy_attach(__name__, _LAZY)
