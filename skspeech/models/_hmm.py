"""One hidden Markov model per class: the classic isolated-word recogniser."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._docstrings import fill_doc
from .._validation import check_frames
from ._hmm_em import _converged, _fit_one, _import_hmmlearn


@fill_doc
class HMMClassifier(ClassifierMixin, BaseEstimator):
    """Isolated-word recogniser: one hidden Markov model per class.

    For every class, a Gaussian HMM (hmmlearn ``GaussianHMM``, or
    ``GMMHMM`` when ``n_mix > 1``) is trained by EM (Baum-Welch) on that
    class's frame sequences. A clip goes to the class whose model gives it
    the highest log-likelihood plus log prior. Probabilities are the
    posteriors ``p(c | x) = p(x | c) p(c) / sum_k p(x | k) p(k)``, computed
    with log-sum-exp. Sequences may have different lengths, so the features of
    each clip are used unpadded: silence padding is never learned as speech.

    Needs hmmlearn (``pip install 'skspeech[hmm]'``), imported on first use.

    Parameters
    ----------
    n_states : int, default=5
        Hidden states per class model.
    n_mix : int, default=1
        Gaussian components per state. 1 uses ``GaussianHMM``, more uses
        ``GMMHMM`` (about 10 times slower to train).
    covariance_type : {"diag", "spherical", "full", "tied"}, default="diag"
        Covariance of each Gaussian. "diag" suits (decorrelated) MFCCs.
    topology : {"left-right", "ergodic"}, default="left-right"
        "left-right" (Bakis): a sequence starts in state 0, and each state
        may only stay, move to the next or skip one. These zeros are kept by
        EM. "ergodic": any state may follow any state, with random initial
        start and transition probabilities.
    n_iter : int, default=20
        Maximum EM iterations per class model.
    tol : float, default=0.01
        EM stops when the training log-likelihood gains less than this.
    min_covar : float, default=1e-3
        Variance floor applied after every EM iteration (eigenvalue floor
        for "full" and "tied"), so a state whose frames are (nearly) constant
        does not collapse to a zero variance and infinite likelihoods.
    class_prior : None, "fit" or array-like of shape (n_classes,), default=None
        Prior class probabilities ``p(c)``. None: uniform (decide on the
        likelihood alone). "fit": class frequencies in ``y``. An array gives
        them in ``classes_`` (sorted) order; it is normalised to sum to 1.
    posterior_scale : float or None, default=None
        How ``predict_proba`` turns likelihoods into probabilities. None:
        Bayes' rule on the whole clip's log-likelihood, which is a sum over
        its frames and so gives probabilities of almost exactly 0 or 1. A
        float ``s``: the clip's mean log-likelihood per frame times ``s``
        (speech recognisers call this an acoustic scale), i.e.
        ``p(c | x) ~ p(c) exp(s log p(x | c) / n_frames)``: softer
        probabilities that can be combined with other models' (see
        :func:`skspeech.pipelines.ensemble_pipeline`). With a uniform prior
        the predicted class is the same either way.
    n_jobs : int, default=None
        Class models trained in parallel (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means and mixture initialisation (and the ergodic start
        and transition probabilities). Pass an int for reproducible models.
    verbose : int, default=0
        0: silent. 1: one line per class model (frames, EM iterations,
        time). 2: also hmmlearn's per-iteration log-likelihoods and warnings.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    models_ : list of hmmlearn.hmm.GaussianHMM or hmmlearn.hmm.GMMHMM
        The fitted model of each class, in ``classes_`` order.
    class_log_prior_ : ndarray of shape (n_classes,)
        Log of the class priors used in prediction.
    n_iter_ : ndarray of shape (n_classes,)
        EM iterations run for each class model.
    converged_ : ndarray of shape (n_classes,)
        Whether EM reached ``tol`` before ``n_iter`` for each class model.
    n_coeffs_ : int
        Coefficients per frame seen in ``fit``.
    n_features_in_ : int
        Number of frames per sequence seen in ``fit`` (2-D input only).

    See Also
    --------
    skspeech.pipelines.hmm_pipeline : MFCC features and this classifier in one Pipeline.
    sklearn.naive_bayes.GaussianNB : The same Bayes rule with one Gaussian per class.

    Notes
    -----
    The initial means come from uniform segmentation (left-right: each
    sequence is cut into ``n_states`` equal parts, one per state) or from
    k-means (ergodic); all states start from the covariance of all the
    class's frames. A left-right model needs, for each class, at least one
    sequence with ``n_states`` frames (so that every state starts with
    frames of its own), and every model needs at least ``n_states * n_mix``
    frames per class; ``fit`` says which class falls short.

    EM runs hmmlearn's fast scaled forward-backward and moves to log space
    if that underflows; scoring is always in log space. A clip that no model
    can explain (log-likelihood -inf everywhere, e.g. values far outside
    anything seen in training) gets the class priors as probabilities, with
    a warning, never NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.models import HMMClassifier
    >>> rng = np.random.default_rng(0)
    >>> def word(start, n_frames):  # 2 coefficients drifting from `start` upwards
    ...     path = np.linspace(start, start + 3, n_frames)[:, None]
    ...     return path + [0, 1] + 0.3 * rng.standard_normal((n_frames, 2))
    >>> lengths = rng.integers(15, 30, 16)  # sequences of 15 to 29 frames
    >>> X = [word(0, n) for n in lengths[:8]] + [word(3, n) for n in lengths[8:]]
    >>> y = ["up"] * 8 + ["high"] * 8
    >>> clf = HMMClassifier(n_states=3, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['high', 'up'], dtype='<U4')
    >>> clf.predict([word(0, 20), word(3, 25)])
    array(['up', 'high'], dtype='<U4')
    >>> clf.predict_proba([word(0, 12)]).round(3)
    array([[0., 1.]])
    >>> model = clf.models_[0]  # the hmmlearn GaussianHMM of class "high"
    >>> model.startprob_, bool(np.tril(model.transmat_, -1).any())  # left-right kept by EM
    (array([1., 0., 0.]), False)
    """

    _parameter_constraints = {
        "n_states": [Interval(Integral, 1, None, closed="left")],
        "n_mix": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"diag", "spherical", "full", "tied"})],
        "topology": [StrOptions({"left-right", "ergodic"})],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "min_covar": [Interval(Real, 0, None, closed="neither")],
        "class_prior": [None, StrOptions({"fit"}), "array-like"],
        "posterior_scale": [None, Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_states=5, *, n_mix=1, covariance_type="diag", topology="left-right",
                 n_iter=20, tol=0.01, min_covar=1e-3, class_prior=None, posterior_scale=None,
                 n_jobs=None, random_state=None, verbose=0):
        self.n_states = n_states
        self.n_mix = n_mix
        self.covariance_type = covariance_type
        self.topology = topology
        self.n_iter = n_iter
        self.tol = tol
        self.min_covar = min_covar
        self.class_prior = class_prior
        self.posterior_scale = posterior_scale
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_class_sizes(self, seqs, y_idx):
        n_states, n_mix = int(self.n_states), int(self.n_mix)
        need_total = n_states * n_mix
        left_right = self.topology == "left-right"
        for k, label in enumerate(self.classes_.tolist()):
            lengths = [len(seqs[i]) for i in np.flatnonzero(y_idx == k)]
            total, longest = sum(lengths), max(lengths)
            if total >= need_total and (not left_right or longest >= n_states):
                continue
            need = f"at least {need_total} frames in total (n_states * n_mix)"
            if left_right:
                need = (f"at least one sequence of >= {n_states} frames (n_states, "
                        f"left-right) and {need}")
            raise ValueError(
                f"HMMClassifier(n_states={n_states}, n_mix={n_mix}, topology="
                f"{self.topology!r}): class {label!r} has {len(lengths)} sequence(s) of "
                f"{min(lengths)} to {longest} frames ({total} frames in total); each class "
                f"needs {need}. Lower n_states or n_mix, give that class more or longer "
                "clips (a smaller hop_length gives more frames per clip), or drop it."
            )

    def _class_log_prior(self, y_idx):
        n_classes = len(self.classes_)
        prior = self.class_prior
        if prior is None:
            return np.full(n_classes, -np.log(n_classes))
        if isinstance(prior, str):  # "fit"
            return np.log(np.bincount(y_idx, minlength=n_classes) / len(y_idx))
        prior = np.asarray(prior, dtype=float)
        if (prior.shape != (n_classes,) or not np.isfinite(prior).all() or (prior < 0).any()
                or prior.sum() <= 0):
            raise ValueError(
                f"HMMClassifier: class_prior must hold {n_classes} non-negative numbers (one "
                f"per class, in the order of classes_ = {self.classes_.tolist()}); got "
                f"{self.class_prior!r}. Use class_prior=None for uniform priors."
            )
        with np.errstate(divide="ignore"):
            return np.log(prior / prior.sum())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike | Sequence[ArrayLike], y: ArrayLike) -> HMMClassifier:
        """Train one HMM per class on that class's sequences.

        %(X_frames)s
        y : array-like of shape (n_clips,)
            Class labels (strings or integers).

        Returns
        -------
        self : HMMClassifier
            The fitted classifier.
        """
        _import_hmmlearn()
        seqs = check_frames(X, estimator=self, reset=True, dtype=np.float64)
        y = column_or_1d(y, warn=True)
        if len(y) != len(seqs):
            raise ValueError(
                f"HMMClassifier: X has {len(seqs)} sequences but y has {len(y)} labels; "
                "give one label per sequence."
            )
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"HMMClassifier needs at least 2 classes to tell apart; y has only one class, "
                f"{self.classes_.tolist()[0]!r}. Add clips of other classes."
            )
        self._check_class_sizes(seqs, y_idx)
        self.class_log_prior_ = self._class_log_prior(y_idx)
        self.n_coeffs_ = int(seqs[0].shape[1])
        rs = check_random_state(self.random_state)
        seeds = rs.randint(np.iinfo(np.int32).max, size=len(self.classes_))
        params = dict(n_states=int(self.n_states), n_mix=int(self.n_mix),
                      covariance_type=self.covariance_type, topology=self.topology,
                      n_iter=int(self.n_iter), tol=float(self.tol),
                      min_covar=float(self.min_covar), verbose=int(self.verbose))
        jobs = (delayed(_fit_one)([seqs[i] for i in np.flatnonzero(y_idx == k)], label=label,
                                  seed=int(seeds[k]), **params)
                for k, label in enumerate(self.classes_.tolist()))
        if self.verbose:
            print(f"[HMMClassifier] training {len(self.classes_)} class models "
                  f"(n_states={params['n_states']}, n_mix={params['n_mix']}, "
                  f"{self.topology}) on {len(seqs)} sequences", flush=True)
        self.models_ = []
        # Results arrive in class order as each model is done: progress for long fits.
        for k, (model, seconds) in enumerate(
                Parallel(n_jobs=self.n_jobs, return_as="generator")(jobs)):
            self.models_.append(model)
            if self.verbose:
                members = np.flatnonzero(y_idx == k)
                print(f"[HMMClassifier] class {self.classes_.tolist()[k]!r}: {len(members)} "
                      f"sequences, {sum(len(seqs[i]) for i in members)} frames, "
                      f"{model.monitor_.iter} EM iterations "
                      f"({'converged' if _converged(model) else 'not converged'}), "
                      f"log-likelihood {model.monitor_.history[-1]:.1f}, {seconds:.1f} s",
                      flush=True)
        self.n_iter_ = np.array([m.monitor_.iter for m in self.models_])
        self.converged_ = np.array([_converged(m) for m in self.models_])
        return self

    def _check_predict_input(self, X):
        check_is_fitted(self)
        seqs = check_frames(X, estimator=self, dtype=np.float64)
        n_coeffs = seqs[0].shape[1]
        if n_coeffs != self.n_coeffs_:
            raise ValueError(
                f"X has {n_coeffs} coefficients per frame, but HMMClassifier was fitted on "
                f"{self.n_coeffs_}; transform the clips with the same features as in fit."
            )
        return seqs

    def log_likelihood(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Log-likelihood of each sequence under each class model, ``log p(x | c)``.

        %(X_frames)s

        Returns
        -------
        log_likelihood : ndarray of shape (n_clips, n_classes)
            Columns in ``classes_`` order. ``-inf`` (never NaN) where a
            model cannot produce the sequence at all.
        """
        return self._log_likelihood(self._check_predict_input(X))

    def _log_likelihood(self, seqs):
        out = np.empty((len(seqs), len(self.classes_)))
        with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
            for k, model in enumerate(self.models_):
                for i, s in enumerate(seqs):
                    out[i, k] = model.score(s)
        out[np.isnan(out)] = -np.inf
        return out

    def predict_joint_log_proba(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Joint log-probability ``log p(x, c) = log p(x | c) + log p(c)``.

        %(X_frames)s

        Returns
        -------
        joint_log_proba : ndarray of shape (n_clips, n_classes)
            Columns in ``classes_`` order.
        """
        return self.log_likelihood(X) + self.class_log_prior_

    def decision_function(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Per-class scores: the joint log-probability ``log p(x, c)``.

        %(X_frames)s

        Returns
        -------
        scores : ndarray of shape (n_clips, n_classes) or (n_clips,)
            With two classes, as scikit-learn expects, the difference
            ``log p(x, classes_[1]) - log p(x, classes_[0])`` (the log odds).
        """
        jll = self.predict_joint_log_proba(X)
        if len(self.classes_) == 2:
            with np.errstate(invalid="ignore"):
                diff = jll[:, 1] - jll[:, 0]
            return np.where(np.isnan(diff), 0.0, diff)
        return jll

    def predict_log_proba(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Log posterior probability of each class.

        %(X_frames)s

        Returns
        -------
        log_proba : ndarray of shape (n_clips, n_classes)
            Columns in ``classes_`` order. With ``posterior_scale`` set, from
            the scaled mean log-likelihood per frame.
        """
        if self.posterior_scale is None:
            return self._log_posterior(self.predict_joint_log_proba(X))
        seqs = self._check_predict_input(X)
        n_frames = np.array([len(s) for s in seqs], dtype=np.float64)[:, np.newaxis]
        scaled = self._log_likelihood(seqs) * (float(self.posterior_scale) / n_frames)
        return self._log_posterior(scaled + self.class_log_prior_)

    def _log_posterior(self, jll):
        unexplained = np.isneginf(jll).all(axis=1)
        if unexplained.any():
            warnings.warn(
                f"HMMClassifier: {int(unexplained.sum())} of {len(jll)} sequence(s) have "
                "log-likelihood -inf under every class model (values far outside the "
                "training data?); their probabilities are the class priors.",
                RuntimeWarning, stacklevel=3,
            )
            jll = jll.copy()
            jll[unexplained] = self.class_log_prior_
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Posterior probability of each class, ``p(c | x)``.

        %(X_frames)s

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes)
            ``p(c | x)`` for the classes in ``classes_`` order, rows summing to 1.
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """The most probable class of each sequence.

        %(X_frames)s

        Returns
        -------
        y : ndarray of shape (n_clips,)
            Labels from ``classes_``.
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
