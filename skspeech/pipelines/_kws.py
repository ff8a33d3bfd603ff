"""Keyword-spotting recipe: log-mel frames -> a small residual separable-convolution network."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from .._validation import check_sr


def relative_log_level(frames, top_db=80.0):
    """Log-mel frames relative to each clip's loudest value, floored ``top_db`` below it.

    ``log(power) - max(log(power))`` per clip, clipped at ``-top_db`` dB (in
    natural-log units): the same clip recorded louder or softer gives the
    same frames (a microphone's or a speaker's level is not a word), and the
    silence that PadTrim adds sits at the floor instead of at the
    spectrogram's ``log(eps)``, ~25 units below speech.
    """
    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim != 3:
        raise ValueError(f"relative_log_level takes frames of shape (n_clips, n_frames, "
                         f"n_bands); got shape {frames.shape}. Pad or trim the clips first.")
    floor = np.float32(top_db * np.log(10.0) / 10.0)
    peak = frames.max(axis=(1, 2), keepdims=True)
    return np.maximum(frames - peak, -floor)


def kws_pipeline(sr=16000, *, target_sr=None, duration=1.0, n_mels=40, top_db=80.0,
                 cmvn=True, augment=True, epochs=60, batch_size=64, patience=10, random_state=None, verbose=0,
                 **network):
    """Build an unfitted keyword-spotting pipeline from waveforms to words.

    Resampler -> PadTrim (``duration``) -> LogMelSpectrogram (``n_mels``
    bands, 25 ms windows every 10 ms) -> :class:`~skspeech.models.KWSClassifier`
    (a residual network of time-channel separable convolutions, about 57 k
    weights, with a per-band normalisation layer and, when ``augment`` is on,
    SpecAugment and random time shifts applied only while training).

    This is the recipe for voices never heard in training: see
    :doc:`/unseen_voices` for the leave-one-speaker-out figures.

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the clips given to ``fit`` and ``predict``, in Hz.
    target_sr : int, default=None
        Resample to this rate first; None keeps ``sr``.
    duration : float, default=1.0
        Pad (with silence) or trim every clip to this many seconds.
    n_mels : int, default=40
        Mel bands per frame (the network's input channels).
    top_db : float or None, default=80.0
        Express each clip's log-mel frames relative to its loudest value,
        floored ``top_db`` dB below (:func:`relative_log_level`); None keeps
        the absolute levels.
    cmvn : bool, default=True
        Normalise each band of each clip to zero mean and unit variance over
        its frames (:class:`~skspeech.features.CMVN`): cancels a fixed
        microphone or voice colouring.
    augment : bool, default=True
        Training-time augmentation inside the network (time shift up to 10 %,
        two band masks and two time masks per clip). False trains on the
        frames as they are.
    epochs : int, default=60
        Maximum training epochs (early stopping usually ends sooner).
    batch_size : int, default=64
        Clips per gradient step.
    patience : int or None, default=10
        Epochs without a lower validation loss before stopping.
    random_state : int, RandomState instance or None, default=None
        Seed for repeatable training.
    verbose : int, default=0
        1 shows a progress bar over epochs.
    **network
        Other :class:`~skspeech.models.KWSClassifier` parameters
        (e.g. ``filters=(32, 32, 32)``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``resample``, ``padtrim``, ``features``, ``level``, ``cmvn``, ``kws``
        (unused steps are ``"passthrough"``); reach the
        network's parameters as ``kws__learning_rate`` etc.

    Raises
    ------
    ImportError
        If TensorFlow, Keras or scikeras is missing (the ``keras`` extra).

    See Also
    --------
    skspeech.models.KWSClassifier : The network.
    skspeech.augment.AugmentedClassifier : Fit-only waveform augmentation around any recipe.
    skspeech.model_selection.speaker_cv_score : Leave-one-speaker-out accuracy.

    Examples
    --------
    >>> from skspeech.pipelines import kws_pipeline
    >>> model = kws_pipeline(sr=8000)
    >>> [name for name, _ in model.steps]
    ['resample', 'padtrim', 'features', 'level', 'cmvn', 'kws']
    >>> model.named_steps["features"]
    LogMelSpectrogram(n_mels=40, sr=8000)
    """
    sr = check_sr(sr)
    try:
        from ..models import KWSClassifier
    except ImportError as exc:
        raise ImportError(f"kws_pipeline needs TensorFlow, Keras and scikeras: "
                          f"pip install 'skspeech[keras]' ({exc})") from exc
    from ..features import CMVN, LogMelSpectrogram
    from ..preprocessing import PadTrim, Resampler

    rate = sr if target_sr is None else check_sr(target_sr, "target_sr")
    net = dict(epochs=epochs, batch_size=batch_size, patience=patience,
               random_state=random_state, verbose=verbose)
    if not augment:
        net.update(time_shift=0.0, freq_masks=0, time_masks=0)
    net.update(network)
    return Pipeline([
        ("resample", "passthrough" if rate == sr else Resampler(orig_sr=sr, target_sr=rate)),
        ("padtrim", PadTrim(duration=duration, sr=rate)),
        ("features", LogMelSpectrogram(sr=rate, n_mels=n_mels)),
        ("level", "passthrough" if top_db is None else FunctionTransformer(
            relative_log_level, kw_args={"top_db": float(top_db)})),
        ("cmvn", CMVN(variance=True) if cmvn else "passthrough"),
        ("kws", KWSClassifier(**net)),
    ])
