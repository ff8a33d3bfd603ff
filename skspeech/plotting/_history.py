"""Training curves of a Keras-backed estimator."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

_LABELS = {"loss": "loss", "accuracy": "accuracy"}


def _import_pyplot(what):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"{what} needs matplotlib, which is optional: "
                          f"pip install 'skspeech[plot]'") from exc
    return plt


def _find_history(estimator):
    """The ``history_`` of an estimator, of the last step of a Pipeline, or of a search's best."""
    est = estimator
    if hasattr(est, "best_estimator_"):  # GridSearchCV and friends
        est = est.best_estimator_
    if hasattr(est, "steps"):  # Pipeline
        est = est.steps[-1][1]
    history = getattr(est, "history_", None)
    if history is None:
        if hasattr(est, "fit"):
            check_is_fitted(est)  # NotFittedError (a ValueError) for an unfitted estimator
        where = "" if est is estimator else f" (its final estimator is {type(est).__name__})"
        raise ValueError(
            f"plot_history needs a fitted estimator with a training history (history_), such "
            f"as a Conv1DClassifier or a Pipeline ending in one; got "
            f"{type(estimator).__name__}{where}, which has none."
        )
    return est, history


def plot_history(estimator, ax=None, *, metrics=("loss", "accuracy")):
    """Plot training and validation curves per epoch, as the tutorial does.

    One panel per metric, with the training curve, the validation curve (when
    a validation split was held out) and a dashed line at the epoch whose
    weights the estimator kept (``best_epoch_``).

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`~skspeech.models.Conv1DClassifier`, a fitted
        Pipeline ending in one (e.g. from
        :func:`~skspeech.pipelines.conv1d_pipeline`), or a fitted search
        (``GridSearchCV``) over either.
    ax : matplotlib Axes or sequence of Axes, default=None
        One Axes per metric to draw into. None creates a new figure with the
        panels side by side.
    metrics : sequence of str, default=("loss", "accuracy")
        Keys of ``history_`` to plot; ``val_<metric>`` is added when present.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (len(metrics),)
        The panels; ``axes[0].figure`` is the figure.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install 'skspeech[plot]'``).
    ValueError
        If the estimator has no training history or lacks a metric.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> from skspeech.plotting import plot_history
    >>> fitted = SimpleNamespace(history_={"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.8, 0.9],
    ...                                    "accuracy": [0.5, 0.8, 0.9],
    ...                                    "val_accuracy": [0.4, 0.7, 0.6]}, best_epoch_=1)
    >>> axes = plot_history(fitted)
    >>> [line.get_label() for line in axes[0].get_lines()]
    ['training', 'validation', 'best epoch (2)']
    """
    est, history = _find_history(estimator)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = [m for m in metrics if m not in history]
    if missing:
        raise ValueError(f"history_ has no {missing}; it holds {sorted(history)}.")
    plt = _import_pyplot("plot_history")
    if ax is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6),
                               squeeze=False, layout="constrained")
        axes = axes[0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != len(metrics):
            raise ValueError(f"ax holds {axes.size} Axes for {len(metrics)} metrics "
                             f"{metrics}; give one Axes per metric.")
        axes = axes.ravel()
    best = getattr(est, "best_epoch_", None)
    for panel, metric in zip(axes, metrics):
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
        panel.set_title(_LABELS.get(metric, metric).capitalize())
        panel.legend()
    return axes
