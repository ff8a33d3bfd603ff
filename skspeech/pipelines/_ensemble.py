"""The HMM and keyword-spotting recipes voting together: the recipe for voices never heard."""

from .._validation import check_sr


def ensemble_pipeline(sr=16000, *, target_sr=None, duration=1.0, hmm_scale=4.0, weights=None,
                      augment=True, epochs=60, n_jobs=None, random_state=None, verbose=0):
    """Build an unfitted HMM + keyword-spotting network ensemble from waveforms to words.

    Two recipes fitted on the same clips vote by the geometric mean of
    their probabilities (:class:`~skspeech.models.GeometricVotingClassifier`):

    - ``"hmm"``: :func:`hmm_pipeline` (MFCC sequences, one HMM per word,
      trained on each clip plus two perturbed copies), its probabilities
      taken from the mean log-likelihood per frame times ``hmm_scale``
      (``HMMClassifier(posterior_scale=...)``);
    - ``"kws"``: :func:`kws_pipeline` (log-mel frames, a residual network of
      separable convolutions with SpecAugment while training).

    They fail on different clips: on the Free Spoken Digit Dataset with
    each of the 6 speakers left out once, the pair scores several points
    above the better of them alone (see :doc:`/unseen_voices`). Training
    costs the sum of both (minutes for a few thousand clips, on CPU);
    WAV file to word about 17 ms per clip (median, 2 busy cores).

    Parameters
    ----------
    sr : int, default=16000
        Sample rate of the clips given to ``fit`` and ``predict``, in Hz
        (8000 for the Free Spoken Digit Dataset).
    target_sr : int, default=None
        Both recipes resample to this rate first; None keeps ``sr``.
    duration : float, default=1.0
        Clip length the network pads or trims to, in seconds (the HMM takes
        clips of any length).
    hmm_scale : float, default=4.0
        The HMM's ``posterior_scale``: how sharp its probabilities are
        against the network's. 2-8 gave the best votes in our tests (4:
        chosen on three of FSDD's six speakers, checked on the other three).
    weights : array-like of shape (2,), default=None
        Exponents of the HMM's and the network's probabilities; None: equal.
    augment : bool, default=True
        Each member's fit-only augmentation (the HMM's perturbed copies, the
        network's SpecAugment and time shift); False trains both on the
        clips as they are.
    epochs : int, default=60
        The network's maximum epochs (early stopping usually ends sooner).
    n_jobs : int, default=None
        Fit the two recipes in parallel (joblib processes); None means one
        after the other.
    random_state : int, RandomState instance or None, default=None
        Seeds both recipes (augmentation, initialisation, training).
    verbose : int, default=0
        1 shows the network's progress and a line per HMM.

    Returns
    -------
    ensemble : skspeech.models.GeometricVotingClassifier
        Members ``"hmm"`` and ``"kws"``; reach their parameters as
        ``hmm__estimator__hmm__n_states`` (``hmm__hmm__n_states`` with
        ``augment=False``), ``kws__kws__learning_rate`` etc.

    Raises
    ------
    ImportError
        If hmmlearn, TensorFlow, Keras or scikeras is missing (the ``hmm``
        and ``keras`` extras).

    See Also
    --------
    skspeech.pipelines.hmm_pipeline : The HMM member alone (faster to train).
    skspeech.pipelines.kws_pipeline : The network member alone.
    skspeech.model_selection.speaker_cv_score : Leave-one-speaker-out accuracy.

    Examples
    --------
    >>> from skspeech.pipelines import ensemble_pipeline
    >>> model = ensemble_pipeline(sr=8000, random_state=0)
    >>> [name for name, _ in model.estimators]
    ['hmm', 'kws']
    >>> model.get_params()["hmm__estimator__hmm__posterior_scale"]
    4.0
    """
    sr = check_sr(sr)
    from ..models import GeometricVotingClassifier
    from ._hmm import hmm_pipeline
    from ._kws import kws_pipeline

    hmm = hmm_pipeline(sr, target_sr=target_sr, augment=augment, random_state=random_state,
                       verbose=int(verbose > 0))
    inner = hmm.estimator if augment else hmm
    inner.set_params(hmm__posterior_scale=float(hmm_scale))
    kws = kws_pipeline(sr, target_sr=target_sr, duration=duration, augment=augment,
                       epochs=epochs, random_state=random_state, verbose=verbose)
    return GeometricVotingClassifier([("hmm", hmm), ("kws", kws)], weights=weights,
                                     n_jobs=n_jobs)
