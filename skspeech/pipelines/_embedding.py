"""A keyword network's embedding as a scikit-learn transformer: clips in, one vector per clip out.

The embedding is, by default, the mean and the standard deviation over time of
the channels of the network's last two residual blocks ("blocks"), or the
input of its last layer ("head", the Dense layer named "softmax" that every
skspeech network ends with: the pooled vector its own words are read from;
see :mod:`skspeech.export._embedding`). It comes from an export
(``export_tflite(..., embedding=True)``, run by LiteRT without TensorFlow), a
pretrained model, or a fitted network pipeline (run by Keras).

It lives here, with the recipes, and not in :mod:`skspeech.features`: it runs
an export (:mod:`skspeech.export`) or a pretrained model
(:mod:`skspeech.pretrained`), both of which build on the features, so a
front end in ``features`` cannot import them (docs/architecture.rst).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Integral, Interval, StrOptions

from .._base import StatelessTransformer
from .._validation import check_audio
from ..export._embedding import default_layers, embedding_size, pool_embedding

#: Clips per Keras call (as the networks' own predict).
_CHUNK = 256
_EXPECTED = ("a pretrained model's name (skspeech.pretrained.available()), an export folder "
             "written with embedding=True (skspeech export --embedding), a TFLiteModel of one, "
             "or a fitted network pipeline (kws_pipeline, conv1d_pipeline or skspeech train "
             "--model kws/kws2d/conv1d)")


class _ExportedEmbedding:
    """The TFLite form: the embedding file beside a :class:`~skspeech.export.TFLiteModel`."""

    def __init__(self, tflite, layers):
        self.tflite = tflite
        parts = tflite.embedding_parts  # ValueError: the export has none
        self.layers = layers or default_layers(parts)
        self.size = embedding_size(parts, self.layers)  # and blocks it lacks
        tflite._embedding_interpreter()  # a missing or foreign file: now, naming it
        self.sr = tflite.sr

    def embed(self, X):
        return self.tflite.embed(X, layers=self.layers)


class _KerasEmbedding:
    """The Keras form: the fitted front end, then the network up to its softmax layer's input."""

    def __init__(self, model, layers):
        from .._inspection import is_keras_classifier, model_sr, split_model
        from ..export._tflite import embedding_network

        front, clf = split_model(model)
        if not is_keras_classifier(clf):
            got = type(clf).__name__
            got = got if front is None else f"a Pipeline ending in {got}"
            raise ValueError(f"NetworkEmbedding needs {_EXPECTED}; got {got}, which has no "
                             f"network to take an embedding from.")
        if not clf.__sklearn_is_fitted__():
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"NetworkEmbedding got an unfitted {type(clf).__name__}: fit "
                                 f"the model first (or give an export folder or a pretrained "
                                 f"model's name).")
        self.front, self.clf = front, clf
        self.net, self.parts = embedding_network(clf.model_)
        self.layers = layers or default_layers(self.parts)
        self.size = embedding_size(self.parts, self.layers)
        self.sr = model_sr(model)

    def embed(self, X):
        F = self.front.transform(X) if self.front is not None else X
        F = self.clf._network_inputs(F)
        out = [np.asarray(self.net.predict_on_batch(F[i:i + _CHUNK]))
               for i in range(0, len(F), _CHUNK)]
        return pool_embedding(np.concatenate(out), self.parts, self.layers)


def _resolve(model, variant, layers):
    """The embedding's form for ``model`` (see :class:`NetworkEmbedding`), checked."""
    from ..export import TFLiteModel, load_exported

    if isinstance(model, (str, os.PathLike)):
        from .. import pretrained

        if pretrained.is_pretrained_name(model):
            try:
                folder = pretrained.path(os.fspath(model))
            except FileNotFoundError as exc:
                raise FileNotFoundError(f"NetworkEmbedding(model={os.fspath(model)!r}): {exc} "
                                        f"Or give an export folder written with "
                                        f"embedding=True.") from None
        else:
            folder = Path(os.path.expanduser(os.fspath(model)))
            if not folder.exists():
                shipped = ", ".join(pretrained.available()) or "none in this installation"
                raise ValueError(f"NetworkEmbedding(model={os.fspath(model)!r}): no pretrained "
                                 f"model has this name (installed: {shipped}) and no such file "
                                 f"or folder exists. Give {_EXPECTED}.")
        return _ExportedEmbedding(load_exported(folder, variant=variant), layers)
    if variant is not None:
        raise ValueError(f"variant={variant!r} chooses the file of an export folder or a "
                         f"pretrained model; model is a {type(model).__name__}. Leave variant "
                         f"None.")
    if isinstance(model, TFLiteModel):
        return _ExportedEmbedding(model, layers)
    return _KerasEmbedding(model, layers)


