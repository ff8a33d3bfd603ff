"""MFCC statistics + support vector machine: the fast, strong classic recipe."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.calibration import CalibratedClassifierCV
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .._docstrings import fill_doc
from .._validation import check_sr
from ._docs import RECIPE_DOC
from ._pipeline import SpeechPipeline


@fill_doc(**RECIPE_DOC)
def svm_pipeline(sr: int = 16000, *, target_sr: int | None = None, duration: float | None = None,
                 n_mfcc: int = 13, deltas: int = 1,
                 stats: Sequence[str] = ("mean", "std", "min", "max"), C: float = 10.0,
                 gamma: str | float = "scale", probability: bool = True) -> SpeechPipeline:
    """Build an unfitted SVM pipeline from waveforms to words.

    Resampler -> PadTrim -> MFCC -> Deltas -> FrameStats -> StandardScaler -> SVC.
    Each clip's MFCC frames (and their deltas) are pooled into one vector of
    statistics, so clips of any length are compared on equal terms; the SVM
    (RBF kernel) then separates the words. Fits in seconds on thousands of
    clips and needs no GPU.

    Parameters
    ----------
    %(sr)s
    %(target_sr)s
    duration : float, default=None
        Pad or trim every clip to this many seconds. None (recommended) keeps
        each clip's length: statistics are pooled over real frames only, while
        padding would add silent frames to them.
    n_mfcc : int, default=13
        Cepstral coefficients per frame (c0 is the log frame energy).
    deltas : {0, 1, 2}, default=1
        Append delta coefficients (how the spectrum moves; 1), also
        delta-deltas (2), or none (0).
    stats : tuple of str, default=("mean", "std", "min", "max")
        Statistics pooled over each clip's frames (see
        :class:`~skspeech.features.FrameStats`).
    C : float, default=10.0
        SVM regularisation (larger fits the training data more closely).
    gamma : {"scale", "auto"} or float, default="scale"
        RBF kernel width.
    probability : bool, default=True
        Enable ``predict_proba``: the SVM is wrapped in
        :class:`~sklearn.calibration.CalibratedClassifierCV` (temperature
        scaling of its decision values, fitted on 5-fold out-of-fold
        predictions, as scikit-learn 1.9 recommends in place of
        ``SVC(probability=True)``). Training takes a few times longer; the
        words predicted are the SVM's own. Its parameters are then reached as
        ``svc__estimator__C``; with ``probability=False`` as ``svc__C``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``guard``, ``resample``, ``padtrim``, ``mfcc``, ``deltas``, ``stats``,
        ``scale``, ``svc``; unused steps are ``"passthrough"`` and can be set
        later with ``set_params``.

    See Also
    --------
    skspeech.pipelines.hmm_pipeline : HMM per word on MFCC sequences.
    skspeech.pipelines.conv1d_pipeline : Convolutional network (TensorFlow).

    Notes
    -----
    Unlike :func:`~skspeech.pipelines.hmm_pipeline`, this recipe has no
    augmentation by default: wrapping it in
    ``AugmentedClassifier(svm_pipeline(...), WaveAugmenter(n_copies=2))``
    gained little on voices never heard for four times the training time
    (figures in :doc:`/unseen_voices`).

    Examples
    --------
    %(tones_example)s
    >>> from skspeech.pipelines import svm_pipeline
    >>> model = svm_pipeline(sr=8000, probability=False).fit(X, y)
    >>> model.predict([tone(1220), tone(280)])
    array(['high', 'low'], dtype='<U4')
    """
    from ..features import MFCC, Deltas, FrameStats
    from ..preprocessing import GarbageGuard, PadTrim, Resampler

    sr = check_sr(sr)
    if deltas not in (0, 1, 2):
        raise ValueError(f"deltas must be 0 (none), 1 (deltas) or 2 (also delta-deltas); "
                         f"got {deltas!r}.")
    svc = SVC(C=C, gamma=gamma)
    rate = sr if target_sr is None else check_sr(target_sr, "target_sr")
    return SpeechPipeline([
        ("guard", GarbageGuard(sr=sr)),
        ("resample", "passthrough" if rate == sr else Resampler(orig_sr=sr, target_sr=rate)),
        ("padtrim", "passthrough" if duration is None else PadTrim(duration=duration, sr=rate)),
        ("mfcc", MFCC(sr=rate, n_mfcc=n_mfcc)),
        ("deltas", Deltas(order=deltas) if deltas else "passthrough"),
        ("stats", FrameStats(stats=tuple(stats))),
        ("scale", StandardScaler()),
        ("svc", CalibratedClassifierCV(svc, method="temperature", ensemble=False, cv=5)
                if probability else svc),
    ])
