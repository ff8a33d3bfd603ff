"""AugmentedClassifier: augment the training clips, then fit; predict untouched."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_method_params,
    _is_arraylike,
    _num_samples,
    check_is_fitted,
)

from .._docstrings import fill_doc
from ..io._clips import is_lazy

__all__ = ["AugmentedClassifier"]


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)
    return check


@fill_doc
class AugmentedClassifier(ClassifierMixin, BaseEstimator):
    """Fit a classifier on augmented clips; predict on the clips as given.

    ``fit(X, y)`` passes the clips through ``augmenter.fit_resample`` (a
    sampler: e.g. :class:`WaveAugmenter`) and fits a clone of ``estimator``
    on the result. ``predict``, ``predict_proba`` and ``score`` go to the
    fitted estimator directly: augmentation never touches test clips. A
    scikit-learn ``Pipeline`` cannot hold a step that adds clips (a
    transformer must keep ``n_samples``), so the augmentation wraps the
    model instead: put the whole recipe inside (augmentation acts on
    waveforms, before the features), or make this the last step of a
    Pipeline. Tune both through ``estimator__...`` and ``augmenter__...``
    in ``GridSearchCV``.

    Parameters
    ----------
    estimator : classifier or Pipeline
        What is fitted on the augmented clips.
    augmenter : object with fit_resample, default=None
        The sampler; None fits on the clips as given. Its ``sr``, if it has
        one, must be the rate the estimator takes its clips at (the first
        Resampler's ``orig_sr``, or the ``sr`` of PadTrim or of the
        features): ``fit`` checks it.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The labels.
    n_train_ : int
        Clips the estimator was fitted on, augmented copies included.

    See Also
    --------
    WaveAugmenter : Shift, noise, speed, tempo, pitch and gain.

    Examples
    --------
    %(tones_example)s
    >>> from skspeech.augment import AugmentedClassifier, WaveAugmenter
    >>> from skspeech.pipelines import svm_pipeline
    >>> model = AugmentedClassifier(svm_pipeline(sr=8000, probability=False),
    ...                             WaveAugmenter(sr=8000, n_copies=2, random_state=0))
    >>> model.fit(X, y).n_train_
    36
    >>> model.predict([tone(1220), tone(280)])
    array(['high', 'low'], dtype='<U4')
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "augmenter": [HasMethods(["fit_resample"]), None],
    }

    def __init__(self, estimator, augmenter=None):
        self.estimator = estimator
        self.augmenter = augmenter

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Augment ``(X, y)`` with the augmenter, then fit the estimator on it.

        Parameters
        ----------
        X : ndarray, list of ndarray or AudioFiles
            Training clips. Clips read in batches (an
            :class:`~skspeech.io.AudioFiles`, any
            :class:`~skspeech.io.LazyClips`) get a :class:`WaveAugmenter`'s
            copies drawn as they are read, fresh at every training epoch of
            a network (the same seed gives the same copies), instead of made
            once in advance.
        y : array-like of shape (n_clips,)
            Labels.
        **fit_params
            Passed to the estimator's ``fit``. Per-clip arrays (e.g.
            ``svc__sample_weight``, one value per clip) are repeated for the
            copies of a :class:`WaveAugmenter`, which returns the clips then
            each round of copies in the same order; other augmenters take
            none.

        Returns
        -------
        self : AugmentedClassifier
        """
        if self.augmenter is not None:
            self._check_sr()
            clips = X
            if is_lazy(X):  # clips read in batches: copies drawn when read, fresh every epoch
                X, y = self._augment_lazily(X, y)
            else:
                X, y = clone(self.augmenter).fit_resample(X, y)
            fit_params = self._repeat_per_clip(clips, fit_params, _num_samples(y))
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        self.n_train_ = _num_samples(y)
        return self

    def _augment_lazily(self, X, y):
        from ._stream import augment_lazily
        from ._wave import WaveAugmenter

        if not isinstance(self.augmenter, WaveAugmenter):
            raise ValueError(
                f"X is read in batches ({type(X).__name__}), and only WaveAugmenter draws its "
                f"copies as they are read; {type(self.augmenter).__name__} needs the clips in "
                "memory. Load them (e.g. load_speech_commands(lazy=False)) or use WaveAugmenter.")
        return augment_lazily(X, y, self.augmenter)

    def _check_sr(self):
        """Refuse an augmenter whose ``sr`` is not the rate the estimator takes its clips at."""
        from .._inspection import rate_source

        aug_sr = getattr(self.augmenter, "sr", None)
        expected = rate_source(self.estimator)  # (rate, parameter path), checked along the steps
        if aug_sr is None or expected is None or aug_sr == expected[0]:
            return
        raise ValueError(
            f"augmenter.sr is {aug_sr} Hz but the estimator takes clips at {expected[0]} Hz "
            f"(the estimator's {expected[1]}); the copies' shifts, equaliser and tempo are set in "
            f"seconds and Hz, so give the augmenter the clips' rate: "
            f"{type(self.augmenter).__name__}(sr={expected[0]}, ...).")

    def _repeat_per_clip(self, clips, fit_params, n_out):
        """Repeat the per-clip fit parameters for the augmenter's copies."""
        from ._wave import WaveAugmenter

        n_clips = _num_samples(clips)
        per_clip = [name for name, value in fit_params.items()
                    if _is_arraylike(value) and _num_samples(value) == n_clips]
        if not per_clip or n_out == n_clips:
            return fit_params
        if not isinstance(self.augmenter, WaveAugmenter) or n_out % n_clips:
            name = per_clip[0]
            raise ValueError(
                f"{name} has one value per clip ({n_clips}), but "
                f"{type(self.augmenter).__name__} returned {n_out} clips in an order "
                f"AugmentedClassifier does not know; fit without {name}, or use "
                f"WaveAugmenter (its copies repeat the clips in order).")
        # scikit-learn's own indexing of per-sample parameters, clip i at i, i + n, i + 2n...
        return _check_method_params(clips, fit_params,
                                    indices=np.tile(np.arange(n_clips), n_out // n_clips))

    def predict(self, X):
        """Predict with the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision values from the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        from sklearn.utils import get_tags
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        tags.non_deterministic = inner.non_deterministic
        return tags

    @property
    def n_features_in_(self):
        check_is_fitted(self)
        return self.estimator_.n_features_in_

    def __sklearn_is_fitted__(self):
        return hasattr(self, "estimator_")
