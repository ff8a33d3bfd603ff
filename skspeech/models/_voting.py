"""Soft voting by the geometric mean of the members' probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp
from sklearn.ensemble import VotingClassifier
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._docstrings import fill_doc
from .._validation import one_report_per_call

# Probabilities are floored here before the log, so that one member's 0 does
# not veto a class outright (its vote still counts for -46 nats).
_TINY = 1e-20


def check_vote_weights(weights: ArrayLike) -> np.ndarray:
    """``weights`` as a float array, refused unless finite, >= 0 and not all 0."""
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        w = None
    if w is None or w.ndim != 1 or not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(f"weights must be finite numbers >= 0, one per member, not all 0 "
                         f"(exponents of the members' probabilities); got {weights!r}.")
    return w


_X_MEMBERS = """\
Parameters
----------
X : array-like
    What the members take (e.g. clips, for pipelines from waveforms)."""


@fill_doc(X_members=_X_MEMBERS)
class GeometricVotingClassifier(VotingClassifier):
    """Soft voting by the weighted geometric mean of the members' probabilities.

    :class:`sklearn.ensemble.VotingClassifier` with ``voting="soft"``
    averages the members' probabilities. This one averages their logs
    (a product of experts) and renormalises:
    ``p(c | x) ~ prod_m p_m(c | x) ** w_m``. A class wins only if no member
    finds it unlikely, which suits members that fail differently, such as an
    HMM (a generative model of the frame sequence) and a convolutional
    network (on voices never heard, the geometric mean gained more over
    the better member than the arithmetic mean: see :doc:`/unseen_voices`).
    Everything else (fit in parallel, ``estimators_``, ``named_estimators_``,
    ``set_params(name=...)``, string labels) is as in VotingClassifier.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members; each needs ``predict_proba``. Set one to ``"drop"`` to
        leave it out.
    weights : array-like of shape (n_estimators,), default=None
        Exponent of each member's probabilities; None means equal weights.
    n_jobs : int, default=None
        Members fitted in parallel (joblib); None means 1.
    verbose : bool, default=False
        Print the time each member takes to fit.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members (not ``"drop"``).
    named_estimators_ : Bunch
        The fitted members by name.
    le_ : sklearn.preprocessing.LabelEncoder
        Maps columns of the probabilities to labels. Unlike VotingClassifier,
        the members are fitted on the labels as given, not on 0..n-1.
    classes_ : ndarray of shape (n_classes,)
        The labels.

    See Also
    --------
    sklearn.ensemble.VotingClassifier : Hard voting or the arithmetic mean.
    skspeech.pipelines.ensemble_pipeline : The HMM and KWS recipes voting together.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skspeech.models import GeometricVotingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (20, 2)), rng.normal(3, 1, (20, 2))]
    >>> y = ["no"] * 20 + ["yes"] * 20
    >>> vote = GeometricVotingClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())])
    >>> vote.fit(X, y).predict([[0, 0], [3, 3]])
    array(['no', 'yes'], dtype='<U3')
    >>> vote.predict_proba([[1.5, 1.5]]).round(2)
    array([[0.45, 0.55]])
    """

    _parameter_constraints = {
        **VotingClassifier._parameter_constraints,
        "voting": [StrOptions({"soft"})],
    }
    _parameter_constraints.pop("flatten_transform")

    # VotingClassifier's methods read these; here they are fixed.
    voting = "soft"
    flatten_transform = True

    def __init__(self, estimators, *, weights=None, n_jobs=None, verbose=False):
        self.estimators = estimators
        self.weights = weights
        self.n_jobs = n_jobs
        self.verbose = verbose

    @property
    def n_features_in_(self):
        """Number of features seen by the first member in ``fit``."""
        return super().n_features_in_

    def fit(self, X: Any, y: ArrayLike, **fit_params: Any) -> GeometricVotingClassifier:
        """Fit every member on ``(X, y)``, the labels as given.

        %(X_members)s
        y : array-like of shape (n_samples,)
            Labels (strings are fine).
        **fit_params
            Passed to every member's ``fit``.

        Returns
        -------
        self : GeometricVotingClassifier
        """
        if self.weights is not None:
            check_vote_weights(self.weights)
            if len(self.weights) == len(self.estimators):  # else VotingClassifier says so
                check_vote_weights(self._weights_not_none)
        if (type_of_target(y, input_name="y") not in ("binary", "multiclass")
                or set(fit_params) - {"sample_weight"}):
            return super().fit(X, y, **fit_params)  # VotingClassifier's errors and routing
        # VotingClassifier fits the members on labels encoded as 0..n-1; here they learn the
        # labels themselves, so that their own steps can read them (GarbageGuard finds the
        # "_silence_" clips by their label). A member's classes_ sort as le_.classes_ do, so
        # the columns of the probabilities still line up.
        self.le_ = LabelEncoder().fit(y)
        self.classes_ = self.le_.classes_
        return super(VotingClassifier, self).fit(X, column_or_1d(y), **fit_params)

    def _collect_probas(self, X):
        # The members check the same clips: one warning per call about bad ones, not one each.
        with one_report_per_call():
            return super()._collect_probas(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of the renormalised weighted geometric mean of the members' probabilities.

        %(X_members)s

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order.
        """
        check_is_fitted(self)
        log_p = np.log(np.maximum(self._collect_probas(X), _TINY))
        weights = self._weights_not_none
        weights = np.ones(len(log_p)) if weights is None else check_vote_weights(weights)
        joint = np.tensordot(weights / weights.sum(), log_p, axes=1)
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Renormalised weighted geometric mean of the members' probabilities.

        %(X_members)s

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order; each row sums to 1.
        """
        return np.exp(self.predict_log_proba(X))
