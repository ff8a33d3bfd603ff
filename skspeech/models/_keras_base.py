"""_KerasClassifierBase: what skspeech's Keras classifiers share; each subclass builds its network.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public classes in :mod:`skspeech.models` are resolved lazily, so
``import skspeech.models`` stays light.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .._docstrings import fill_doc
from ..io._clips import is_lazy
from . import _keras_nets as nets
from ._keras_input import check_input, check_keras_labels

try:
    import keras
    from scikeras.utils.transformers import ClassifierLabelEncoder
    from scikeras.wrappers import KerasClassifier
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "skspeech's Keras classifiers (Conv1DClassifier, KWSClassifier, KWS2DClassifier) need "
        "TensorFlow, Keras and scikeras, which are optional: pip install 'skspeech[keras]' "
        f"(import failed: {exc})") from exc

from ._batches import check_lazy_input, clip_error, streamed_training_data  # noqa: E402
from ._checkpoint import TrainingCheckpoint, checkpoint_of, fit_callbacks  # noqa: E402
from ._workers import data_workers  # noqa: E402

# Clips per predict_on_batch call: bounds memory on long inputs (the tutorial
# net holds about 60 MB of activations for 256 one-second clips).
_PREDICT_CHUNK = 256


def _add_channel_axis(X):
    """(n_clips, n_samples) waveforms -> (n_clips, n_samples, 1); frames pass through."""
    return X[:, :, np.newaxis] if X.ndim == 2 else X


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


def store_params(est, values):
    """What each network's ``__init__`` does: store its arguments (``locals()``), nothing else.

    scikit-learn reads the parameters from ``__init__``'s signature, so each
    network spells them out there; this stores them without naming each twice.
    """
    for name, value in values.items():
        if name != "self":
            setattr(est, name, value)


# The fitted attributes every network has (its class docstring's %(keras_attributes)s).
KERAS_ATTRIBUTES = """\
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
    Shape of the ``X`` given to ``fit``."""

# What predict and predict_proba take, written once.
_X_TRAINED = """\
Parameters
----------
X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
    Waveforms or feature frames of the training length."""


@fill_doc(X_trained=_X_TRAINED)
class _KerasClassifierBase(KerasClassifier):
    """A scikeras ``KerasClassifier`` with skspeech's training; a subclass only builds its network.

    A subclass stores its parameters in ``__init__``, declares the
    network's ``_parameter_constraints`` next to ``_TRAINING_CONSTRAINTS``,
    and implements ``_build_network(input_shape, n_classes)`` (an uncompiled
    ``keras.Model``); optionally ``_check_network_params()`` (element-wise
    checks) and ``_check_input_length(X)``. A ``lr_schedule`` parameter
    (``"cosine"`` or ``"constant"``) turns the cosine schedule on.

    This base owns the rest: input checks (waveforms or frame sequences,
    before anything reaches TensorFlow), seeding (``random_state``), the
    stratified validation split with early stopping and the best epoch's
    weights, the learning-rate schedule, the progress bar, the fast
    ``predict`` and pickling without the optimizer's state.

    It goes through scikeras's own ``fit``, ``partial_fit`` and ``_fit``
    (label encoding, ``class_weight``, zero ``sample_weight``, ``warm_start``,
    ``partial_fit``'s ``classes``, callbacks) and overrides, each commented
    where it is defined:

    - 5 of scikeras's private members (8 before this base, in
      ``Conv1DClassifier``): ``_get_param_names``, ``_validate_data``,
      ``_build_keras_model``, ``_ensure_compiled_model`` and
      ``_fit_keras_model`` (no longer ``_initialize``, ``_fit`` and
      ``_predict_raw``);
    - 10 public ones, as before: ``fit``, ``partial_fit``, ``predict``,
      ``predict_proba``, ``score``, ``set_params``, ``__repr__``, the
      ``target_encoder`` and ``feature_encoder`` hooks, and each subclass's
      ``__init__`` (explicit parameters, no ``**kwargs``).

    15 scikeras members in all, where there were 18 (counted with the names
    each class defines that ``BaseWrapper`` or ``KerasClassifier`` defines
    too). Beyond these overrides it uses scikeras's public API only: the
    fit's callbacks come from the ``callbacks`` parameter, the target type
    from scikit-learn's ``type_of_target`` (``tests/test_architecture.py``
    checks that no private scikeras name is read or called). Training input
    becomes what ``keras.Model.fit`` receives in one method,
    :meth:`_training_data`.

    Clips read in batches (a :class:`~skspeech.io.LazyClips`, what a
    Pipeline fitted on :class:`~skspeech.io.AudioFiles` hands its last step)
    train from a ``keras.utils.PyDataset`` that reads, augments and computes
    the features of each batch while the network trains
    (:mod:`skspeech.models._batches`); a
    :class:`~skspeech.models._checkpoint.TrainingCheckpoint` among the
    ``callbacks`` saves every epoch and resumes.
    """

    # Training parameters shared by every Keras classifier of skspeech.
    _TRAINING_CONSTRAINTS = {
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

    # --- what a subclass provides -----------------------------------------

    def _build_network(self, input_shape, n_classes):
        """The network, not compiled, for inputs of ``input_shape`` (without the batch axis)."""
        raise NotImplementedError

    def _check_network_params(self):
        """Element-wise checks of the network's parameters (``_parameter_constraints`` cannot)."""

    def _check_input_length(self, X):
        """Refuse inputs too short for the network (after the input checks, before TensorFlow)."""

    # --- scikit-learn plumbing ----------------------------------------------
    # Overrides scikeras's private _get_param_names: the parameters are those of
    # __init__, as in scikit-learn, not every public attribute scikeras finds in
    # __dict__ (its **kwargs design); scikeras's also returns a generator, which
    # set_params then prints in its error.
    _get_param_names = BaseEstimator.__dict__["_get_param_names"]
    # scikeras's set_params stores any routed "fit__..." key without a word; scikit-learn's
    # refuses unknown parameters.
    set_params = BaseEstimator.set_params
    # scikit-learn's repr shows the parameters that differ from the defaults.
    __repr__ = BaseEstimator.__repr__
    # scikeras's score re-validates y and drops zero-weight rows by indexing X, which
    # fails on a list of clips.
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

    # What check_is_fitted asks (scikeras has no answer): fitted once a network exists.
    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # Overrides scikeras's target_encoder (its documented hook): integer labels for the
    # sparse loss, whatever classes_ a warm start or partial_fit's classes= fixed.
    @property
    def target_encoder(self):
        """Encodes labels as integers 0..n_classes-1 (sparse categorical cross-entropy)."""
        categories = "auto" if self.classes_ is None else [self.classes_]
        return ClassifierLabelEncoder(loss="sparse_categorical_crossentropy",
                                      categories=categories)

    # Overrides scikeras's feature_encoder (its documented hook): Keras's Conv1D wants a
    # channel axis that waveforms do not have.
    @property
    def feature_encoder(self):
        """Adds the channel axis to waveforms: ``(n, n_samples) -> (n, n_samples, 1)``."""
        return FunctionTransformer(_add_channel_axis)

    # --- fit ------------------------------------------------------------------

    # Overrides scikeras's fit: scikit-learn's parameter checks first, float32 weights,
    # data_processes for streamed clips, and classes_ set again after a warm start.
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, data_processes=None):
        """Train the network on clips or frame sequences.

        Parameters
        ----------
        X : ndarray of shape (n_clips, n_samples) or (n_clips, n_frames, n_coeffs)
            Waveforms or feature frames, all of one length.
        y : array-like of shape (n_clips,)
            Labels (strings or integers).
        sample_weight : array-like of shape (n_clips,), default=None
            Weight of each clip in the loss.
        data_processes : int or None, default=None
            For clips read in batches (a :class:`~skspeech.io.LazyClips`):
            the worker processes that prepare the batches (0: threads, as
            many as ``SKSPEECH_DATA_WORKERS``, default 1). None reads
            ``SKSPEECH_DATA_PROCESSES`` (default 0). In a Pipeline, pass it
            as ``<step>__data_processes``.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._check_params()
        if sample_weight is not None:
            sample_weight = np.array(sample_weight, dtype=np.float32)
        super().fit(X, y, sample_weight=sample_weight, data_processes=data_processes)
        # scikeras's fit resets classes_ to None and, when warm-starting, does
        # not set it again: take the metadata back from the fitted encoder.
        vars(self).update(self.target_encoder_.get_metadata())
        return self

    # Overrides scikeras's partial_fit: the same checks as fit, classes= as sorted unique
    # labels, and one epoch without a validation split (partial=True).
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
        self : object
            The classifier.
        """
        if not self.initialized_:
            self._validate_params()
        self._check_params()
        if classes is not None:
            classes = np.unique(column_or_1d(np.asarray(classes)))
        if sample_weight is not None:
            sample_weight = np.array(sample_weight, dtype=np.float32)
        # scikeras hands keyword arguments on to _fit_keras_model
        super().partial_fit(X, y, classes=classes, sample_weight=sample_weight, partial=True)
        vars(self).update(self.target_encoder_.get_metadata())
        return self

    def _check_params(self):
        self._check_network_params()
        if self.callbacks is not None and not all(
                isinstance(cb, keras.callbacks.Callback) for cb in self.callbacks):
            raise ValueError(f"{type(self).__name__}: callbacks must be a list of "
                             f"keras.callbacks.Callback instances; got {self.callbacks!r}.")

    def _build_keras_model(self):
        # Overrides scikeras's private _build_keras_model, which builds from a
        # ``model``/``build_fn`` parameter and routed ``model__`` parameters (these
        # classes have explicit parameters instead) and seeds without resetting
        # Keras's seed generator. The seed is drawn here, when a network is built:
        # scikeras draws randint(low=1) from a RandomState, which is always 0.
        self._random_state = nets.seed_from(self.random_state)
        shape = self.X_shape_
        input_shape = (shape[1], 1) if len(shape) == 2 else tuple(shape[1:])
        with nets.seeded(self._random_state):
            model = self._build_network(input_shape, self.n_classes_)
            nets.compile_network(model, self.optimizer, self.learning_rate)
        self._needs_adapt = True  # a new network: its input normalisation learns from the data
        return model

    def _ensure_compiled_model(self):
        # Overrides scikeras's private _ensure_compiled_model: a network loaded
        # from a pickle has no optimizer (see __getstate__), and scikeras would
        # compile it from ``loss``/``optimizer`` routing these classes do not have.
        if not self.model_.compiled:
            nets.compile_network(self.model_, self.optimizer, self.learning_rate)

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         partial=False, data_processes=None, **kwargs):
        # Overrides scikeras's private _fit_keras_model: a stratified validation
        # split with early stopping and the best weights, the learning-rate
        # schedule, a progress bar, our seeding, and history_ as floats with best_epoch_.
        data = self._training_data(X, y, sample_weight,
                                   validate=self.validation_fraction is not None and not partial,
                                   data_processes=data_processes)
        total = initial_epoch + epochs
        # streamed data comes with a callback telling its batches the epoch
        callbacks = (fit_callbacks(self) + [keras.callbacks.TerminateOnNaN()]
                     + data.pop("callbacks", []))
        stopper = None
        if data["validation_data"] is not None and (self.patience is not None
                                                    or self.restore_best_weights):
            stopper = keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=self.patience if self.patience is not None else epochs + 1,
                restore_best_weights=self.restore_best_weights)
            callbacks.append(stopper)
        if getattr(self, "_needs_adapt", False):
            # streamed: a sample of the training clips (ClipBatches.adapt_x)
            nets.adapt_input_normalization(self.model_, getattr(data["x"], "adapt_x", data["x"]))
            self._needs_adapt = False
        if getattr(self, "lr_schedule", "constant") == "cosine" and not partial:
            # partial_fit: one epoch at a time, at learning_rate
            callbacks.append(keras.callbacks.LearningRateScheduler(
                nets.CosineDecay(float(self.learning_rate), int(total))))
        if self.verbose == 1:
            callbacks.append(_EpochProgressBar(total, type(self).__name__,
                                               initial=initial_epoch))
        # Checkpoints last: they save what the others did in the epoch (early stopping's
        # counters, the learning rate), and keep early stopping's state across a resume.
        saving = [cb for cb in callbacks if isinstance(cb, TrainingCheckpoint)]
        for cb in saving:
            cb.stopper = stopper
        callbacks = [cb for cb in callbacks if cb not in saving] + saving
        with nets.seeded(self._random_state):
            try:
                hist = self.model_.fit(**data, epochs=total, initial_epoch=initial_epoch,
                                       callbacks=callbacks,
                                       verbose=2 if self.verbose >= 2 else 0)
            except Exception as exc:  # a clip's error, inside the framework's: ours alone
                found = clip_error(exc)
                if found is None:
                    raise
                raise found from None
        self._record_history(hist.history, warm_start, initial_epoch, stopper)

    def _training_data(self, X, y, sample_weight, *, validate, data_processes=None):
        """What ``keras.Model.fit`` trains on: the one place where training input is prepared.

        Parameters
        ----------
        X : ndarray or LazyClips
            The encoded clips or frames (with their channel axis), or clips
            read in batches.
        y : ndarray
            The labels as integers.
        sample_weight : ndarray or None
            One weight per clip.
        validate : bool
            Hold out a stratified validation split.

        Returns
        -------
        data : dict
            Keyword arguments of ``keras.Model.fit``: ``x``, ``y``,
            ``sample_weight``, ``validation_data`` (None without a split),
            ``batch_size`` and ``shuffle``. ``x`` is also what the input
            normalisation of a new network learns its statistics from.
            For clips read in batches: ``x`` and ``validation_data`` are
            PyDatasets, and ``callbacks`` are for the fit's callbacks (see
            :func:`~skspeech.models._batches.streamed_training_data`).
        """
        if is_lazy(X):
            workers, processes = data_workers(data_processes)
            return streamed_training_data(
                X, y, sample_weight, batch_size=self.batch_size,
                seed=0 if self._random_state is None else int(self._random_state),
                split=self._validation_split if validate else None,
                checkpoint=checkpoint_of(self), input_shape=self.X_shape_[1:],
                workers=workers, processes=processes, prepare=_add_channel_axis)
        validation_data = None
        if validate:
            train, val = self._validation_split(np.asarray(y).reshape(len(y)).astype(int))
            validation_data = (X[val], y[val]) if sample_weight is None else (
                X[val], y[val], sample_weight[val])
            X, y = X[train], y[train]
            sample_weight = None if sample_weight is None else sample_weight[train]
        return {"x": X, "y": y, "sample_weight": sample_weight,
                "validation_data": validation_data, "batch_size": self.batch_size,
                "shuffle": True}

    def _validation_split(self, y_int):
        """Stratified train/validation indices."""
        n = len(y_int)
        counts = np.bincount(y_int, minlength=self.n_classes_)
        n_val = max(math.ceil(self.validation_fraction * n), self.n_classes_)
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

    def _record_history(self, history, warm_start, initial_epoch, stopper):
        """Extend ``history_`` with a fit's epochs (floats) and set ``best_epoch_``."""
        if not warm_start or not hasattr(self, "history_") or initial_epoch == 0:
            self.history_ = {}
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        # best_epoch_ indexes history_; EarlyStopping counts from initial_epoch.
        first = len(self.history_["loss"]) - len(history["loss"])
        if stopper is not None and self.restore_best_weights and stopper.best_weights is not None:
            self.best_epoch_ = first + stopper.best_epoch - initial_epoch
        else:
            self.best_epoch_ = len(self.history_["loss"]) - 1
        if not np.all(np.isfinite(history["loss"])):
            warnings.warn(
                f"{type(self).__name__}: the training loss became NaN or infinite (training "
                f"diverged); lower learning_rate (now {self.learning_rate}) or normalise the "
                "input.", RuntimeWarning, stacklevel=5)

    # --- input checks ---------------------------------------------------------

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # Overrides scikeras's private _validate_data, its hook for input checks:
        # ours take waveforms or frame sequences (also as lists), check them as
        # every skspeech step does and say how to fix them, before TensorFlow.
        if reset and y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y "
                             "is None; give one label per clip.")
        if y is not None:
            y = check_keras_labels(self, y, reset=reset)
        sample = None
        if X is not None:
            if is_lazy(X):  # read in batches: the first clips are checked, X stays lazy
                sample = check_lazy_input(self, X, reset=reset)
            else:
                X = check_input(self, X, reset=reset)
        if X is not None and y is not None:
            check_consistent_length(X, y)
        if reset and X is not None:
            self._check_input_length(X if sample is None else sample)
            labels = np.unique(y) if self.classes_ is None else self.classes_
            if len(labels) < 2:
                raise ValueError(
                    f"y has {len(labels)} class ({np.asarray(labels).tolist()}); "
                    f"{type(self).__name__} needs at least 2 classes to tell apart.")
        return X, y

    # --- predict --------------------------------------------------------------

    def _network_outputs(self, X):
        """The softmax outputs for ``X``, checked and in chunks (not scikeras's Model.predict)."""
        if not self.initialized_:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator.")
        if is_lazy(X):  # clips read in batches
            return np.concatenate([self._network_outputs(batch)
                                   for _, batch in X.batches(_PREDICT_CHUNK)])
        X = self._network_inputs(X)
        # predict_on_batch runs the traced network: ~1-3 ms for one clip, where
        # keras.Model.predict spends ~75 ms setting up its data pipeline.
        outputs = [np.asarray(self.model_.predict_on_batch(X[i:i + _PREDICT_CHUNK]))
                   for i in range(0, len(X), _PREDICT_CHUNK)]
        return np.concatenate(outputs)

    def _network_inputs(self, X):
        """``X`` (in memory) checked and encoded as the network takes it (also for embeddings)."""
        X, _ = self._validate_data(X=X, y=None)
        return self.feature_encoder_.transform(X)

    # Overrides scikeras's predict_proba: our fast chunked outputs, always 2-D, rows summing to 1.
    def predict_proba(self, X):
        """Probability of each class, columns in ``classes_`` order.

        %(X_trained)s

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes)
            Rows sum to 1 (float64).
        """
        proba = self._network_outputs(X).astype(np.float64)
        # scikeras squeezes a single row to 1-D; sklearn wants (n_clips, n_classes).
        return proba / proba.sum(axis=1, keepdims=True)

    # Overrides scikeras's predict: the most probable class from the same fast outputs.
    def predict(self, X):
        """Most probable label of each clip.

        %(X_trained)s

        Returns
        -------
        y : ndarray of shape (n_clips,)
            Labels from ``classes_``.
        """
        raw = self._network_outputs(X)  # first: raises NotFittedError before classes_ exists
        return self.classes_[np.argmax(raw, axis=1)]

    # --- pickling -------------------------------------------------------------

    def __getstate__(self):
        # Defines __getstate__ (scikeras pickles __dict__ as it is): a pickle keeps the
        # network's weights, not the optimizer's state (rebuilt on a warm start) nor whether
        # a new network still has to adapt its input normalisation (only its first fit does).
        state = dict(super().__getstate__())  # object.__getstate__ gives __dict__ itself
        state.pop("_needs_adapt", None)
        if "model_" in state:
            # Keep the weights, drop the optimizer's state (Adam: 2 more copies).
            state["model_"] = nets.without_optimizer(state["model_"])
        return state
