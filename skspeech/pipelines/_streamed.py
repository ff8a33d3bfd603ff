"""Fit and predict a Pipeline on clips that are read batch by batch (a lazy container).

``SpeechPipeline.fit(X, y)`` with ``X`` an :class:`~skspeech.io.AudioFiles` (or
any :class:`~skspeech.io.LazyClips`) comes here. The front end (every step but
the last) is fitted as ``Pipeline.fit`` fits it, on the clips when there are
at most ``FIT_SAMPLE`` of them, else on a fixed random sample of that many
(the networks' front ends learn nothing from the clips but GarbageGuard's
stand-in clip and longest length; from a step that learns from all of its
input, such as a StandardScaler, that input is read into memory). The last
step then gets
:class:`TransformedClips`: the same clips with the *fitted front end's own
transformers* applied to each batch as it is read, so training and
prediction run the same code. A network (the Keras classifiers) trains on
it batch by batch; any other estimator gets the features read into one array
(``__array__``), batch by batch, which holds the features and never all the
waveforms. Prediction reads and predicts ``READ_CHUNK`` clips at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from .._garbage import training_clips
from ..io._clips import READ_CHUNK, LazyClips, _concat, is_lazy

__all__ = ["TransformedClips", "fit_streamed", "is_lazy", "predict_streamed"]

#: The front end is fitted on all clips up to this many, else on a random sample of this many.
FIT_SAMPLE = 1024


def _passes_training_clips(step: Any) -> bool:
    """Steps whose ``fit_transform`` returns the training clips as they are (GarbageGuard: a
    training clip is never replaced), so a training batch skips their ``transform``."""
    from ..preprocessing import GarbageGuard

    return isinstance(step, GarbageGuard)


class TransformedClips(LazyClips):
    """The clips of a lazy container with a fitted front end applied to each batch read.

    What the last step of a Pipeline fitted on a lazy container receives.
    Reading a batch reads the clips from ``source`` (for ``epoch``: fresh
    augmentation passes it on) and sends them through ``steps``, each
    step's ``transform`` as ``fit_transform`` would give it for training
    clips: inside :func:`~skspeech._garbage.training_clips` (no garbage
    warnings) and without GarbageGuard's replacement.

    Parameters
    ----------
    source : LazyClips
        The clips.
    steps : list of (str, transformer)
        The fitted front end, in order.
    """

    def __init__(self, source: LazyClips, steps: list):
        self.source = source
        self.steps = [(name, step) for name, step in steps
                      if step is not None and step != "passthrough"]

    def __len__(self) -> int:
        return len(self.source)

    @property
    def sr(self) -> int | None:
        return getattr(self.source, "sr", None)

    def transform_batch(self, clips: Any) -> Any:
        """The front end's output for a batch of training clips read from ``source``."""
        with training_clips():
            for _, step in self.steps:
                if not _passes_training_clips(step):
                    clips = step.transform(clips)
        if hasattr(clips, "to_numpy"):  # pandas output of set_output
            clips = clips.to_numpy()
        return clips

    def _read(self, indices, epoch):
        return self.transform_batch(self.source.read(indices, epoch=epoch))

    def _origins(self):
        return self.source.origins()

    def __repr__(self) -> str:
        names = " -> ".join(name for name, _ in self.steps) or "nothing"
        return f"TransformedClips({self.source!r} -> {names})"


