"""Conv1DClassifier: the tutorial's Conv1D network as a scikit-learn classifier.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public name ``skspeech.models.Conv1DClassifier`` is resolved lazily, so
``import skspeech.models`` stays light.
"""

import contextlib
import math
import random
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .._validation import _is_ragged_input, check_audio, check_frames
from ..exceptions import InvalidAudioError
from . import _keras_nets as nets

_INSTALL_HINT = (
    "Conv1DClassifier needs TensorFlow, Keras and scikeras, which are optional: "
    "pip install 'skspeech[keras]'"
)

try:
    import keras
    from scikeras.utils.transformers import ClassifierLabelEncoder
    from scikeras.wrappers import KerasClassifier
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(f"{_INSTALL_HINT} (import failed: {exc})") from exc

__all__ = ["Conv1DClassifier"]

# Clips per predict_on_batch call: bounds memory on long inputs (the tutorial
# net holds about 60 MB of activations for 256 one-second clips).
_PREDICT_CHUNK = 256


def _add_channel_axis(X):
    """(n_clips, n_samples) waveforms -> (n_clips, n_samples, 1); frames pass through."""
    return X[:, :, np.newaxis] if X.ndim == 2 else X


def _seed_from(random_state):
    """An int seed (or None) from an int, a RandomState instance or None."""
    if random_state is None or isinstance(random_state, Integral):
        return None if random_state is None else int(random_state)
    return int(random_state.randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def _seeded(seed):
    """Seed Python, NumPy, TensorFlow and Keras, with deterministic TF ops; restore after.

    ``keras.utils.set_random_seed`` also resets Keras's global seed generator,
    which scikeras's own ``tensorflow_random_state`` does not: without it a
    second fit in the same process draws different initial weights. The
    previous global states are put back on exit, as an estimator's
    ``random_state`` should not reseed the user's program.
    """
    if seed is None:
        yield
        return
    import tensorflow as tf
    from keras.src.backend.common import global_state
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config as tf_config

    keras_keys = ("global_random_seed", "global_seed_generator")
    saved_keras = {k: global_state.get_global_attribute(k) for k in keras_keys}
    saved_tf_seed = context.global_seed()
    py_state, np_state = random.getstate(), np.random.get_state()
    was_deterministic = tf_config.is_op_determinism_enabled()
    keras.utils.set_random_seed(seed)
    tf_config.enable_op_determinism()
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        tf.random.set_seed(saved_tf_seed)
        for key, value in saved_keras.items():
            global_state.set_global_attribute(key, value)
        if not was_deterministic:
            tf_config.disable_op_determinism()


class _EpochProgressBar(keras.callbacks.Callback):
    """A tqdm bar over epochs showing the losses (``verbose=1``)."""

    def __init__(self, total, desc, initial=0):
        super().__init__()
        self.total = total
        self.desc = desc
        self.initial = initial
        self._bar = None

    def on_train_begin(self, logs=None):
        from tqdm import tqdm

        self._bar = tqdm(total=self.total, initial=self.initial, desc=self.desc, unit="epoch")

    def on_epoch_end(self, epoch, logs=None):
        shown = {k: f"{v:.4g}" for k, v in (logs or {}).items()
                 if k in ("loss", "accuracy", "val_loss", "val_accuracy")}
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()


def _without_optimizer(model):
    """A copy of ``model`` with the same weights, not compiled: no optimizer to save.

    ``keras.models.clone_model`` would compile the copy, and compiling builds
    the optimizer's variables (Adam: two per weight), which are then saved.
    """
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


# Training parameters shared by every Keras classifier of skspeech.
_TRAINING_PARAMETER_CONSTRAINTS = {
    "optimizer": [StrOptions(set(nets.OPTIMIZERS)),
                  HasMethods(["apply_gradients", "get_config"])],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
    "patience": [Interval(Integral, 0, None, closed="left"), None],
    "restore_best_weights": ["boolean"],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "callbacks": [list, None],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class Conv1DClassifier(KerasClassifier):
    """The TensorFlow speech tutorial's Conv1D network as a scikit-learn classifier.

    A :class:`scikeras.wrappers.KerasClassifier` whose default network is the
    tutorial's: four blocks of ``Conv1D`` (8, 16, 32, 64 filters; kernels 13,
    11, 9, 7; ReLU) -> ``MaxPooling1D(3)`` -> ``Dropout(0.3)``, then Flatten,
    ``Dense(256)`` and ``Dense(128)`` each with ``Dropout(0.3)``, and a softmax
    over the classes (1.6 M weights on 1 s of 8 kHz audio). Every part is a
    parameter.

    It reads raw waveforms ``(n_clips, n_samples)`` (one channel) or feature
    frames ``(n_clips, n_frames, n_coeffs)`` (coefficients as channels, time
    along the convolution); all clips must have one length, so put
    :class:`~skspeech.preprocessing.PadTrim` first. Labels may be strings.

    Training follows the tutorial, done right: a **stratified** validation
    split (Keras's ``validation_split`` takes the last rows unshuffled: on data
    sorted by word it validates on one word), early stopping on the validation
    loss after ``patience`` epochs without improvement, and the weights of the
    best epoch restored at the end (the tutorial's ``ModelCheckpoint``).

    Parameters
    ----------
    filters : sequence of int, default=(8, 16, 32, 64)
        Filters of each convolution block; its length is the number of blocks.
    kernel_sizes : int or sequence of int, default=(13, 11, 9, 7)
        Kernel length of each block (one int for all blocks).
    pool_size : int, sequence of int or None, default=3
        Max-pooling window and stride after each block; None or 1: no pooling.
    dropout : float, default=0.3
        Dropout rate after each convolution block.
    dense_units : sequence of int, default=(256, 128)
        Units of the hidden dense layers after Flatten (or global pooling).
    dense_dropout : float, default=0.3
        Dropout rate after each hidden dense layer.
    global_pooling : {"max", "avg"} or None, default=None
        Take the maximum (or mean) of each filter over time instead of
        ``Flatten``: far fewer weights in the dense layers, and less tied to
        where in the clip the word falls.
    padding : {"valid", "same"}, default="valid"
        Padding of the convolutions and poolings. ``"valid"`` (the tutorial)
        needs inputs of at least a minimum length (357 steps for the default
        network); ``"same"`` accepts any length.
    activation : str, default="relu"
        Activation of the convolution and hidden dense layers (a Keras name).
    batch_norm : bool, default=False
        Add batch normalisation between each convolution and its activation.
    input_normalization : bool, default=False
        Start the network with a :class:`keras.layers.Normalization` layer
        whose per-channel mean and variance are learned from the training
        split. Useful for feature frames (MFCC c0 is far larger than the other
        coefficients); pointless for a one-channel waveform.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A Keras optimizer name, or an instance used as a template (its
        configuration is copied at each fit, its state never shared).
    learning_rate : float, default=0.001
        Learning rate; it overrides the optimizer's own.
    batch_size : int, default=32
        Clips per gradient step.
    epochs : int, default=100
        Maximum number of passes over the training split.
    validation_fraction : float or None, default=0.1
        Fraction of the training clips held out, stratified by class, to pick
        the best epoch and stop early. None trains on every clip for
        ``epochs`` epochs, without early stopping.
    patience : int or None, default=10
        Stop after this many epochs without a lower validation loss. None
        never stops early (the best epoch is still restored).
    restore_best_weights : bool, default=True
        End with the weights of the epoch with the lowest validation loss
        rather than the last epoch's.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, ``{label: weight}``, multiplied into
        ``sample_weight``.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for training (e.g. TensorBoard).
    warm_start : bool, default=False
        Keep the network and continue training at the next ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, dropout, shuffling and the validation split; with
        an int, fits are repeatable (bit for bit on the same machine). The
        Python, NumPy, TensorFlow and Keras seeds are set during fit and
        restored after, and TensorFlow's op determinism is switched on: on
        CPU the runs were identical without it too, but GPU convolutions
        need it; it cost roughly 10-20 % on the raw-waveform network.
    verbose : int, default=0
        0 is silent, 1 shows a progress bar over epochs, 2 prints one line
        per epoch (Keras).

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of str to list of float
        Per epoch: ``loss`` and ``accuracy`` on the training split,
        ``val_loss`` and ``val_accuracy`` on the validation split.
    best_epoch_ : int
        Index into the ``history_`` lists of the epoch whose weights the
        network holds.
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; the columns of :meth:`predict_proba`.
    n_classes_ : int
        Number of classes.
    X_shape_ : tuple of int
        Shape of the ``X`` given to ``fit``.
    n_features_in_ : int
        Samples per clip seen in ``fit`` (2-D waveform input only).

    See Also
    --------
    skspeech.pipelines.conv1d_pipeline : The tutorial's recipes as Pipelines.
    skspeech.plotting.plot_history : Plot ``history_``.

    Notes
    -----
    Single-clip :meth:`predict` and :meth:`predict_proba` call the traced
    network directly (``predict_on_batch``): about 1-3 ms instead of the
    ~75 ms of ``keras.Model.predict``. A pickled (or joblib-dumped) fitted
    classifier keeps the network's weights but not its optimizer (Adam keeps
    two more copies of every weight): a third of the size. ``warm_start``
    after loading compiles a fresh optimizer.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.models import Conv1DClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(800) / 8000
    >>> noise = 0.1 * rng.standard_normal((40, 800))
    >>> X = np.concatenate([np.sin(2 * np.pi * 300 * t) + noise[:20],
    ...                     np.sin(2 * np.pi * 1500 * t) + noise[20:]])
    >>> y = np.array(["low"] * 20 + ["high"] * 20)
    >>> clf = Conv1DClassifier(filters=(4, 8), kernel_sizes=9, dense_units=(16,),
    ...                        global_pooling="max", epochs=5, random_state=0)
    >>> clf.fit(X, y).classes_
    array(['high', 'low'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> sorted(clf.history_)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """

    _parameter_constraints = {
        "filters": [list, tuple],
        "kernel_sizes": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "pool_size": [Interval(Integral, 1, None, closed="left"), list, tuple, None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dense_units": [list, tuple],
        "dense_dropout": [Interval(Real, 0, 1, closed="left")],
        "global_pooling": [StrOptions({"max", "avg"}), None],
        "padding": [StrOptions({"valid", "same"})],
        "activation": [str],
        "batch_norm": ["boolean"],
        "input_normalization": ["boolean"],
        **_TRAINING_PARAMETER_CONSTRAINTS,
    }

    def __init__(self, *, filters=(8, 16, 32, 64), kernel_sizes=(13, 11, 9, 7), pool_size=3,
                 dropout=0.3, dense_units=(256, 128), dense_dropout=0.3, global_pooling=None,
                 padding="valid", activation="relu", batch_norm=False,
                 input_normalization=False, optimizer="adam", learning_rate=1e-3,
                 batch_size=32, epochs=100, validation_fraction=0.1, patience=10,
                 restore_best_weights=True, class_weight=None, callbacks=None,
                 warm_start=False, random_state=None, verbose=0):
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.pool_size = pool_size
        self.dropout = dropout
        self.dense_units = dense_units
        self.dense_dropout = dense_dropout
        self.global_pooling = global_pooling
        self.padding = padding
        self.activation = activation
        self.batch_norm = batch_norm
        self.input_normalization = input_normalization
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # --- scikit-learn plumbing: parameters come from __init__, as in sklearn,
    # not from whatever public attributes scikeras finds in __dict__.
    _get_param_names = BaseEstimator.__dict__["_get_param_names"]
    set_params = BaseEstimator.set_params
    __repr__ = BaseEstimator.__repr__
    score = ClassifierMixin.score

    def __sklearn_tags__(self):
        # scikeras 0.13 only defines the pre-1.6 ``_more_tags`` and puts
        # ClassifierMixin after BaseEstimator, so without this sklearn >= 1.6
        # sees no classifier and GridSearchCV(cv=5) uses KFold, not StratifiedKFold.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True, multi_label=False)
        tags.target_tags.required = True
        tags.non_deterministic = False  # a random_state fixes weights and order (op determinism)
        tags.input_tags.three_d_array = True
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # --- fit -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on clips or frame sequences.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
            Waveforms or feature frames, all of one length.
        y : array-like of shape (n_clips,)
            Labels (strings or integers).
        sample_weight : array-like of shape (n_clips,), default=None
            Weight of each clip in the loss.

        Returns
        -------
        self : Conv1DClassifier
        """
        self._check_network_params()
        if sample_weight is not None:
            sample_weight = np.array(sample_weight, dtype=np.float32)
        return super().fit(X, y, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``(X, y)``, keeping the network between calls.

        No validation split and no early stopping: every clip given is used.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
            Waveforms or feature frames.
        y : array-like of shape (n_clips,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every label that will ever be seen; needed at the first call when
            ``y`` does not hold them all.
        sample_weight : array-like of shape (n_clips,), default=None
            Weight of each clip in the loss.

        Returns
        -------
        self : Conv1DClassifier
        """
        if not self.initialized_:
            self._validate_params()
        self._check_network_params()
        if classes is not None:
            classes = np.unique(column_or_1d(np.asarray(classes)))
        if sample_weight is not None:
            sample_weight = np.array(sample_weight, dtype=np.float32)
        self._partial = True
        try:
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)
        finally:
            self._partial = False

    def _check_network_params(self):
        """Element-wise checks that _parameter_constraints cannot express."""
        name = type(self).__name__
        if not all(isinstance(f, Integral) and f >= 1 for f in self.filters):
            raise ValueError(f"{name}: filters must be positive ints, one per conv block; "
                             f"got {self.filters!r}.")
        if not all(isinstance(u, Integral) and u >= 1 for u in self.dense_units):
            raise ValueError(f"{name}: dense_units must be positive ints; got "
                             f"{self.dense_units!r}.")
        for pname in ("kernel_sizes", "pool_size"):
            values = nets.per_block(getattr(self, pname), len(self.filters), pname)
            if not all(v is None or (isinstance(v, Integral) and v >= 1) for v in values):
                raise ValueError(f"{name}: {pname} must hold positive ints; got "
                                 f"{getattr(self, pname)!r}.")
        if not self.filters and self.global_pooling is not None:
            raise ValueError(f"{name}: global_pooling={self.global_pooling!r} needs at least "
                             "one conv block (filters is empty).")
        if self.callbacks is not None and not all(
                isinstance(cb, keras.callbacks.Callback) for cb in self.callbacks):
            raise ValueError(f"{name}: callbacks must be a list of keras.callbacks.Callback "
                             f"instances; got {self.callbacks!r}.")

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        continuing = (self.warm_start or warm_start) and self.initialized_
        known = (self.target_encoder_.classes_ if continuing
                 else getattr(self, "classes_", None))
        if known is not None:
            labels = np.unique(column_or_1d(np.asarray(y), warn=True))
            unseen = np.setdiff1d(labels, known)
            if unseen.size:
                raise ValueError(
                    f"y has labels the classifier does not know: {unseen.tolist()}; its "
                    f"classes are {np.asarray(known).tolist()}. Fit from scratch "
                    "(warm_start=False), or give every label through classes= at the first "
                    "partial_fit."
                )
        super()._fit(X, y, sample_weight=sample_weight, warm_start=warm_start, epochs=epochs,
                     initial_epoch=initial_epoch, **kwargs)
        # scikeras's fit resets classes_ to None and, when warm-starting, does
        # not set it again: take the metadata back from the fitted encoder.
        vars(self).update(self.target_encoder_.get_metadata())

    def _initialize(self, X, y=None):
        # As scikeras, but with a seed that a RandomState really draws (scikeras
        # draws randint(low=1), always 0) and a check of the input length.
        self._random_state = _seed_from(self.random_state)
        X, y = self._validate_data(X, y, reset=True)
        self._check_input_length(X)
        labels = np.unique(y) if self.classes_ is None else self.classes_
        if len(labels) < 2:
            raise ValueError(
                f"y has {len(labels)} class ({np.asarray(labels).tolist()}); "
                f"{type(self).__name__} needs at least 2 classes to tell apart."
            )
        self.target_encoder_ = self.target_encoder.fit(y)
        vars(self).update(self.target_encoder_.get_metadata())
        self.feature_encoder_ = self.feature_encoder.fit(X)
        self.model_ = self._build_keras_model()
        self._fresh_model = True
        self._initialize_callbacks()
        return X, y

    def _check_input_length(self, X):
        n_steps = X.shape[1]
        kernels = nets.per_block(self.kernel_sizes, len(self.filters), "kernel_sizes")
        pools = nets.per_block(self.pool_size, len(self.filters), "pool_size")
        need = nets.min_input_length(kernels, pools, self.padding)
        if n_steps < need:
            what = "samples" if X.ndim == 2 else "frames"
            raise ValueError(
                f"X has {n_steps} feature(s) ({what} per clip), but {type(self).__name__} "
                f"with kernel_sizes={self.kernel_sizes!r}, pool_size={self.pool_size!r} and "
                f"padding={self.padding!r} needs at least {need}. Use longer clips "
                "(PadTrim), fewer or smaller conv blocks, or padding='same'."
            )

    def _keras_build_fn(self, meta):
        """Build and compile the network from the fitted metadata (scikeras hook)."""
        shape = meta["X_shape_"]
        input_shape = (shape[1], 1) if len(shape) == 2 else tuple(shape[1:])
        model = nets.build_conv1d_network(
            input_shape, meta["n_classes_"], filters=self.filters,
            kernel_sizes=self.kernel_sizes, pool_size=self.pool_size, dropout=self.dropout,
            dense_units=self.dense_units, dense_dropout=self.dense_dropout,
            global_pooling=self.global_pooling, padding=self.padding,
            activation=self.activation, batch_norm=self.batch_norm,
            input_normalization=self.input_normalization)
        return nets.compile_network(model, self.optimizer, self.learning_rate)

    def _build_keras_model(self):
        with _seeded(self._random_state):
            return self._keras_build_fn(meta=self._get_metadata())

    def _ensure_compiled_model(self):
        # A loaded (unpickled) network has no optimizer: compile a fresh one.
        if not self.model_.compiled:
            nets.compile_network(self.model_, self.optimizer, self.learning_rate)

    @property
    def target_encoder(self):
        """Encodes labels as integers 0..n_classes-1 (sparse categorical cross-entropy)."""
        categories = "auto" if self.classes_ is None else [self.classes_]
        return ClassifierLabelEncoder(loss="sparse_categorical_crossentropy",
                                      categories=categories)

    @property
    def feature_encoder(self):
        """Adds the channel axis to waveforms: ``(n, n_samples) -> (n, n_samples, 1)``."""
        return FunctionTransformer(_add_channel_axis)

    def _validation_split(self, y_int):
        """Stratified train/validation indices."""
        n = len(y_int)
        counts = np.bincount(y_int, minlength=self.n_classes_)
        n_val = max(int(math.ceil(self.validation_fraction * n)), self.n_classes_)
        if counts.min() < 2 or n - n_val < self.n_classes_:
            rare = self.classes_[int(np.argmin(counts))].item()
            raise ValueError(
                f"validation_fraction={self.validation_fraction} cannot hold out a stratified "
                f"validation split of {n} clips: class {rare!r} has {counts.min()} clip(s), and "
                f"every class needs one clip in training and one in validation "
                f"({n_val} validation clips for {self.n_classes_} classes). Give more clips, "
                "or set validation_fraction=None to train on all clips without early stopping."
            )
        return train_test_split(np.arange(n), test_size=n_val, stratify=y_int,
                                random_state=self._random_state)

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):
        self._initialize_callbacks()
        callbacks = list(self._fit_callbacks) + [keras.callbacks.TerminateOnNaN()]
        validate = self.validation_fraction is not None and not getattr(self, "_partial", False)
        validation_data = None
        stopper = None
        if validate:
            train, val = self._validation_split(np.asarray(y).reshape(len(y)).astype(int))
            validation_data = (X[val], y[val]) if sample_weight is None else (
                X[val], y[val], sample_weight[val])
            X, y = X[train], y[train]
            sample_weight = None if sample_weight is None else sample_weight[train]
            if self.patience is not None or self.restore_best_weights:
                stopper = keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=self.patience if self.patience is not None else epochs + 1,
                    restore_best_weights=self.restore_best_weights)
                callbacks.append(stopper)
        if getattr(self, "_fresh_model", False):
            nets.adapt_input_normalization(self.model_, X)
            self._fresh_model = False
        callbacks += self._schedule_callbacks(initial_epoch + epochs)
        if self.verbose == 1:
            callbacks.append(_EpochProgressBar(initial_epoch + epochs, type(self).__name__,
                                               initial=initial_epoch))
        with _seeded(self._random_state):
            hist = self.model_.fit(
                X, y, sample_weight=sample_weight, validation_data=validation_data,
                batch_size=self.batch_size, epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch, shuffle=True, callbacks=callbacks,
                verbose=2 if self.verbose >= 2 else 0)

        if not warm_start or not hasattr(self, "history_") or initial_epoch == 0:
            self.history_ = {}
        for key, values in hist.history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        # best_epoch_ indexes history_; EarlyStopping counts from initial_epoch.
        first = len(self.history_["loss"]) - len(hist.history["loss"])
        if stopper is not None and self.restore_best_weights and stopper.best_weights is not None:
            self.best_epoch_ = first + stopper.best_epoch - initial_epoch
        else:
            self.best_epoch_ = len(self.history_["loss"]) - 1
        if not np.all(np.isfinite(hist.history["loss"])):
            warnings.warn(
                f"{type(self).__name__}: the training loss became NaN or infinite (training "
                f"diverged); lower learning_rate (now {self.learning_rate}) or normalise the "
                "input (input_normalization=True).", RuntimeWarning, stacklevel=4)

    def _schedule_callbacks(self, total_epochs):
        """Callbacks that set the learning rate per epoch; none: it stays ``learning_rate``."""
        return []

    # --- input checks ----------------------------------------------------

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Check X and y before anything reaches TensorFlow (replaces scikeras's)."""
        if reset and y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y "
                             "is None; give one label per clip.")
        if y is not None:
            y = self._check_y(y, reset=reset)
        if X is not None:
            X = self._check_X(X, reset=reset)
        if X is not None and y is not None:
            check_consistent_length(X, y)
        return X, y

    def _check_y(self, y, reset):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"y must hold one label per clip, shape (n_clips,); got shape {y.shape}. "
                f"{type(self).__name__} does not do multi-label or multi-output classification."
            )
        y = column_or_1d(y, warn=True)
        if reset:
            check_classification_targets(y)
            self.target_type_ = self._type_of_target(y)
            self.y_dtype_ = y.dtype
            self.y_ndim_ = y.ndim
        return y

    def _check_X(self, X, reset):
        name = type(self).__name__
        silent = "raise" if reset else "warn"
        if _is_ragged_input(X):
            ndims = {np.ndim(x) for x in X}
            if ndims == {1}:
                X = check_audio(X, estimator=self, reset=reset, silent=silent)
            elif ndims == {2}:
                X = check_frames(X, estimator=self, reset=reset)
            else:
                raise InvalidAudioError(
                    f"X is a list of arrays with {sorted(ndims)} dimensions; {name} takes "
                    "clips (1-D arrays) or frame sequences (2-D arrays), not a mix.")
            shapes = {x.shape for x in X}
            if len(shapes) > 1:
                lengths = sorted(x.shape[0] for x in X)
                what = "clips" if X[0].ndim == 1 else "frame sequences"
                raise InvalidAudioError(
                    f"X holds {what} of different lengths ({lengths[0]} to {lengths[-1]}); "
                    f"{name} needs one length. Pad or trim them first, e.g. "
                    f"make_pipeline(PadTrim(duration=1.0, sr=sr), {name}()).")
            X = np.stack(X)
        else:
            ndim = getattr(X, "ndim", None)
            if ndim is None:
                X = np.asarray(X)
                ndim = X.ndim
            if ndim == 3:
                X = check_frames(X, estimator=self, reset=reset)
            elif ndim == 2:
                X = check_audio(X, estimator=self, reset=reset, silent=silent)
            else:
                raise InvalidAudioError(
                    f"X must be waveforms of shape (n_clips, n_samples) or feature frames of "
                    f"shape (n_clips, n_frames, n_coeffs); got an array of shape "
                    f"{getattr(X, 'shape', None)}. Reshape your data: for a single clip x "
                    "pass x[np.newaxis].")
        if reset:
            if X.ndim == 2:
                self.n_features_in_ = X.shape[1]
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            self.X_shape_ = X.shape
            self.X_dtype_ = X.dtype
            return X
        fitted = self.X_shape_
        if X.ndim != len(fitted):
            kinds = {2: "waveforms (n_clips, n_samples)",
                     3: "feature frames (n_clips, n_frames, n_coeffs)"}
            raise ValueError(f"X holds {kinds[X.ndim]}, but {name} was fitted on "
                             f"{kinds[len(fitted)]}; give it the same kind of input.")
        if X.shape[1:] != tuple(fitted[1:]):
            if X.ndim == 2:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {name} is expecting {fitted[1]} "
                    f"features as input (samples per clip). Pad or trim clips to the training "
                    f"length, e.g. with PadTrim(target_length={fitted[1]}).")
            raise ValueError(
                f"X has frames of shape {X.shape[1:]} (n_frames, n_coeffs), but {name} was "
                f"fitted on {tuple(fitted[1:])}. Compute the features with the same settings "
                "and clip duration as for training.")
        return X

    # --- predict ---------------------------------------------------------

    def _predict_raw(self, X, **kwargs):
        if not self.initialized_:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator.")
        X, _ = self._validate_data(X=X, y=None)
        X = self.feature_encoder_.transform(X)
        # predict_on_batch runs the traced network: ~1-3 ms for one clip, where
        # keras.Model.predict spends ~75 ms setting up its data pipeline.
        outputs = [np.asarray(self.model_.predict_on_batch(X[i:i + _PREDICT_CHUNK]))
                   for i in range(0, len(X), _PREDICT_CHUNK)]
        return np.concatenate(outputs)

    def predict_proba(self, X):
        """Probability of each class, columns in ``classes_`` order.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
            Waveforms or feature frames of the training length.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes)
            Rows sum to 1 (float64).
        """
        proba = self._predict_raw(X).astype(np.float64)
        # scikeras squeezes a single row to 1-D; sklearn wants (n_clips, n_classes).
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable label of each clip.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
            Waveforms or feature frames of the training length.

        Returns
        -------
        y : ndarray of shape (n_clips,)
            Labels from ``classes_``.
        """
        raw = self._predict_raw(X)  # first: raises NotFittedError before classes_ exists
        return self.classes_[np.argmax(raw, axis=1)]

    # --- pickling --------------------------------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ gives __dict__ itself
        for key in ("_fit_callbacks", "_predict_callbacks", "_fresh_model", "_partial"):
            state.pop(key, None)
        if "model_" in state:
            # Keep the weights, drop the optimizer's state (Adam: 2 more copies).
            state["model_"] = _without_optimizer(state["model_"])
        return state
