"""Leave-one-speaker-out and grouped k-fold scores, by the speaker ids the loaders return."""

from __future__ import annotations

import time
from collections.abc import Sequence
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = ["speaker_cv", "speaker_cv_score"]


def _check_speakers(speakers):
    """``speakers`` as a 1-D array of ids, refused if missing or holding None or NaN."""
    if speakers is None:
        raise ValueError("speakers is None: pass the speaker id of each clip (e.g. "
                         "load_fsdd(...).speaker or load_speech_commands(...).speaker).")
    try:
        speakers = column_or_1d(np.asarray(speakers), warn=True)
    except ValueError:
        raise ValueError(f"speakers must be a 1-D array of one speaker id per clip; got shape "
                         f"{np.shape(speakers)}.") from None
    missing = [i for i, s in enumerate(speakers.tolist())
               if s is None or (isinstance(s, float) and s != s)]
    if missing:
        raise ValueError(f"speakers has no id for {len(missing)} clip(s) (None or NaN), at "
                         f"index {', '.join(map(str, missing[:5]))}"
                         f"{', ...' if len(missing) > 5 else ''}; every clip needs its speaker.")
    return speakers


def speaker_cv(speakers: ArrayLike, n_splits: int | None = None
               ) -> LeaveOneGroupOut | GroupKFold:
    """Splitter and groups for a speaker-independent protocol.

    Parameters
    ----------
    speakers : array-like of shape (n_clips,)
        The speaker of each clip (``load_fsdd(...).speaker``,
        ``load_speech_commands(...).speaker``).
    n_splits : int, default=None
        None: leave one speaker out (one fold per speaker). An int: that many
        folds of whole speakers (:class:`~sklearn.model_selection.GroupKFold`),
        for data sets with hundreds of speakers.

    Returns
    -------
    cv : LeaveOneGroupOut or GroupKFold
        Pass it with ``groups=speakers`` to ``cross_validate``,
        ``GridSearchCV.fit`` and friends.

    Raises
    ------
    ValueError
        If there are fewer than 2 speakers, or fewer speakers than
        ``n_splits``.

    Examples
    --------
    >>> from skspeech.model_selection import speaker_cv
    >>> speaker_cv(["ann", "bob", "ann", "cy"])
    LeaveOneGroupOut()
    >>> speaker_cv(["ann", "bob", "ann", "cy"], n_splits=2)
    GroupKFold(n_splits=2, random_state=None, shuffle=False)
    """
    speakers = _check_speakers(speakers)
    n_speakers = len(np.unique(speakers))
    if n_speakers < 2:
        raise ValueError(
            f"speakers holds {n_speakers} distinct speaker(s); a speaker-independent protocol "
            "needs at least 2 (one to train on, one to test on). Pass the speaker of each clip, "
            "e.g. load_fsdd(...).speaker.")
    if n_splits is None:
        return LeaveOneGroupOut()
    if not isinstance(n_splits, Integral) or isinstance(n_splits, bool) or n_splits < 2:
        raise ValueError(f"n_splits must be None (leave one speaker out) or an int >= 2; "
                         f"got {n_splits!r}.")
    if n_splits > n_speakers:
        raise ValueError(
            f"n_splits={n_splits} folds need at least {n_splits} speakers; speakers holds "
            f"{n_speakers}. Use fewer folds, or n_splits=None to leave one speaker out.")
    return GroupKFold(n_splits=n_splits)


def _fit_and_score(estimator, X, y, train, test, scoring_name):
    X_train, y_train = _safe_indexing(X, train), y[train]
    X_test, y_test = _safe_indexing(X, test), y[test]
    t0 = time.perf_counter()
    estimator.fit(X_train, y_train)
    fit_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = estimator.predict(X_test)
    score_time = time.perf_counter() - t0
    return estimator, float(np.mean(pred == y_test)), fit_time, score_time


def speaker_cv_score(estimator: BaseEstimator, X: Sequence[ArrayLike] | np.ndarray,
                     y: ArrayLike, speakers: ArrayLike, *, n_splits: int | None = None,
                     n_jobs: int | None = None, return_estimator: bool = False) -> Bunch:
    """Accuracy on speakers never heard in training, one fold at a time.

    Every fold trains a clone of ``estimator`` on the clips of the other
    speakers and scores it on the held-out speakers' clips, so the figure
    says what a new user will get. A random or per-take split (FSDD's own
    split) puts every speaker on both sides and overstates it.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Unfitted classifier from waveforms (or features) to words.
    X : list of ndarray or ndarray of shape (n_clips, ...)
        The clips.
    y : array-like of shape (n_clips,)
        The words.
    speakers : array-like of shape (n_clips,)
        The speaker of each clip.
    n_splits : int, default=None
        None: leave one speaker out. An int: that many folds of whole speakers.
    n_jobs : int, default=None
        Folds trained in parallel (joblib); None means 1.
    return_estimator : bool, default=False
        Also return the fitted estimator of each fold.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``accuracy`` (ndarray, one per fold), ``test_speakers`` (list of
        arrays of the held-out speakers of each fold), ``fit_time`` and
        ``score_time`` (seconds per fold), ``mean`` and ``std`` of the
        accuracy, and ``estimators`` with ``return_estimator=True``.

    See Also
    --------
    speaker_cv : The splitter, for ``GridSearchCV(cv=..., groups=...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skspeech.model_selection import speaker_cv_score
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((12, 3)) + np.repeat([[0], [4]], 6, axis=0)
    >>> y = np.repeat(["low", "high"], 6)
    >>> speakers = np.tile(["ann", "bob", "cy"], 4)
    >>> result = speaker_cv_score(KNeighborsClassifier(1), X, y, speakers)
    >>> [s.tolist() for s in result.test_speakers]
    [['ann'], ['bob'], ['cy']]
    >>> result.accuracy
    array([1., 1., 1.])
    """
    y = column_or_1d(np.asarray(y), warn=True)
    speakers = _check_speakers(speakers)
    check_consistent_length(X, y, speakers)
    cv = speaker_cv(speakers, n_splits)
    splits = list(cv.split(np.zeros(len(y)), y, groups=speakers))
    out = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(clone(estimator), X, y, train, test, "accuracy")
        for train, test in splits)
    accuracy = np.array([o[1] for o in out])
    result = Bunch(accuracy=accuracy,
                   test_speakers=[np.unique(speakers[test]) for _, test in splits],
                   fit_time=np.array([o[2] for o in out]),
                   score_time=np.array([o[3] for o in out]),
                   mean=float(accuracy.mean()), std=float(accuracy.std()))
    if return_estimator:
        result.estimators = [o[0] for o in out]
    return result
