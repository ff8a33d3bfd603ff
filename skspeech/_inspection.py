"""Look inside a model: its chains of steps, front end, classifiers, rate and training history.

The one place that knows how skspeech's models are put together: a
search's ``best_estimator_``, an :class:`~skspeech.augment.AugmentedClassifier`
(its fitted ``estimator_``, or ``estimator`` before fit), the members of a
voting ensemble, and scikit-learn's or imbalanced-learn's Pipelines, nested
at any depth. Persistence, the command line, augmentation, plots and the
TFLite export ask it, so they cannot drift apart.

Each step is named by its parameter path from the model given
(``"mfcc"``, ``"kws__estimator__guard"``; ``""`` for a model that is a
single estimator), so a message can say which ``set_params`` key to change.
Nothing here imports TensorFlow: the Keras classifiers are recognised by
their base class's name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["augmenters", "chains", "classifiers", "histories", "is_keras_classifier", "model_sr",
           "rate_source", "split_model", "steps", "unwrap"]

_SKIPPED = (None, "passthrough", "drop")


def _is_search(est: Any) -> bool:
    """A scikit-learn search (GridSearchCV, RandomizedSearchCV, ...): it has a parameter space."""
    return hasattr(est, "estimator") and (hasattr(est, "param_grid")
                                          or hasattr(est, "param_distributions"))


def _is_a(est: Any, module: str, name: str) -> bool:
    """Whether ``est``'s class is (or derives from) ``module.name``, without importing it.

    This module sits below the estimators it looks into, so it knows them by name only.
    """
    return any(cls.__name__ == name and cls.__module__ == module for cls in type(est).__mro__)


def _is_augmented(est: Any) -> bool:
    return _is_a(est, "skspeech.augment._classifier", "AugmentedClassifier")


def _is_voting(est: Any) -> bool:
    from sklearn.ensemble import VotingClassifier

    return isinstance(est, VotingClassifier)  # and GeometricVotingClassifier


def _is_pipeline(est: Any) -> bool:
    from sklearn.pipeline import Pipeline

    return isinstance(est, Pipeline)  # and imblearn's, and SpeechPipeline


def _unwrap_with_path(est: Any, prefix: str = "",
                      wrappers: list | None = None) -> tuple[Any, str]:
    """Peel off searches and AugmentedClassifiers (added to ``wrappers``); the path grows."""
    while True:
        if _is_search(est):
            inner = getattr(est, "best_estimator_", est.estimator)
        elif _is_augmented(est):
            inner = getattr(est, "estimator_", est.estimator)
        else:
            return est, prefix
        if wrappers is not None:
            wrappers.append(est)
        est, prefix = inner, f"{prefix}estimator__"


def unwrap(model: Any) -> Any:
    """What predicts for ``model``: a search's best estimator, an AugmentedClassifier's estimator.

    Augmentation acts only in ``fit``, so the (fitted) estimator inside an
    :class:`~skspeech.augment.AugmentedClassifier` is the whole predictor.
    Before fit, the estimators given as parameters are returned.

    Examples
    --------
    >>> from skspeech._inspection import unwrap
    >>> from skspeech.augment import AugmentedClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> unwrap(AugmentedClassifier(LogisticRegression()))
    LogisticRegression()
    """
    return _unwrap_with_path(model)[0]


def _members(voting: Any) -> list[tuple[str, Any]]:
    """A voting ensemble's ``(name, member)`` pairs: the fitted clones once fitted."""
    named = getattr(voting, "named_estimators_", None)
    pairs = list(named.items()) if named is not None else list(voting.estimators)
    return [(name, member) for name, member in pairs
            if not (isinstance(member, str) or member is None)]


