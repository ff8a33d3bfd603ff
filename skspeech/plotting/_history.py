"""Training curves of the Keras networks in a fitted model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils.validation import check_is_fitted

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from sklearn.base import BaseEstimator

_LABELS = {"loss": "loss", "accuracy": "accuracy"}


def _import_pyplot(what):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"{what} needs matplotlib, which is optional: "
                          f"pip install 'skspeech[plot]'") from exc
    return plt


def _find_histories(estimator):
    """``[(label, estimator)]`` of the networks in a fitted model that kept a ``history_``."""
    from .._inspection import classifiers, histories

    found = histories(estimator)
    if found:
        labels = [name.split("__")[0] for name, _ in found]
        if len(set(labels)) < len(labels):  # not one per voting member: the full paths
            labels = [name for name, _ in found]
        return list(zip(labels, (est for _, est in found)))
    finals = [clf for _, clf in classifiers(estimator)]
    for clf in finals:
        if hasattr(clf, "fit"):
            check_is_fitted(clf)  # NotFittedError (a ValueError) for an unfitted estimator
    names = sorted({type(clf).__name__ for clf in finals})
    where = ""
    if finals and finals != [estimator]:
        where = (f" (its final estimator is {names[0]})" if len(names) == 1
                 else f" (its final estimators are {', '.join(names)})")
    raise ValueError(
        f"plot_history needs a fitted model with a training history (history_): a Keras "
        f"network (Conv1DClassifier, KWSClassifier, KWS2DClassifier) or a recipe with one "
        f"(conv1d_pipeline, kws_pipeline, ensemble_pipeline); got "
        f"{type(estimator).__name__}{where}, which has none. SVM and HMM models train in "
        f"one go, without epochs."
    )


def plot_history(estimator: BaseEstimator, ax: Axes | np.ndarray | None = None, *,
                 metrics: str | Sequence[str] = ("loss", "accuracy")) -> Axes | np.ndarray:
    """Plot training and validation curves per epoch, as the tutorial does.

    One panel per metric, with the training curve, the validation curve (when
    a validation split was held out) and a dashed line at the epoch whose
    weights the network kept (``best_epoch_``). A model with several
    networks (``ensemble_pipeline``) gets one row of panels per network,
    titled with its member's name.

    Parameters
    ----------
    estimator : estimator
        A fitted model with a Keras network: a
        :class:`~skspeech.models.Conv1DClassifier`,
        :class:`~skspeech.models.KWSClassifier` or
        :class:`~skspeech.models.KWS2DClassifier`, a recipe ending in one
        (:func:`~skspeech.pipelines.conv1d_pipeline`,
        :func:`~skspeech.pipelines.kws_pipeline`, also when it wraps the
        Pipeline in an :class:`~skspeech.augment.AugmentedClassifier`),
        :func:`~skspeech.pipelines.ensemble_pipeline`, or a fitted search
        (``GridSearchCV``) over any of them.
    ax : matplotlib Axes or array of Axes, default=None
        One Axes per metric (per network and metric for several networks)
        to draw into. None creates a new figure with the panels side by side.
    metrics : sequence of str, default=("loss", "accuracy")
        Keys of ``history_`` to plot; ``val_<metric>`` is added when present.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        The panels, of shape ``(len(metrics),)`` for one network and
        ``(n_networks, len(metrics))`` for several; ``axes.flat[0].figure``
        is the figure.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install 'skspeech[plot]'``).
    ValueError
        If the model has no network with a training history (an SVM or HMM
        recipe) or a history lacks a metric.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from skspeech.plotting import plot_history
    >>> fitted = SimpleNamespace(history_={"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.8, 0.9],
    ...                                    "accuracy": [0.5, 0.8, 0.9],
    ...                                    "val_accuracy": [0.4, 0.7, 0.6]}, best_epoch_=1)
    >>> axes = plot_history(fitted)
    >>> [line.get_label() for line in axes[0].get_lines()]
    ['training', 'validation', 'best epoch (2)']
    """
    networks = _find_histories(estimator)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    for label, est in networks:
        missing = [m for m in metrics if m not in est.history_]
        if missing:
            whose = "history_" if len(networks) == 1 else f"The history_ of {label!r}"
            raise ValueError(f"{whose} has no {missing}; it holds {sorted(est.history_)}.")
    plt = _import_pyplot("plot_history")
    shape = (len(networks), len(metrics))
    if ax is None:
        _, axes = plt.subplots(*shape, figsize=(5 * shape[1], 3.6 * shape[0]),
                               squeeze=False, layout="constrained")
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != shape[0] * shape[1]:
            per = "metric" if shape[0] == 1 else f"network and metric ({shape[0]} networks)"
            raise ValueError(f"ax holds {axes.size} Axes for {len(metrics)} metrics "
                             f"{metrics}; give one Axes per {per}.")
        axes = axes.reshape(shape)
    for row, (label, est) in zip(axes, networks):
        history = est.history_
        best = getattr(est, "best_epoch_", None)
        for panel, metric in zip(row, metrics):
            train = np.asarray(history[metric], dtype=float)
            epochs = np.arange(1, train.size + 1)
            panel.plot(epochs, train, label="training")
            if f"val_{metric}" in history:
                panel.plot(epochs, np.asarray(history[f"val_{metric}"], dtype=float),
                           label="validation")
            if best is not None:
                panel.axvline(best + 1, color="0.5", linestyle="--",
                              label=f"best epoch ({best + 1})")
            panel.set_xlabel("epoch")
            panel.set_ylabel(_LABELS.get(metric, metric))
            title = _LABELS.get(metric, metric).capitalize()
            panel.set_title(title if len(networks) == 1 else f"{label}: {title}")
            panel.legend()
    return axes[0] if len(networks) == 1 else axes
