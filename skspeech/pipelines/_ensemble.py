"""The HMM, keyword-spotting and SVM recipes voting together: the recipe for voices never heard."""

from .._validation import check_sr


def ensemble_pipeline(sr=16000, *, target_sr=None, duration=1.0, hmm_scale=4.0,
                      weights=(1.0, 1.0, 0.5), augment=True, epochs=60, n_jobs=None,
                      random_state=None, verbose=0):
    """Build an unfitted HMM + keyword-spotting network + SVM ensemble from waveforms to words.

    Three recipes fitted on the same clips vote by the weighted geometric
    mean of their probabilities
    (:class:`~skspeech.models.GeometricVotingClassifier`):

    - ``"hmm"``: :func:`hmm_pipeline` (MFCC sequences, one HMM per word,
      trained on each clip plus two perturbed copies), its probabilities
      taken from the mean log-likelihood per frame times ``hmm_scale``
      (``HMMClassifier(posterior_scale=...)``);
    - ``"kws"``: :func:`kws_pipeline` (log-mel frames, a residual network of
      separable convolutions, trained on each clip plus two perturbed
      copies, with SpecAugment);
    - ``"svm"``: :func:`svm_pipeline` (MFCC statistics, an RBF SVM), with
      half a vote: the sharpest on voices it was trained on, the weakest on
      new ones.

    They fail on different clips: on the Free Spoken Digit Dataset with
    each of the 6 speakers left out once, the vote scores several points
    above the best of them alone (see :doc:`/unseen_voices`). Training
    costs the sum of all three (the network's dominates: minutes for a few
    thousand clips, on CPU); WAV file to word about 20 ms per clip.

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
    weights : array-like of shape (3,) or None, default=(1.0, 1.0, 0.5)
        Exponents of the HMM's, the network's and the SVM's probabilities;
        None: equal.
    augment : bool, default=True
        The HMM's and the network's fit-only augmentation (perturbed copies,
        and the network's SpecAugment); False trains them on the clips as
        they are. The SVM is always trained on the clips as they are.
    epochs : int, default=60
        The network's maximum epochs (early stopping usually ends sooner).
    n_jobs : int, default=None
        Fit the recipes in parallel (joblib processes); None means one
        after the other.
    random_state : int, RandomState instance or None, default=None
        Seeds both recipes (augmentation, initialisation, training).
    verbose : int, default=0
        1 shows the network's progress and a line per HMM.

    Returns
    -------
    ensemble : skspeech.models.GeometricVotingClassifier
        Members ``"hmm"``, ``"kws"`` and ``"svm"``; reach their parameters
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
    ['hmm', 'kws', 'svm']
    >>> model.weights
    (1.0, 1.0, 0.5)
    >>> model.get_params()["hmm__estimator__hmm__posterior_scale"]
    4.0
    """
    sr = check_sr(sr)
    from ..models import GeometricVotingClassifier
    from ._hmm import hmm_pipeline
    from ._kws import kws_pipeline
    from ._svm import svm_pipeline

    hmm = hmm_pipeline(sr, target_sr=target_sr, augment=augment, random_state=random_state,
                       verbose=int(verbose > 0))
    inner = hmm.estimator if augment else hmm
    inner.set_params(hmm__posterior_scale=float(hmm_scale))
    kws = kws_pipeline(sr, target_sr=target_sr, duration=duration, augment=augment,
                       epochs=epochs, random_state=random_state, verbose=verbose)
    svm = svm_pipeline(sr, target_sr=target_sr)
    return GeometricVotingClassifier([("hmm", hmm), ("kws", kws), ("svm", svm)],
                                     weights=weights, n_jobs=n_jobs)