def _walk(est: Any, prefix: str, wrappers: list | None = None) -> list[list[tuple[str, Any]]]:
    est, prefix = _unwrap_with_path(est, prefix, wrappers)
    if _is_voting(est):
        return [chain for name, member in _members(est)
                for chain in _walk(member, f"{prefix}{name}__", wrappers)]
    if _is_pipeline(est):
        found = [[]]
        for name, step in est.steps:
            if isinstance(step, str) or step is None:  # "passthrough"
                continue
            tails = _walk(step, f"{prefix}{name}__", wrappers)
            found = [head + tail for head in found for tail in tails]
        return found
    return [[(prefix[:-2], est)]]


def chains(model: Any) -> list[list[tuple[str, Any]]]:
    """The lists of steps that clips flow through: one per voting member, one for a plain model.

    Returns
    -------
    chains : list of list of (str, estimator)
        Each step with its parameter path; ``None`` and ``"passthrough"``
        steps and dropped members are left out, nested Pipelines flattened.

    Examples
    --------
    >>> from skspeech._inspection import chains
    >>> from skspeech.augment import AugmentedClassifier
    >>> from skspeech.pipelines import svm_pipeline
    >>> [name for name, _ in chains(svm_pipeline(sr=8000))[0]]
    ['guard', 'mfcc', 'deltas', 'stats', 'scale', 'svc']
    >>> [name for name, _ in chains(AugmentedClassifier(svm_pipeline(sr=8000)))[0]][:2]
    ['estimator__guard', 'estimator__mfcc']
    """
    return _walk(model, "")


def steps(model: Any) -> list[Any]:
    """Every estimator the model is made of, in order (all chains, one after the other)."""
    return [step for chain in chains(model) for _, step in chain]


def classifiers(model: Any) -> list[tuple[str, Any]]:
    """The final estimator of each chain, with its parameter path (one per voting member)."""
    return [chain[-1] for chain in chains(model) if chain]


def split_model(model: Any) -> tuple[Any, Any]:
    """``(front end, final estimator)`` of a single-chain model.

    The front end is a Pipeline of every step before the final estimator
    (None when there is none); for an unnested Pipeline it is
    ``pipeline[:-1]``, of the same class. Searches and AugmentedClassifiers
    are unwrapped first.

    Raises
    ------
    ValueError
        For a voting ensemble: it has one front end and classifier per member.
    """
    est = unwrap(model)
    if _is_voting(est):
        names = [name for name, _ in _members(est)]
        raise ValueError(f"The model is a voting ensemble of {len(names)} members ({names}), "
                         f"each with its own front end and classifier; pick one, e.g. "
                         f"model.named_estimators_[{names[0]!r}].")
    if not _is_pipeline(est):
        return None, est
    last = unwrap(est.steps[-1][1])
    if _is_pipeline(last) or _is_voting(last):
        from sklearn.pipeline import Pipeline

        inner_front, last = split_model(last)
        inner = [] if inner_front is None else list(inner_front.steps)
        return Pipeline(list(est.steps[:-1]) + inner), last
    return (est[:-1] if len(est.steps) > 1 else None), last


def augmenters(model: Any) -> list[Any]:
    """The augmenters of the model's AugmentedClassifiers (at any depth), None ones left out."""
    wrappers: list = []
    _walk(model, "", wrappers)
    return [w.augmenter for w in wrappers if _is_augmented(w) and w.augmenter is not None]


def is_keras_classifier(est: Any) -> bool:
    """Whether ``est`` is one of skspeech's Keras classifiers (without importing TensorFlow)."""
    return _is_a(est, "skspeech.models._keras_base", "_KerasClassifierBase")


def histories(model: Any) -> list[tuple[str, Any]]:
    """The final estimators that hold a training history (``history_``), with their paths."""
    return [(name, clf) for name, clf in classifiers(model)
            if getattr(clf, "history_", None) is not None]


def _rate_changes(step: Any) -> tuple[int, int, str] | None:
    """``(rate in, rate out, parameter)`` of a step that names a rate, else None."""
    params = step.get_params(deep=False) if hasattr(step, "get_params") else {}

    def rate(key):
        value = params.get(key)
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    if rate("orig_sr") is not None:  # a Resampler: the rate changes here
        return rate("orig_sr"), rate("target_sr") or rate("orig_sr"), "orig_sr"
    if rate("sr") is not None:
        return rate("sr"), rate("sr"), "sr"
    return None


