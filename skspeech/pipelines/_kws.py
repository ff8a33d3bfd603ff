"""Keyword-spotting recipe: log-mel frames -> a small residual separable-convolution network."""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.preprocessing import FunctionTransformer

from .._docstrings import fill_doc
from .._validation import check_sr
from ..features._frame_functions import _check_top_db, cepstra, relative_log_level
from ._augment import check_augment, with_copies
from ._docs import network_doc
from ._pipeline import SpeechPipeline

if TYPE_CHECKING:
    from ..augment import AugmentedClassifier


@fill_doc(**network_doc(epochs=60, batch_size=64, patience=None))
def kws_pipeline(sr: int = 16000, *, target_sr: int | None = None, duration: float = 1.0,
                 n_mels: int = 40, top_db: float | None = 80.0, n_ceps: int | None = None,
                 cmvn: bool = True, conv: str = "1d", augment: bool = True, n_copies: int = 2,
                 tempo: tuple[float, float] | None = (0.8, 1.25), shift: float = 0.25,
                 noise: Sequence[ArrayLike | str | os.PathLike] | None = None,
                 snr: tuple[float, float] = (0.0, 30.0), generated_noise: float = 0.5,
                 babble: float = 0.3,
                 epochs: int = 60,
                 batch_size: int = 64, patience: int | None = None,
                 random_state: int | np.random.RandomState | None = None, verbose: int = 0,
                 **network: Any) -> SpeechPipeline | AugmentedClassifier:
    """Build an unfitted keyword-spotting pipeline from waveforms to words.

    Resampler -> PadTrim (``duration``) -> LogMelSpectrogram (``n_mels``
    bands, 25 ms windows every 10 ms), each clip relative to its peak and
    normalised per band -> :class:`~skspeech.models.KWSClassifier`
    (a residual network of time-channel separable convolutions, about 30 k
    weights, with a per-band normalisation layer and, when ``augment`` is on,
    SpecAugment and random time shifts applied only while training). With
    ``augment`` on, the network is also trained on ``n_copies`` perturbed
    copies of each clip (:class:`~skspeech.augment.WaveAugmenter`: shift,
    speed, tempo, gain, a random equaliser and noise), made only while
    fitting.

    This is the recipe for voices never heard in training: see
    :doc:`/unseen_voices` for the leave-one-speaker-out figures.

    Parameters
    ----------
    %(sr)s
    %(target_sr)s
    duration : float, default=1.0
        Pad (with silence) or trim every clip to this many seconds.
    n_mels : int, default=40
        Mel bands per frame (the network's input channels).
    top_db : float or None, default=80.0
        Express each clip's log-mel frames relative to its loudest value,
        floored ``top_db`` dB below (:func:`relative_log_level`); None keeps
        the absolute levels.
    n_ceps : int or None, default=None
        None gives the network the ``n_mels`` bands. An int gives it the
        first ``n_ceps`` cepstral coefficients of each frame instead
        (:func:`cepstra`: a DCT across the bands, as for MFCCs; at most
        ``n_mels``): the spectral envelope without the pitch harmonics.
        Which of the two hears new voices better depends on the data; see
        :doc:`/unseen_voices`.
    cmvn : bool, default=True
        Normalise each band of each clip to zero mean and unit variance over
        its frames (:class:`~skspeech.features.CMVN`): cancels a fixed
        microphone or voice colouring.
    conv : {"1d", "2d"}, default="1d"
        The network: ``"1d"`` :class:`~skspeech.models.KWSClassifier`
        (convolutions over time, the bands as channels; 30 k weights, the
        fastest), ``"2d"`` :class:`~skspeech.models.KWS2DClassifier`
        (convolutions over time and bands, 23 k weights, 5 times the
        arithmetic), which hears the hardest new voices better; see
        :doc:`/unseen_voices`. ``**network`` then takes that class's
        parameters.
    augment : bool, default=True
        Training-time augmentation: ``n_copies`` perturbed copies of each
        clip, and inside the network a time shift up to 10 %, two band masks
        and two time masks per clip. False trains on the clips as they are.
    n_copies : int, default=2
        Perturbed waveform copies of each clip when ``augment`` is on
        (training takes ``1 + n_copies`` times as long); 0 keeps only the
        in-network augmentation.
    tempo : (float, float) or None, default=(0.8, 1.25)
        Range of the copies' tempo factor (time stretch, pitch kept): people
        speak faster or slower than the training voices. None leaves the
        tempo alone (the speed perturbation, 0.9-1.1, stays).
    shift : float, default=0.25
        Largest time shift of the copies, in seconds either way: a listener
        classifies windows whose sound is centred anywhere in their middle
        half, so the network learns words that far off centre.
    noise : list of ndarray or path, or None, default=None
        Background-noise recordings (arrays at ``sr`` or audio files) that
        the waveform copies mix in at ``snr`` (80 % of them), as the
        Speech Commands recipe does, e.g.
        :func:`~skspeech.datasets.background_noise`; None mixes in
        generated white, pink or brown noise instead.
    snr : (float, float), default=(0.0, 30.0)
        Range of the copies' signal-to-noise ratio, in dB.
    generated_noise : float, default=0.5
        With ``noise`` recordings, the share of the noisy copies that get
        generated noise of a random colour instead (white to brown): more
        kinds of noise than a few recordings hold.
    babble : float, default=0.3
        The share of the noisy copies that get babble made of the training
        clips instead (several voices at once, half of them reversed): see
        :class:`~skspeech.augment.WaveAugmenter`. On Speech Commands it keeps
        the clips' accuracy and, in a stream, gives more hits at every
        threshold and fewer false alarms up to 0.98 (:doc:`/user_side`); 0
        trains without it.
    %(training)s
    **network
        Other :class:`~skspeech.models.KWSClassifier` parameters
        (e.g. ``stem_filters=32, filters=(32, 32, 32, 32)``; ``strides``
        needs one value per block of ``filters``).

    Returns
    -------
    model : AugmentedClassifier or sklearn.pipeline.Pipeline
        The Pipeline, with steps ``guard``, ``resample``, ``padtrim``, ``features``,
        ``level``, ``cepstra``, ``cmvn``, ``kws`` (unused steps are ``"passthrough"``):
        the network's parameters are ``kws__learning_rate`` etc. With
        ``augment`` and ``n_copies >= 1`` it comes wrapped in
        :class:`~skspeech.augment.AugmentedClassifier` (the Pipeline is its
        ``estimator``: ``estimator__kws__learning_rate``, and the copies'
        settings ``augmenter__eq`` etc.).

    %(needs_keras)s

    See Also
    --------
    skspeech.models.KWSClassifier : The network.
    skspeech.augment.AugmentedClassifier : Fit-only waveform augmentation around any recipe.
    skspeech.model_selection.speaker_cv_score : Leave-one-speaker-out accuracy.

    Examples
    --------
    >>> from skspeech.pipelines import kws_pipeline
    >>> model = kws_pipeline(sr=8000, random_state=0)
    >>> [name for name, _ in model.estimator.steps]
    ['guard', 'resample', 'padtrim', 'features', 'level', 'cepstra', 'cmvn', 'kws']
    >>> model.estimator.named_steps["cepstra"]  # the bands; n_ceps=20 for cepstra
    'passthrough'
    >>> model.estimator.named_steps["features"]
    LogMelSpectrogram(n_mels=40, sr=8000)
    >>> model.augmenter.n_copies, model.augmenter.eq, model.augmenter.tempo
    (2, (-8.0, 8.0), (0.8, 1.25))
    >>> [name for name, _ in kws_pipeline(sr=8000, augment=False).steps][-1]
    'kws'
    """
    sr = check_sr(sr)
    check_augment(augment)
    if isinstance(n_copies, bool) or not isinstance(n_copies, Integral) or n_copies < 0:
        raise ValueError(f"n_copies must be an int >= 0 (perturbed copies of each clip); "
                         f"got {n_copies!r}.")
    if top_db is not None:
        _check_top_db(top_db)
    if n_ceps is not None and (isinstance(n_ceps, bool) or not isinstance(n_ceps, Integral)
                               or n_ceps < 1):
        raise ValueError(f"n_ceps must be None (the log-mel bands) or an int >= 1 (cepstral "
                         f"coefficients kept per frame); got {n_ceps!r}.")
    if cmvn not in (True, False):
        raise ValueError(f"cmvn must be True (normalise each band of each clip) or False; "
                         f"got {cmvn!r}.")
    if conv not in ("1d", "2d"):
        raise ValueError(f"conv must be '1d' (convolutions over time) or '2d' (over time and "
                         f"bands); got {conv!r}.")
    try:
        from ..models import KWS2DClassifier, KWSClassifier
    except ImportError as exc:
        raise ImportError(f"kws_pipeline needs TensorFlow, Keras and scikeras: "
                          f"pip install 'skspeech[keras]' ({exc})") from exc
    from ..features import CMVN, LogMelSpectrogram
    from ..preprocessing import GarbageGuard, PadTrim, Resampler

    rate = sr if target_sr is None else check_sr(target_sr, "target_sr")
    net = dict(epochs=epochs, batch_size=batch_size, patience=patience,
               random_state=random_state, verbose=verbose)
    if not augment:
        net.update(time_shift=0.0, freq_masks=0, time_masks=0)
    net.update(network)
    pipeline = SpeechPipeline([
        ("guard", GarbageGuard(sr=sr)),
        ("resample", "passthrough" if rate == sr else Resampler(orig_sr=sr, target_sr=rate)),
        ("padtrim", PadTrim(duration=duration, sr=rate)),
        ("features", LogMelSpectrogram(sr=rate, n_mels=n_mels)),
        ("level", "passthrough" if top_db is None else FunctionTransformer(
            relative_log_level, kw_args={"top_db": float(top_db)})),
        ("cepstra", "passthrough" if n_ceps is None else FunctionTransformer(
            cepstra, kw_args={"n_ceps": min(int(n_ceps), int(n_mels))})),
        ("cmvn", CMVN(variance=True) if cmvn else "passthrough"),
        ("kws", (KWSClassifier if conv == "1d" else KWS2DClassifier)(**net)),
    ])
    model = with_copies(pipeline, sr=sr, n_copies=n_copies if augment else 0,
                        random_state=random_state, eq=(-8.0, 8.0), tempo=tempo, noise=noise,
                        shift=shift, snr=snr, generated_noise=generated_noise,
                        babble=babble)
    if model is not pipeline:
        # a bad tempo fails here, not after the features (noise files are read when fitting)
        model.augmenter._check_ranges(read_files=False)
    return model
