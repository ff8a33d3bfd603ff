"""Conv1D network recipes: the tutorial's raw-waveform net and smaller nets on frames."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._docstrings import fill_doc
from .._validation import check_sr
from ._docs import network_doc
from ._pipeline import SpeechPipeline

_FEATURES = ("raw", "mfcc", "logmel")

# The tutorial's network on 1 s of 8 kHz waveform (Conv1DClassifier's defaults).
_RAW_NET = {}

# A smaller net for ~100 frames of 13-40 coefficients: two conv blocks, max
# over time, one hidden layer; a Normalization layer learns each coefficient's
# mean and variance on the training split (MFCC c0 is ~10x the others). 17 k weights;
# its figures: docs/user_guide.rst, "Choices behind the recipes" (benchmarks/bench_conv1d.py).
_FRAMES_NET = dict(filters=(32, 64), kernel_sizes=5, pool_size=2, dropout=0.2,
                   dense_units=(64,), dense_dropout=0.3, global_pooling="max",
                   input_normalization=True)


@fill_doc(**network_doc(epochs=100, batch_size=32))
def conv1d_pipeline(features: str = "mfcc", sr: int = 16000, *, target_sr: int | None = None,
                    duration: float = 1.0, n_mfcc: int = 13, n_mels: int = 26,
                    cmvn: bool = False, epochs: int = 100, batch_size: int = 32,
                    patience: int | None = 10,
                    random_state: int | np.random.RandomState | None = None, verbose: int = 0,
                    **network: Any) -> SpeechPipeline:
    """Build an unfitted Conv1D network pipeline from waveforms to words.

    ``features="raw"`` is the TensorFlow tutorial's recipe: Resampler to
    8 kHz -> PadTrim to 1 s -> the tutorial's network
    (:class:`~skspeech.models.Conv1DClassifier` defaults, 1.6 M weights) on
    the waveform itself.

    ``features="mfcc"`` and ``"logmel"`` compute frames first: PadTrim to
    ``duration`` -> MFCC or log-mel frames (25 ms windows every 10 ms) at the
    input rate (16 kHz keeps everything below 8 kHz; the frame count does not
    depend on the rate) -> a small network over time (two conv blocks, max
    over time, 17 k weights, a normalisation layer for the coefficients).
    This is more accurate and ~10x faster to train than the raw recipe.

    Parameters
    ----------
    features : {"mfcc", "logmel", "raw"}, default="mfcc"
        What the network reads.
    %(sr)s
    target_sr : int, default=None
        Resample to this rate first. None means 8000 for ``"raw"`` (the
        tutorial) and ``sr`` itself for frames.
    duration : float, default=1.0
        Pad (with silence) or trim every clip to this many seconds: the
        networks need one input length.
    n_mfcc : int, default=13
        Cepstral coefficients per frame (``features="mfcc"``).
    n_mels : int, default=26
        Mel bands (python_speech_features' default; more bands train longer
        and did not score higher on FSDD, see :doc:`/user_guide`).
    cmvn : bool, default=False
        Normalise each clip's coefficients to zero mean and unit variance over
        its frames (:class:`~skspeech.features.CMVN`) before the network. The
        network's own normalisation layer already handles scale; per-clip
        normalisation cancels a fixed channel (microphone) difference but
        also counts the padding frames, which cost accuracy with log-mel on
        FSDD (:doc:`/user_guide`).
    %(training)s
    **network
        Other :class:`~skspeech.models.Conv1DClassifier` parameters; they
        override the recipe's network (e.g. ``filters=(16, 32)``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``guard``, ``resample``, ``padtrim``, ``features``, ``cmvn``, ``conv1d``;
        unused steps are ``"passthrough"``. Tune the network with e.g.
        ``set_params(conv1d__learning_rate=3e-4)``.

    %(needs_keras)s

    See Also
    --------
    skspeech.models.Conv1DClassifier : The network as a classifier.
    skspeech.pipelines.svm_pipeline : MFCC statistics and an SVM; no TensorFlow.

    Examples
    --------
    >>> from skspeech.pipelines import conv1d_pipeline
    >>> model = conv1d_pipeline("mfcc", sr=8000)
    >>> [name for name, _ in model.steps]
    ['guard', 'resample', 'padtrim', 'features', 'cmvn', 'conv1d']
    >>> conv1d_pipeline("raw", sr=16000).named_steps["resample"]
    Resampler()
    """
    if features not in _FEATURES:
        raise ValueError(f"features must be one of {_FEATURES}; got {features!r}.")
    sr = check_sr(sr)
    try:
        from ..models import Conv1DClassifier
    except ImportError as exc:
        raise ImportError(f"conv1d_pipeline needs TensorFlow, Keras and scikeras: "
                          f"pip install 'skspeech[keras]' ({exc})") from exc
    from ..features import CMVN, MFCC, LogMelSpectrogram
    from ..preprocessing import GarbageGuard, PadTrim, Resampler

    if target_sr is None:
        rate = 8000 if features == "raw" else sr
    else:
        rate = check_sr(target_sr, "target_sr")
    if features == "raw":
        if cmvn:
            raise ValueError("cmvn=True normalises feature frames; it does not apply to "
                             "features='raw'.")
        front = "passthrough"
        net = dict(_RAW_NET)
    elif features == "mfcc":
        front = MFCC(sr=rate, n_mfcc=n_mfcc, n_mels=n_mels)
        net = dict(_FRAMES_NET)
    else:
        front = LogMelSpectrogram(sr=rate, n_mels=n_mels)
        net = dict(_FRAMES_NET)
    net.update(epochs=epochs, batch_size=batch_size, patience=patience,
               random_state=random_state, verbose=verbose)
    net.update(network)
    return SpeechPipeline([
        ("guard", GarbageGuard(sr=sr)),
        ("resample", "passthrough" if rate == sr else Resampler(orig_sr=sr, target_sr=rate)),
        ("padtrim", PadTrim(duration=duration, sr=rate)),
        ("features", front),
        ("cmvn", CMVN(variance=True) if cmvn else "passthrough"),
        ("conv1d", Conv1DClassifier(**net)),
    ])