class NetworkEmbedding(StatelessTransformer, auto_wrap_output_keys=("transform",)):
    """A keyword network's embedding: clips in, a fixed-length vector per clip out.

    The vector is, by default, the mean and the standard deviation over time
    of the channels of the network's last two residual blocks: how the
    sounds the network learned to hear unfold over the clip. Fitting a small
    classifier on it recognises new words from a few recordings each
    (:func:`custom_words_pipeline`; 90 % on five words never heard, against
    85 % from the input of the network's softmax layer, in
    ``docs/benchmarks/custom_words.txt``); any scikit-learn estimator, search
    or ``joblib`` file takes it as one more step.

    The network is used, never trained: the transformer learns nothing, and
    a pretrained model or an export folder works without ``fit``. ``clone``
    (and so :class:`~sklearn.model_selection.GridSearchCV`) keeps the same
    ``model`` object, as it is fitted already.

    Parameters
    ----------
    model : str, path-like, TFLiteModel or estimator, default="speech-commands-12"
        The network:

        - the name of a pretrained model (:mod:`skspeech.pretrained`);
        - an export folder written by ``export_tflite(..., embedding=True)``
          (``skspeech export --embedding``), or one of its ``.tflite``
          files, run by LiteRT (no TensorFlow needed);
        - a :class:`~skspeech.export.TFLiteModel` of such an export;
        - a fitted network recipe (:func:`kws_pipeline`,
          :func:`conv1d_pipeline`, a model file of ``skspeech train --model
          kws``, an :class:`~skspeech.augment.AugmentedClassifier` around
          one, or a fitted network alone), run by Keras.

        Pickles (``joblib.dump``) keep the name, the path or the object, not
        the interpreter or the Keras sub-model, which are made again on first
        use: an export folder must still be where it was.
    variant : {None, "float", "int8"}, default=None
        For a name or a folder: which export runs. None takes the float
        files when the folder has them (the Keras network's own values),
        else the int8 ones (the pretrained models ship int8 only).
    layers : {"blocks", "head"} or None, default=None
        Which vector: ``"blocks"``, the mean and standard deviation over
        time of the channels of the last two residual blocks (4 x channels
        values: 192 for the pretrained model); ``"head"``, the input of the
        softmax layer (48 values for the pretrained model), the vector the
        network reads its own words from. None: ``"blocks"`` for a network
        with residual blocks (the keyword networks), else ``"head"`` (the
        conv1d network; exports whose frontend.json lists no ``parts``).
    sr : int, default=None
        The sample rate of the clips given. Checked against the model's rate
        (ValueError when they differ: put a
        :class:`~skspeech.preprocessing.Resampler` first, as
        :func:`custom_words_pipeline` does), and read by the recipes' rate
        checks. None: the clips are at the model's rate.

    Attributes
    ----------
    embedding_size_ : int
        The length of the vector per clip (the number of output features).
    model_sr_ : int or None
        The sample rate the model takes its clips at (None: a network
        exported without a front end, which takes features).
    n_features_in_ : int
        Samples per clip, when fitted on a 2-D array.

    See Also
    --------
    custom_words_pipeline : NetworkEmbedding -> StandardScaler -> LogisticRegression.
    skspeech.export.TFLiteModel.embed : The same vectors from an export.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.pipelines import NetworkEmbedding
    >>> emb = NetworkEmbedding("speech-commands-12")  # doctest: +SKIP
    >>> emb.transform(np.zeros((2, 16000), dtype=np.float32)).shape  # doctest: +SKIP
    (2, 192)
    >>> NetworkEmbedding("export/").fit_transform(clips).dtype  # doctest: +SKIP
    dtype('float32')
    """

    _parameter_constraints = {
        "model": [str, os.PathLike, HasMethods(["predict"])],
        "variant": [StrOptions({"float", "int8"}), None],
        "layers": [StrOptions({"blocks", "head"}), None],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, model: Any = "speech-commands-12", *, variant: str | None = None,
                 layers: str | None = None, sr: int | None = None) -> None:
        self.model = model
        self.variant = variant
        self.layers = layers
        self.sr = sr

    def _embedding(self):
        """The resolved model, made once per ``(model, variant, layers)``, kept until pickled."""
        cached = self.__dict__.get("_resolved")
        key = (self.variant, self.layers)
        if cached is not None and cached[0] is self.model and cached[1] == key:
            return cached[2]
        form = _resolve(self.model, self.variant, self.layers)
        self._resolved = (self.model, key, form)
        return form

    def _check_params(self) -> None:
        form = self._embedding()
        if self.sr is not None and form.sr is not None and self.sr != form.sr:
            raise ValueError(f"NetworkEmbedding(sr={self.sr}) takes clips at {self.sr} Hz, but "
                             f"its model takes clips at {form.sr} Hz. Put "
                             f"Resampler(orig_sr={self.sr}, target_sr={form.sr}) before it "
                             f"(custom_words_pipeline(sr={self.sr}) does), or read the audio "
                             f"at {form.sr} Hz.")

    def fit(self, X: Any, y: ArrayLike | None = None) -> NetworkEmbedding:
        """Check the parameters, the model and ``X``; nothing is learned.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at the model's rate.
        y : None
            Ignored.

        Returns
        -------
        self : NetworkEmbedding
            With ``embedding_size_`` and ``model_sr_``.
        """
        super().fit(X, y)  # the parameters (and the model, in _check_params), then X
        form = self._embedding()
        self.embedding_size_ = form.size
        self.model_sr_ = form.sr
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The embedding of each clip.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or list of 1-D ndarray
            Clips at the model's rate (float in [-1, 1]); the model's front
            end pads or trims them to its clip length.

        Returns
        -------
        X_new : ndarray of shape (n_clips, n_values)
            Float32; ``n_values`` is ``embedding_size_``.
        """
        self._check_transform_params()
        X = check_audio(X, estimator=self)
        return self._embedding().embed(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``networkembedding0``, ``networkembedding1``, ... (one per value of the vector).

        Parameters
        ----------
        input_features : None
            Ignored (the inputs are clips).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        size = self._embedding().size
        return np.asarray([f"networkembedding{i}" for i in range(size)], dtype=object)

    def __sklearn_clone__(self) -> NetworkEmbedding:
        # The model is fitted already and used as it is: a clone shares it (as
        # sklearn.frozen.FrozenEstimator), where clone() would return it unfitted.
        params = {k: clone(v, safe=False) for k, v in self.get_params(deep=False).items()
                  if k != "model"}
        return type(self)(model=self.model, **params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters; ``model``'s own are not listed (it is used, never set or fitted)."""
        return super().get_params(deep=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_resolved", None)  # an interpreter or a Keras model: made again when used
        return state
