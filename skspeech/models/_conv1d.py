"""Conv1DClassifier: the tutorial's Conv1D network as a scikit-learn classifier.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public name ``skspeech.models.Conv1DClassifier`` is resolved lazily, so
``import skspeech.models`` stays light.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._docstrings import fill_doc
from . import _keras_nets as nets
from ._keras_base import KERAS_ATTRIBUTES, _KerasClassifierBase, store_params

__all__ = ["Conv1DClassifier"]


@fill_doc(keras_attributes=KERAS_ATTRIBUTES)
class Conv1DClassifier(_KerasClassifierBase):
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
        restored after, and TensorFlow's op determinism is switched on (GPU
        convolutions need it; it makes training somewhat slower).
    verbose : int, default=0
        0 is silent, 1 shows a progress bar over epochs, 2 prints one line
        per epoch (Keras).

    %(keras_attributes)s
    n_features_in_ : int
        Samples per clip seen in ``fit`` (2-D waveform input only).

    See Also
    --------
    skspeech.pipelines.conv1d_pipeline : The tutorial's recipes as Pipelines.
    skspeech.plotting.plot_history : Plot ``history_``.

    Notes
    -----
    Single-clip :meth:`predict` and :meth:`predict_proba` call the traced
    network directly (``predict_on_batch``), without the set-up cost of
    ``keras.Model.predict``. A pickled (or joblib-dumped) fitted
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
        **_KerasClassifierBase._TRAINING_CONSTRAINTS,
    }

    def __init__(self, *, filters=(8, 16, 32, 64), kernel_sizes=(13, 11, 9, 7), pool_size=3,
                 dropout=0.3, dense_units=(256, 128), dense_dropout=0.3, global_pooling=None,
                 padding="valid", activation="relu", batch_norm=False,
                 input_normalization=False, optimizer="adam", learning_rate=1e-3,
                 batch_size=32, epochs=100, validation_fraction=0.1, patience=10,
                 restore_best_weights=True, class_weight=None, callbacks=None,
                 warm_start=False, random_state=None, verbose=0):
        store_params(self, locals())

    def _check_network_params(self):
        name = type(self).__name__
        nets.check_blocks(self, ("kernel_sizes", "pool_size"), allow_none=("pool_size",))
        if not all(isinstance(u, Integral) and u >= 1 for u in self.dense_units):
            raise ValueError(f"{name}: dense_units must be positive ints; got "
                             f"{self.dense_units!r}.")
        if not self.filters and self.global_pooling is not None:
            raise ValueError(f"{name}: global_pooling={self.global_pooling!r} needs at least "
                             "one conv block (filters is empty).")

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

    def _build_network(self, input_shape, n_classes):
        return nets.build_conv1d_network(
            input_shape, n_classes, filters=self.filters, kernel_sizes=self.kernel_sizes,
            pool_size=self.pool_size, dropout=self.dropout, dense_units=self.dense_units,
            dense_dropout=self.dense_dropout, global_pooling=self.global_pooling,
            padding=self.padding, activation=self.activation, batch_norm=self.batch_norm,
            input_normalization=self.input_normalization)