def _fit_sample(n: int, size: int = FIT_SAMPLE) -> np.ndarray:
    """Indices of the clips the front end is fitted on: all, or a fixed random sample."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size, replace=False))


def _read_fit_sample(X: LazyClips, pick: np.ndarray, final: Any) -> tuple[Any, np.ndarray]:
    """``(clips, indices)`` of the sample the front end is fitted on. A clip that cannot be
    read is an UnreadableClipError naming it, or, when the final step's checkpoint leaves such
    clips out, left out of the sample and listed."""
    from ..models._unreadable import READ_ERRORS, log_skipped, skipping_checkpoint, unreadable

    try:
        return X.read(pick), pick
    except READ_ERRORS as exc:
        checkpoint = skipping_checkpoint(final)
        if checkpoint is None:
            raise unreadable(exc) from None
    good = []
    for i in pick:
        try:
            X.read([i])
        except READ_ERRORS as exc:
            log_skipped(checkpoint.skip_log, exc)
            continue
        good.append(i)
    if not good:
        raise unreadable(f"none of the {len(pick)} clips read to fit the front end could be "
                         f"read; is the data folder still there?")
    good = np.asarray(good, dtype=np.intp)
    return X.read(good), good


def _split_params(pipeline: Pipeline, params: dict) -> dict:
    """Fit parameters of the last step (``name__param``); others cannot be streamed."""
    last = pipeline.steps[-1][0]
    out = {}
    for key, value in params.items():
        step, _, param = key.partition("__")
        if step != last or not param:
            raise ValueError(
                f"Fitting on clips read in batches passes fit parameters to the last step "
                f"only ({last}__...); got {key!r}. Load the clips into memory to use it.")
        out[param] = value
    return out


def _learns_little(step: Any) -> bool:
    """Whether fitting ``step`` on a sample of the clips fits it as on all of them: steps that
    learn nothing (``requires_fit=False``), PadTrim given its length, and GarbageGuard (its
    stand-in clip and longest clip come from the sample)."""
    from sklearn.utils import get_tags

    from ..preprocessing import GarbageGuard, PadTrim

    if step is None or step == "passthrough" or isinstance(step, GarbageGuard):
        return True
    if isinstance(step, PadTrim):
        return step.target_length is not None or step.duration is not None
    return not get_tags(step).requires_fit


def fit_streamed(pipeline: Pipeline, X: LazyClips, y: Any = None, **params) -> Pipeline:
    """Fit ``pipeline`` on lazy clips ``X``. Returns ``pipeline``.

    The leading steps that learn (almost) nothing from the clips are fitted
    on a sample and applied batch by batch (:class:`TransformedClips`). From
    the first step that learns from all of its input (e.g. a
    StandardScaler), that input is read into memory batch by batch (the
    features at that point, not the waveforms) and the rest of the Pipeline
    is fitted on it as usual.
    """
    from sklearn.utils.validation import check_consistent_length

    if y is not None:
        y = np.asarray(y)
        check_consistent_length(X, y)
    last = _split_params(pipeline, params)
    steps = list(pipeline.steps)
    n_head = len(steps) - 1
    k = next((i for i, (_, step) in enumerate(steps[:n_head]) if not _learns_little(step)),
             n_head)
    if any(step is not None and step != "passthrough" for _, step in steps[:k]):
        pick = _fit_sample(len(X))
        front = Pipeline(steps[:k], memory=pipeline.memory)
        clips, pick = _read_fit_sample(X, pick, pipeline._final_estimator)
        front.fit(clips, None if y is None else y[pick])
        steps[:k] = front.steps  # the fitted steps (clones when memory is set)
    Xt = TransformedClips(X, steps[:k])
    if k < n_head:  # a step learns from all of its input: give it that input, in memory
        rest = Pipeline(steps[k:], memory=pipeline.memory)
        rest.fit(_concat([batch for _, batch in Xt.batches(READ_CHUNK)]), y, **params)
        steps[k:] = rest.steps
        pipeline.steps = steps
        return pipeline
    pipeline.steps = steps
    final = pipeline._final_estimator
    if final is not None and final != "passthrough":
        final.fit(Xt, y, **last)
    return pipeline


def predict_streamed(pipeline: Pipeline, method: str, X: LazyClips, **params) -> Any:
    """``Pipeline.<method>`` (predict, predict_proba, ...) of lazy clips, a batch at a time."""
    import warnings

    run = getattr(Pipeline, method)
    outputs = []
    for idx, clips in X.batches(READ_CHUNK):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outputs.append(np.asarray(run(pipeline, clips, **params)))
        for w in caught:  # a warning's clip indices count from the start of its batch
            where = f"Clips {idx[0]}-{idx[-1]} of X (indices below from {idx[0]}): "
            warnings.warn_explicit(where + str(w.message), w.category, w.filename, w.lineno)
    return _concat(outputs)


def score_streamed(pipeline: Pipeline, X: LazyClips, y: Any, sample_weight: Any = None) -> float:
    """Accuracy of a classifier Pipeline on lazy clips (predicted a batch at a time)."""
    from sklearn.base import is_classifier
    from sklearn.metrics import accuracy_score

    if not is_classifier(pipeline._final_estimator):
        raise ValueError("score on clips read in batches is the accuracy of a classifier; "
                         f"{type(pipeline._final_estimator).__name__} is not one. Predict "
                         "and score the predictions yourself.")
    return float(accuracy_score(y, predict_streamed(pipeline, "predict", X),
                                sample_weight=sample_weight))
