"""Keras network builders and training helpers for skspeech's Keras classifiers.

Module-level functions (not lambdas or closures), so that estimators that
refer to them pickle. Keras is imported inside the functions: importing this
module costs nothing.
"""

import contextlib
import math
import random
from numbers import Integral

import numpy as np

# Keras optimizer names accepted by Conv1DClassifier(optimizer=...).
OPTIMIZERS = ("adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion",
              "nadam", "rmsprop", "sgd")


def per_block(value, n_blocks, name):
    """Broadcast an int (or None) to one value per conv block, or check a sequence's length.

    Examples
    --------
    >>> import numpy as np
    >>> per_block(np.int64(3), 2, "kernel_sizes")  # any integer, e.g. from np.arange
    [3, 3]
    """
    if value is None or isinstance(value, Integral):
        return [None if value is None else int(value)] * n_blocks
    value = list(value)
    if len(value) != n_blocks:
        raise ValueError(
            f"{name} has {len(value)} values but filters has {n_blocks} blocks; give one "
            f"value per block, or a single int for all of them."
        )
    return value


def check_blocks(estimator, per_block_params, *, block="conv block", allow_none=()):
    """Check ``filters`` and the per-block parameters element-wise (what constraints cannot).

    Every entry of ``filters`` and of each parameter in ``per_block_params``
    must be a positive int (None allowed for those in ``allow_none``);
    ``filters`` may be empty only for ``block="conv block"``.
    """
    name = type(estimator).__name__
    filters = estimator.filters
    nonempty = block != "conv block"
    if (nonempty and not filters) or not all(isinstance(f, Integral) and f >= 1
                                             for f in filters):
        what = "a non-empty sequence of positive ints" if nonempty else "positive ints"
        raise ValueError(f"{name}: filters must be {what}, one per {block}; got {filters!r}.")
    for pname in per_block_params:
        values = per_block(getattr(estimator, pname), len(filters), pname)
        if not all((v is None and pname in allow_none) or (isinstance(v, Integral) and v >= 1)
                   for v in values):
            raise ValueError(f"{name}: {pname} must hold positive ints, one per block; got "
                             f"{getattr(estimator, pname)!r}.")


class CosineDecay:
    """Learning rate per epoch: ``base`` at epoch 0 down to 0 at ``total`` along half a cosine.

    Examples
    --------
    >>> schedule = CosineDecay(0.004, 10)
    >>> [round(schedule(e), 4) for e in (0, 5, 10)]
    [0.004, 0.002, 0.0]
    """

    def __init__(self, base, total):
        self.base = base
        self.total = total

    def __call__(self, epoch, lr=None):
        progress = min(epoch, self.total) / max(self.total, 1)
        return self.base * 0.5 * (1.0 + math.cos(math.pi * progress))


def min_input_length(kernel_sizes, pool_sizes, padding):
    """Shortest input (frames or samples) for which every conv block has output.

    With ``padding="valid"`` a block with kernel ``k`` and pooling ``p`` needs
    ``p`` conv outputs, i.e. ``p + k - 1`` inputs; walking the blocks backwards
    gives the input length. With ``padding="same"`` any length works.

    Examples
    --------
    >>> min_input_length([13, 11, 9, 7], [3, 3, 3, 3], "valid")
    357
    >>> min_input_length([3], [None], "same")
    1
    """
    if padding == "same":
        return 1
    need = 1
    for k, p in zip(reversed(list(kernel_sizes)), reversed(list(pool_sizes))):
        need = need * (p or 1) + k - 1
    return need


