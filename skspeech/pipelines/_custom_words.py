"""New words from a few recordings: a small classifier on a keyword network's embedding."""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from .._docstrings import fill_doc
from .._validation import check_sr
from ._docs import RECIPE_DOC
from ._embedding import NetworkEmbedding
from ._pipeline import SpeechPipeline


@fill_doc(**RECIPE_DOC)
def custom_words_pipeline(sr: int = 16000, *, model: Any = "speech-commands-12",
                          variant: str | None = None, C: float = 1.0,
                          max_iter: int = 1000) -> SpeechPipeline:
    """Build an unfitted pipeline that learns new words from a few clips each.

    [Resampler ->] NetworkEmbedding -> StandardScaler -> LogisticRegression.
    A trained keyword network (by default the pretrained
    ``"speech-commands-12"``) turns each clip into its embedding (the mean
    and spread over time of its last two residual blocks' channels, see
    :class:`NetworkEmbedding`); a logistic regression,
    the only part fitted, learns the new words from it. About ten clips of
    each word are enough to start; fitting takes seconds, as only the
    embeddings are computed and a linear model fitted.

    Logistic regression with balanced class weights: its probabilities are
    calibrated well enough for a threshold (``predict_proba``) without the
    internal cross-validation that an SVM's probabilities need, which is
    fragile with a handful of clips per word; words with more clips do not
    outvote the others.

    Parameters
    ----------
    %(sr)s
        A :class:`~skspeech.preprocessing.Resampler` is put first when it
        differs from the model's rate.
    model : str, path-like, TFLiteModel or estimator, default="speech-commands-12"
        The network whose embedding is used: a pretrained model's name, an
        export folder written with ``embedding=True`` (``skspeech export
        --embedding``), or a fitted network pipeline (see
        :class:`NetworkEmbedding`).
    variant : {None, "float", "int8"}, default=None
        For a name or an export folder: which of its files runs (None: float
        when present, else int8).
    C : float, default=1.0
        Inverse regularisation of the logistic regression (smaller: smoother
        boundaries, better with very few clips).
    max_iter : int, default=1000
        Iterations of the logistic regression's solver.

    Returns
    -------
    pipeline : SpeechPipeline
        Unfitted: ``fit(clips, words)``, then ``predict`` and
        ``predict_proba`` (columns in ``classes_`` order).

    Raises
    ------
    ValueError
        If ``model`` is not one of the above, or its export has no embedding.
    FileNotFoundError
        If the pretrained model's files are not installed, or an export file
        is missing.

    See Also
    --------
    NetworkEmbedding : The embedding step alone.

    Examples
    --------
    >>> from skspeech.pipelines import custom_words_pipeline
    >>> model = custom_words_pipeline(sr=16000)  # doctest: +SKIP
    >>> model.fit(clips, words).predict(new_clips)  # doctest: +SKIP
    array(['lights on', 'lights off'], dtype='<U10')
    """
    sr = check_sr(sr)
    embedding = NetworkEmbedding(model, variant=variant)
    model_sr = embedding._embedding().sr  # the model, checked now: a bad one fails here
    steps = []
    if model_sr is not None and model_sr != sr:
        from ..preprocessing import Resampler

        steps.append(("resample", Resampler(orig_sr=sr, target_sr=model_sr)))
    embedding.set_params(sr=model_sr)
    steps += [("embedding", embedding), ("scale", StandardScaler()),
              ("classifier", LogisticRegression(C=C, class_weight="balanced",
                                                max_iter=max_iter))]
    return SpeechPipeline(steps)
