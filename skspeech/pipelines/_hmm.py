"""MFCC sequences + one hidden Markov model per word: the classic isolated-word recogniser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._docstrings import fill_doc
from .._validation import check_sr
from ._augment import check_augment, with_copies
from ._docs import RECIPE_DOC
from ._pipeline import SpeechPipeline

if TYPE_CHECKING:
    from ..augment import AugmentedClassifier


@fill_doc(**RECIPE_DOC)
def hmm_pipeline(sr: int = 16000, *, target_sr: int | None = None, n_mfcc: int = 13,
                 deltas: int = 2, cmvn: str | None = None, n_states: int = 8, n_mix: int = 1,
                 covariance_type: str = "diag", topology: str = "left-right", n_iter: int = 20,
                 tol: float = 0.01, min_covar: float = 1e-3,
                 class_prior: str | ArrayLike | None = None, augment: bool = True,
                 n_jobs: int | None = None,
                 random_state: int | np.random.RandomState | None = None, verbose: int = 0
                 ) -> SpeechPipeline | AugmentedClassifier:
    """Build an unfitted HMM recipe from waveforms to words.

    Resampler -> MFCC -> Deltas -> CMVN -> HMMClassifier, trained by default
    on the clips plus two perturbed copies of each (``augment``).
    Each clip becomes its own sequence of MFCC frames (with their deltas),
    unpadded, so clips of any length are welcome and silence padding is never
    learned as speech. One left-right HMM per word is trained on the
    sequences of that word; a clip goes to the word whose model explains it
    best. Needs hmmlearn (``pip install 'skspeech[hmm]'``) but no GPU.

    Parameters
    ----------
    %(sr)s
    %(target_sr)s
    n_mfcc : int, default=13
        Cepstral coefficients per frame (c0 is the log frame energy).
    deltas : {0, 1, 2}, default=2
        Append deltas (how the spectrum moves; 1), also delta-deltas (2), or
        none (0). With 13 MFCCs, 2 gives 39 coefficients per frame.
    cmvn : {None, "mean", "mean_var"}, default=None
        Per-clip normalisation of each coefficient: subtract its mean over the
        clip's frames ("mean"), also divide by its standard deviation
        ("mean_var"), or none. Off by default: on short clips the level
        carries information, and on FSDD it cost accuracy (see
        :doc:`/user_guide`). Try it when speakers or recording channels
        differ a lot.
    n_states : int, default=8
        Hidden states per word model (one or two per sound of the word).
    n_mix : int, default=1
        Gaussians per state; more than 1 uses a GMM-HMM, which trains about
        10 times slower (hmmlearn's ``GMMHMM``) for little gain on FSDD.
    covariance_type : {"diag", "spherical", "full", "tied"}, default="diag"
        Covariance of each Gaussian.
    topology : {"left-right", "ergodic"}, default="left-right"
        Left-right (Bakis) models go through the states in order, as speech
        does; "ergodic" allows any transition.
    n_iter : int, default=20
        Maximum EM iterations per word model.
    tol : float, default=0.01
        EM stops when the log-likelihood gains less than this.
    min_covar : float, default=1e-3
        Variance floor.
    class_prior : None, "fit" or array-like, default=None
        Word priors: None uniform, "fit" the word frequencies in ``y``.
    augment : bool, default=True
        Fit-only waveform augmentation: ``fit`` trains on every clip plus two
        randomly perturbed copies of it (speed, shift, gain, noise:
        :class:`~skspeech.augment.WaveAugmenter` with ``n_copies=2``), so the
        word models see more ways of saying each word; ``predict`` and
        ``score`` get the clips as they are. It is what helps most on voices
        never heard in training (see Notes), for about 2-4 times the training
        time. False returns the plain Pipeline and trains on the clips as
        given: the fastest fit, or when the test voices are the training
        voices.
    n_jobs : int, default=None
        Word models trained in parallel (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the augmentation's perturbations and the initialisation of
        ergodic and mixture models (left-right models with ``n_mix=1`` start
        from a deterministic segmentation). With an int, ``fit`` is
        repeatable.
    verbose : int, default=0
        1 prints one line per word model trained.

    Returns
    -------
    model : AugmentedClassifier or sklearn.pipeline.Pipeline
        With ``augment=True`` (the default), an
        :class:`~skspeech.augment.AugmentedClassifier` around the Pipeline:
        ``estimator`` is the Pipeline, ``augmenter`` the
        :class:`~skspeech.augment.WaveAugmenter`. It has ``fit``,
        ``predict``, ``predict_proba``, ``score`` and, once fitted,
        ``classes_``; the fitted Pipeline is ``model.estimator_``. Parameters
        are reached through the wrapper: ``estimator__hmm__n_states``,
        ``estimator__mfcc__n_mfcc``, ``augmenter__n_copies``,
        ``augmenter__snr`` (e.g. in ``GridSearchCV`` or ``set_params``).

        With ``augment=False``, the Pipeline itself: steps ``guard``, ``resample``,
        ``mfcc``, ``deltas``, ``cmvn``, ``hmm`` (unused steps are
        ``"passthrough"`` and can be set later with ``set_params``), reached
        as ``hmm__n_states`` etc.

    See Also
    --------
    skspeech.models.HMMClassifier : The classifier at the end.
    skspeech.pipelines.svm_pipeline : MFCC statistics and an SVM: faster to train.
    skspeech.pipelines.conv1d_pipeline : Convolutional network (TensorFlow).

    Notes
    -----
    Augmentation gains most where it matters to a user, whose voice is
    never in the training set. The accuracy of this recipe on the Free
    Spoken Digit Dataset, on voices heard and never heard in training, with
    and without augmentation and for other numbers of states, is in
    :doc:`/unseen_voices` and :doc:`/user_guide`
    (``benchmarks/bench_unseen_voices.py``, ``bench_end_to_end.py``,
    ``bench_hmm.py``).

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.pipelines import hmm_pipeline
    >>> rng = np.random.default_rng(0)
    >>> def chirp(f0, n):  # a rising tone of n samples at 8 kHz, plus noise
    ...     t = np.arange(n) / 8000
    ...     return np.sin(2 * np.pi * (f0 + 500 * t) * t) + 0.1 * rng.standard_normal(n)
    >>> X = [chirp(300, n) for n in (3000, 3500, 4000, 4500)]
    >>> X += [chirp(1200, n) for n in (3200, 3600, 3800, 4400)]
    >>> y = ["low"] * 4 + ["high"] * 4
    >>> model = hmm_pipeline(sr=8000, n_states=3, random_state=0).fit(X, y)
    >>> type(model).__name__, model.n_train_  # 8 clips + 2 perturbed copies of each
    ('AugmentedClassifier', 24)
    >>> model.predict([chirp(1200, 4100), chirp(300, 2500)])
    array(['high', 'low'], dtype='<U4')
    >>> model.estimator_.named_steps["hmm"].n_states
    3

    Without augmentation the recipe is the Pipeline itself:

    >>> plain = hmm_pipeline(sr=8000, n_states=3, augment=False).fit(X, y)
    >>> [name for name, _ in plain.steps]
    ['guard', 'resample', 'mfcc', 'deltas', 'cmvn', 'hmm']
    >>> plain.predict([chirp(1200, 4100), chirp(300, 2500)])
    array(['high', 'low'], dtype='<U4')
    """
    from ..features import CMVN, MFCC, Deltas
    from ..models import HMMClassifier
    from ..preprocessing import GarbageGuard, Resampler

    sr = check_sr(sr)
    if deltas not in (0, 1, 2):
        raise ValueError(f"deltas must be 0 (none), 1 (deltas) or 2 (also delta-deltas); "
                         f"got {deltas!r}.")
    if cmvn not in (None, "mean", "mean_var"):
        raise ValueError(f"cmvn must be None (no normalisation), 'mean' or 'mean_var'; "
                         f"got {cmvn!r}.")
    check_augment(augment)
    rate = sr if target_sr is None else check_sr(target_sr, "target_sr")
    pipeline = SpeechPipeline([
        ("guard", GarbageGuard(sr=sr)),
        ("resample", "passthrough" if rate == sr else Resampler(orig_sr=sr, target_sr=rate)),
        ("mfcc", MFCC(sr=rate, n_mfcc=n_mfcc)),
        ("deltas", Deltas(order=deltas) if deltas else "passthrough"),
        ("cmvn", "passthrough" if cmvn is None else CMVN(variance=cmvn == "mean_var")),
        ("hmm", HMMClassifier(n_states=n_states, n_mix=n_mix, covariance_type=covariance_type,
                              topology=topology, n_iter=n_iter, tol=tol, min_covar=min_covar,
                              class_prior=class_prior, n_jobs=n_jobs,
                              random_state=random_state, verbose=verbose)),
    ])
    return with_copies(pipeline, sr=sr, n_copies=2 if augment else 0,
                       random_state=random_state)
