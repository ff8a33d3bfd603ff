"""fit_with_progress: fit a recipe as its own ``fit`` does, with a progress bar per front-end step.

What ``skspeech train`` shows while it fits clips held in memory; a script
gets the same bars and the same fitted model with the same call.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from numpy.typing import ArrayLike

from ..io._clips import _concat, is_lazy


def fit_with_progress(model: Any, X: Sequence[ArrayLike] | ArrayLike, y: ArrayLike, *,
                      chunk: int = 256) -> Any:
    """Fit a Pipeline step by step, with a progress bar over the clips for each transform.

    Each transformer is fitted on all clips and then transforms them in
    chunks, so the bar moves during feature extraction; the final estimator
    is fitted last (with its own progress, e.g. the network's epochs). The
    result is the same fitted model as ``model.fit(X, y)`` for the row-wise
    front ends of skspeech's recipes, after the same checks (the steps' sample
    rates, the augmenter's rate). An
    :class:`~skspeech.augment.AugmentedClassifier` is fitted as its own
    ``fit`` does (augment the clips, then fit a clone of the Pipeline on
    them), with the bars for the Pipeline. Clips read in batches (an
    :class:`~skspeech.io.AudioFiles`) are fitted with ``model.fit``: they
    have their own progress.

    Parameters
    ----------
    model : Pipeline or AugmentedClassifier
        An unfitted recipe, e.g. from :func:`svm_pipeline`.
    X : ndarray of shape (n_clips, n_samples) or list of ndarray
        Training clips.
    y : array-like of shape (n_clips,)
        Labels.
    chunk : int, default=256
        Clips transformed per step of a bar.

    Returns
    -------
    model : Pipeline or AugmentedClassifier
        ``model``, fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.pipelines import fit_with_progress, svm_pipeline
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4000) / 8000
    >>> X = [np.sin(2 * np.pi * f * t) + 0.1 * rng.standard_normal(t.size)
    ...      for f in [300, 320, 310, 290, 1200, 1250, 1180, 1220]]
    >>> y = ["low"] * 4 + ["high"] * 4
    >>> model = fit_with_progress(svm_pipeline(sr=8000, probability=False), X, y, chunk=4)
    >>> model.predict(X[:1])
    array(['low'], dtype='<U4')
    """
    from sklearn.base import clone
    from tqdm.auto import tqdm

    from ..augment import AugmentedClassifier
    from ._pipeline import SpeechPipeline, _check_rates

    if is_lazy(X):
        return model.fit(X, y)
    if isinstance(model, AugmentedClassifier):  # as AugmentedClassifier.fit, step by step
        model._validate_params()
        if model.augmenter is not None:
            model._check_sr()
            n = len(y)
            print(f"Augmenting: {n} clips -> ", end="", file=sys.stderr, flush=True)
            X, y = clone(model.augmenter).fit_resample(X, y)
            print(f"{len(y)} ({len(y) // n - 1} perturbed copies of each)", file=sys.stderr)
        model.estimator_ = fit_with_progress(clone(model.estimator), X, y, chunk=chunk)
        model.classes_ = model.estimator_.classes_
        model.n_train_ = len(y)
        return model
    if isinstance(model, SpeechPipeline):
        _check_rates(model)  # as SpeechPipeline.fit
    Xt = X
    for name, step in model.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        step.fit(Xt, y)
        n = len(Xt)
        chunks = []
        with tqdm(total=n, desc=f"Features: {name}", unit="clip", leave=False,
                  file=sys.stderr) as bar:
            for i in range(0, n, chunk):
                chunks.append(step.transform(Xt[i:i + chunk]))
                bar.update(min(chunk, n - i))
        Xt = _concat(chunks)
    model.steps[-1][1].fit(Xt, y)
    return model