def build_conv1d_network(input_shape, n_classes, *, filters=(8, 16, 32, 64),
                         kernel_sizes=(13, 11, 9, 7), pool_size=3, dropout=0.3,
                         dense_units=(256, 128), dense_dropout=0.3, global_pooling=None,
                         padding="valid", activation="relu", batch_norm=False,
                         input_normalization=False, name="conv1d_classifier"):
    """The tutorial's Conv1D network, every part a parameter.

    ``len(filters)`` blocks of ``Conv1D(filters[i], kernel_sizes[i])`` ->
    (BatchNormalization) -> activation -> ``MaxPooling1D(pool_size)`` ->
    ``Dropout(dropout)``, then Flatten (or global max/average pooling over
    time), then a ``Dense(units, activation)`` -> ``Dropout(dense_dropout)``
    per entry of ``dense_units``, and a softmax layer with ``n_classes`` units.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_steps, n_channels)``: ``(n_samples, 1)`` for waveforms,
        ``(n_frames, n_coeffs)`` for feature frames.
    n_classes : int
        Units of the softmax output.
    input_normalization : bool, default=False
        Start with a :class:`keras.layers.Normalization` layer (per channel).
        Its statistics are set later with ``adapt`` (see
        :func:`adapt_input_normalization`).

    Other parameters are those of :class:`~skspeech.models.Conv1DClassifier`.

    Returns
    -------
    model : keras.Model
        Not compiled.
    """
    import keras
    from keras import layers

    n_blocks = len(filters)
    kernels = per_block(kernel_sizes, n_blocks, "kernel_sizes")
    pools = per_block(pool_size, n_blocks, "pool_size")
    inputs = keras.Input(shape=tuple(input_shape), name="input")
    h = inputs
    if input_normalization:
        h = layers.Normalization(axis=-1, name="input_normalization")(h)
    for i, (n_filters, kernel, pool) in enumerate(zip(filters, kernels, pools), start=1):
        h = layers.Conv1D(int(n_filters), int(kernel), padding=padding,
                          activation=None if batch_norm else activation,
                          name=f"conv{i}")(h)
        if batch_norm:
            h = layers.BatchNormalization(name=f"batch_norm{i}")(h)
            h = layers.Activation(activation, name=f"{activation}{i}")(h)
        if pool and pool > 1:
            h = layers.MaxPooling1D(int(pool), padding=padding, name=f"max_pool{i}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"dropout{i}")(h)
    if global_pooling == "max":
        h = layers.GlobalMaxPooling1D(name="global_max_pool")(h)
    elif global_pooling == "avg":
        h = layers.GlobalAveragePooling1D(name="global_avg_pool")(h)
    else:
        h = layers.Flatten(name="flatten")(h)
    for i, units in enumerate(dense_units, start=1):
        h = layers.Dense(int(units), activation=activation, name=f"dense{i}")(h)
        if dense_dropout:
            h = layers.Dropout(dense_dropout, name=f"dense_dropout{i}")(h)
    outputs = layers.Dense(int(n_classes), activation="softmax", name="softmax")(h)
    return keras.Model(inputs, outputs, name=name)


def make_optimizer(optimizer, learning_rate):
    """A fresh Keras optimizer from a name or a template instance, with ``learning_rate``."""
    import keras

    if isinstance(optimizer, str):
        opt = keras.optimizers.get(optimizer)
    else:  # an instance: copy its configuration, never share its state
        opt = optimizer.__class__.from_config(optimizer.get_config())
    if learning_rate is not None:
        opt.learning_rate = learning_rate
    return opt


def compile_network(model, optimizer="adam", learning_rate=1e-3):
    """Compile for integer labels: sparse categorical cross-entropy, accuracy."""
    model.compile(optimizer=make_optimizer(optimizer, learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def adapt_input_normalization(model, X):
    """Set the ``input_normalization`` layer's mean and variance from ``X``, if there is one."""
    try:
        layer = model.get_layer("input_normalization")
    except ValueError:
        return
    layer.adapt(X)


def seed_from(random_state):
    """An int seed (or None) from an int, a RandomState instance or None."""
    if random_state is None or isinstance(random_state, Integral):
        return None if random_state is None else int(random_state)
    return int(random_state.randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def seeded(seed):
    """Seed Python, NumPy, TensorFlow and Keras, with deterministic TF ops; restore after.

    ``keras.utils.set_random_seed`` also resets Keras's global seed generator
    (initial weights, dropout): without it a second fit in the same process
    draws different initial weights. The previous global states are put back
    on exit, as an estimator's ``random_state`` should not reseed the user's
    program; neither Keras nor TensorFlow has a public way to read them back
    (or to switch op determinism off), hence the private modules. scikeras's
    ``tensorflow_random_state`` is not used: it leaves op determinism on (it
    sets ``TF_DETERMINISTIC_OPS`` before asking whether determinism was on)
    and does not reset Keras's seed generator.
    """
    if seed is None:
        yield
        return
    import keras
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
    tf.config.experimental.enable_op_determinism()
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


def without_optimizer(model):
    """A copy of ``model`` with the same weights, not compiled: no optimizer to save.

    ``keras.models.clone_model`` would compile the copy, and compiling builds
    the optimizer's variables (Adam: two per weight), which are then saved.
    """
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy
