"""The HMM, keyword-spotting and SVM recipes voting together: the recipe for voices never heard."""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_random_state

from .._docstrings import fill_doc
from .._validation import check_sr
from ._docs import RECIPE_DOC

if TYPE_CHECKING:
    from ..models import GeometricVotingClassifier

# The networks that vote: wider than kws_pipeline's default (which is sized for a 64 KB
# int8 file), since an ensemble with an HMM and an SVM is never exported to TFLite; they
# voted better so. Their waveform copies leave the tempo alone (kws_pipeline's default
# stretches it): with tempo copies the vote scored lower. They get no babble either: the vote
# was measured without it. Figures: docs/unseen_voices.rst, "The recipes voting together".
_ENSEMBLE_NETWORK = {"stem_filters": 64, "filters": (64, 64, 64, 64), "shortcut": "conv",
                     "tempo": None, "babble": 0.0}
# The first (third, ...) network convolves over time and bands (KWS2DClassifier): it errs on
# other clips of a new voice than the 1-D ones, the HMM and the SVM do (see docs/unseen_voices).
_ENSEMBLE_NETWORK_2D = {"conv": "2d", "tempo": None, "babble": 0.0}


@fill_doc(**RECIPE_DOC)
def ensemble_pipeline(sr: int = 16000, *, target_sr: int | None = None, duration: float = 1.0,
                      hmm: bool = True, svm: bool = True, hmm_scale: float = 4.0,
                      n_networks: int = 2, weights: ArrayLike | None = None,
                      augment: bool = True,
                      noise: Sequence[ArrayLike | str | os.PathLike] | None = None,
                      epochs: int = 60, n_jobs: int | None = None,
                      random_state: int | np.random.RandomState | None = None, verbose: int = 0
                      ) -> GeometricVotingClassifier:
    """Build an unfitted HMM + keyword-spotting networks + SVM ensemble from waveforms to words.

    Three recipes fitted on the same clips vote by the weighted geometric
    mean of their probabilities
    (:class:`~skspeech.models.GeometricVotingClassifier`):

    - ``"hmm"``: :func:`hmm_pipeline` (MFCC sequences, one HMM per word,
      trained on each clip plus two perturbed copies), its probabilities
      taken from the mean log-likelihood per frame times ``hmm_scale``
      (``HMMClassifier(posterior_scale=...)``);
    - ``"kws"``, ``"kws2"``, ...: ``n_networks`` :func:`kws_pipeline`
      networks on log-mel frames (trained on each clip plus two perturbed
      copies, with SpecAugment), each with its own seed, alternately of
      two kinds, since different networks err on different clips of a new
      voice. ``"kws"`` (and ``"kws3"``, ...) is ``kws_pipeline(conv="2d",
      tempo=None)``: convolutions over time and mel bands
      (:class:`~skspeech.models.KWS2DClassifier`, 23 k weights), the
      network that hears the hardest new voices best. ``"kws2"`` (and
      ``"kws4"``, ...) is ``kws_pipeline(stem_filters=64, filters=(64,) *
      4, shortcut="conv", tempo=None)``: convolutions over time
      (:class:`~skspeech.models.KWSClassifier`), 64 channels and learned
      shortcuts, 57 k weights, wider than ``kws_pipeline``'s default of 48
      channels (sized for a 64 KB TFLite file; an ensemble is not
      exported). Neither gets tempo-stretched copies (they voted better
      without) nor babble (measured without it);
    - ``"svm"``: :func:`svm_pipeline` (MFCC statistics, an RBF SVM), with
      half a vote: the sharpest on voices it was trained on, the weakest on
      new ones.

    They fail on different clips: on the Free Spoken Digit Dataset with
    each of the 6 speakers left out once, the vote scores several points
    above the best of them alone (see :doc:`/unseen_voices`). Training
    costs the sum of all members (the networks' dominates: minutes each for
    a few thousand clips, on CPU; ``n_jobs=2`` fits two members at once);
    WAV file to word about 8 ms per clip. :doc:`/unseen_voices` has its
    accuracy on voices never heard, speaker by speaker.

    Parameters
    ----------
    %(sr)s
    target_sr : int, default=None
        Every member resamples to this rate first; None keeps ``sr``.
    duration : float, default=1.0
        Clip length the network pads or trims to, in seconds (the HMM takes
        clips of any length).
    hmm : bool, default=True
        Include the HMM member: the strongest vote on a few clean voices
        (FSDD), the weakest member on crowd-sourced recordings (Speech
        Commands; see :doc:`/speech_commands`). False saves its training
        time.
    svm : bool, default=True
        Include the SVM member (half a vote by default).
    hmm_scale : float, default=4.0
        The HMM's ``posterior_scale``: how sharp its probabilities are
        against the network's. 2-8 gave the best votes in our tests (4:
        chosen on three of FSDD's six speakers, checked on the other three).
    n_networks : int, default=2
        How many keyword-spotting networks vote (seeds ``random_state``,
        ``random_state + 1``, ...). 1 halves the training time.
    weights : array-like of shape (n_members,), default=None
        Exponents of the HMM's, each network's and the SVM's probabilities,
        in that order (members left out have none); None gives 1 to the HMM
        and to each network and 0.5 to the SVM (the sharpest on voices it
        was trained on, the weakest on new ones).
    augment : bool, default=True
        The HMM's and the network's fit-only augmentation (perturbed copies,
        and the network's SpecAugment); False trains them on the clips as
        they are. The SVM is always trained on the clips as they are.
    noise : list of ndarray or path, or None, default=None
        Background-noise recordings the networks' waveform copies mix in
        (see :func:`kws_pipeline`); None mixes in generated noise.
    epochs : int, default=60
        The networks' training epochs (the length of their learning-rate schedule).
    n_jobs : int, default=None
        Fit the recipes in parallel (joblib processes); None means one
        after the other.
    random_state : int, RandomState instance or None, default=None
        Seeds the members (augmentation, initialisation, training); an int
        gives repeatable fits.
    verbose : int, default=0
        1 shows the network's progress and a line per HMM.

    Returns
    -------
    ensemble : skspeech.models.GeometricVotingClassifier
        Members ``"hmm"``, ``"kws"`` (and ``"kws2"``, ... for more
        networks) and ``"svm"``; reach their parameters
        as ``hmm__estimator__hmm__n_states``,
        ``kws__estimator__kws__learning_rate``, ``kws__augmenter__n_copies``
        (``hmm__hmm__n_states`` and ``kws__kws__learning_rate`` with
        ``augment=False``), ``svm__svc__estimator__C`` etc.; ``set_params(svm="drop")``
        leaves the SVM out.

    Raises
    ------
    ImportError
        If hmmlearn, TensorFlow, Keras or scikeras is missing (the ``hmm``
        and ``keras`` extras).

    See Also
    --------
    skspeech.pipelines.hmm_pipeline : The HMM member alone (faster to train).
    skspeech.pipelines.kws_pipeline : The network member alone.
    skspeech.pipelines.svm_pipeline : The SVM member alone.
    skspeech.model_selection.speaker_cv_score : Leave-one-speaker-out accuracy.

    Examples
    --------
    >>> from skspeech.pipelines import ensemble_pipeline
    >>> model = ensemble_pipeline(sr=8000, random_state=0)
    >>> [name for name, _ in model.estimators]
    ['hmm', 'kws', 'kws2', 'svm']
    >>> model.weights
    (1.0, 1.0, 1.0, 0.5)
    >>> model.get_params()["kws2__estimator__kws__random_state"]
    1
    >>> type(model.get_params()["kws__estimator__kws"]).__name__
    'KWS2DClassifier'
    >>> model.get_params()["kws2__estimator__kws__shortcut"]
    'conv'
    >>> model.get_params()["kws__augmenter__tempo"] is None
    True
    >>> model.get_params()["kws__estimator__cepstra"]
    'passthrough'
    >>> model.get_params()["hmm__estimator__hmm__posterior_scale"]
    4.0
    >>> networks = ensemble_pipeline(sr=16000, hmm=False, svm=False, random_state=0)
    >>> [name for name, _ in networks.estimators], networks.weights
    (['kws', 'kws2'], (1.0, 1.0))
    """
    sr = check_sr(sr)
    if isinstance(n_networks, bool) or not isinstance(n_networks, Integral) or n_networks < 1:
        raise ValueError(f"n_networks must be an int >= 1 (keyword-spotting networks that "
                         f"vote); got {n_networks!r}.")
    from ..models import GeometricVotingClassifier
    from ..models._voting import check_vote_weights

    for name, value in (("hmm", hmm), ("svm", svm)):
        if value not in (True, False):
            raise ValueError(f"{name} must be True (a member of the vote) or False; "
                             f"got {value!r}.")
    n_members = n_networks + int(hmm) + int(svm)
    if weights is None:
        weights = (1.0,) * (int(hmm) + n_networks) + ((0.5,) if svm else ())
    elif np.ndim(weights) != 1 or len(weights) != n_members:
        names = ", ".join((["the HMM"] if hmm else []) + ["each network"]
                          + (["the SVM"] if svm else []))
        raise ValueError(f"weights must be a sequence of {n_members} numbers ({names}); got "
                         f"{weights!r}.")
    weights = tuple(float(w) for w in check_vote_weights(weights))
    from ._hmm import hmm_pipeline
    from ._kws import kws_pipeline
    from ._svm import svm_pipeline

    members = []
    if hmm:
        hmm_model = hmm_pipeline(sr, target_sr=target_sr, augment=augment,
                                 random_state=random_state, verbose=int(verbose > 0))
        inner = hmm_model.estimator if augment else hmm_model
        inner.set_params(hmm__posterior_scale=float(hmm_scale))
        members.append(("hmm", hmm_model))
    networks = [(f"kws{i + 1 if i else ''}",
                 kws_pipeline(sr, target_sr=target_sr, duration=duration, augment=augment,
                              noise=noise, epochs=epochs, random_state=seed, verbose=verbose,
                              **(_ENSEMBLE_NETWORK if i % 2 else _ENSEMBLE_NETWORK_2D)))
                for i, seed in enumerate(_seeds(random_state, n_networks))]
    members += networks
    if svm:
        members.append(("svm", svm_pipeline(sr, target_sr=target_sr)))
    return GeometricVotingClassifier(members, weights=weights, n_jobs=n_jobs)


def _seeds(random_state, n):
    """One seed per network: ``random_state + i`` for an int, else fresh draws (None stays None)."""
    if random_state is None:
        return [None] * n
    if isinstance(random_state, Integral):
        return [int(random_state) + i for i in range(n)]
    rng = check_random_state(random_state)
    return [int(rng.randint(2 ** 31 - 1)) for _ in range(n)]