def _label(name: str, step: Any) -> str:
    return name or type(step).__name__


def rate_source(model: Any) -> tuple[int, str] | None:
    """The rate a model takes its clips at and the parameter that says so, checked along its steps.

    Returns
    -------
    source : (int, str) or None
        The rate of the first step that names one (``Resampler.orig_sr``,
        ``GarbageGuard.sr``, ``PadTrim.sr``, ``MFCC.sr``, ...) and its
        parameter path (``"guard__sr"``); None when no step names a rate.

    Raises
    ------
    ValueError
        When steps disagree (e.g. ``MFCC(sr=16000)`` after ``PadTrim(sr=8000)``),
        or the members of an ensemble take different rates.
    """
    first = None
    for chain in chains(model):
        rate, where = None, None
        for name, step in chain:
            change = _rate_changes(step)
            if change is None:
                continue
            if rate is not None and change[0] != rate:
                raise ValueError(
                    f"The model's steps disagree on the sample rate: step "
                    f"{_label(name, step)!r} ({type(step).__name__}) expects {change[0]} Hz but "
                    f"receives clips at {rate} Hz from {where!r}. Set every step to one rate "
                    f"(put a Resampler between them to change it) and fit again.")
            if rate is None and first is not None and change[0] != first[0]:
                raise ValueError(
                    f"The models in the ensemble take different sample rates: {first[0]} Hz "
                    f"({first[1]!r}) and {change[0]} Hz ({_label(name, step)!r}). Give every "
                    f"member the same rate (a Resampler first, where needed).")
            if rate is None and first is None:
                first = (change[0], _label(name, step), f"{name}__{change[2]}" if name
                         else change[2])
            rate, where = change[1], _label(name, step)
    return None if first is None else (first[0], first[2])


def model_sr(model: Any) -> int | None:
    """The sample rate a model takes its clips at, checked along its steps.

    The rate of the first step that names one (``Resampler.orig_sr``,
    ``GarbageGuard.sr``, ``PadTrim.sr``, ``MFCC.sr``, ...). Every later step
    must agree with it, or with the ``target_sr`` of a Resampler before it,
    and every member of a voting ensemble must take the same rate.

    Parameters
    ----------
    model : estimator
        A model: a Pipeline, a voting ensemble, a grid search, ...

    Returns
    -------
    sr : int or None
        None when no step names a rate.

    Raises
    ------
    ValueError
        When steps disagree (e.g. ``MFCC(sr=16000)`` after ``PadTrim(sr=8000)``):
        the model would compute features at the wrong rate without a word.

    Examples
    --------
    >>> from skspeech._inspection import model_sr
    >>> from skspeech.pipelines import svm_pipeline
    >>> model_sr(svm_pipeline(sr=16000, target_sr=8000))
    16000
    """
    source = rate_source(model)
    return None if source is None else source[0]


def clip_seconds(model: Any) -> float | None:
    """The clip length, in seconds, that the model pads or trims its clips to.

    From its ``PadTrim`` step (``duration``, or the fitted ``target_length_``
    over its rate); also for an exported :class:`~skspeech.export.TFLiteModel`,
    whose front end has the step. None when the model takes clips of any
    length (no such step, or one that keeps each clip's length).
    """
    found = model.steps if type(model).__name__ == "TFLiteModel" else \
        [(name, step) for chain in chains(model) for name, step in chain]
    for _, step in found:
        if type(step).__name__ != "PadTrim":
            continue
        if getattr(step, "duration", None):
            return float(step.duration)
        length = getattr(step, "target_length_", None) or getattr(step, "target_length", None)
        rate = getattr(step, "sr", None)
        return float(length / rate) if length and rate else None
    return None
