"""Keras network builders and training helpers for skspeech's Keras classifiers.

The three networks' builders live here: :func:`build_conv1d_network`,
:func:`build_kws_network` and :func:`build_kws2d_network`.

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


def blocks(filters, **per_block_params):
    """One tuple per conv block: its ``filters`` and each parameter, broadcast by
    :func:`per_block` (checked in the order given).

    Examples
    --------
    >>> blocks([8, 16], kernel_sizes=3, strides=[1, 2])
    [(8, 3, 1), (16, 3, 2)]
    """
    columns = [per_block(value, len(filters), name) for name, value in per_block_params.items()]
    return list(zip(filters, *columns))


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

    conv_blocks = blocks(filters, kernel_sizes=kernel_sizes, pool_size=pool_size)
    inputs = keras.Input(shape=tuple(input_shape), name="input")
    h = inputs
    if input_normalization:
        h = layers.Normalization(axis=-1, name="input_normalization")(h)
    for i, (n_filters, kernel, pool) in enumerate(conv_blocks, start=1):
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


def _kws_input(input_shape, time_shift, freq_masks, freq_mask_width, time_masks,
               time_mask_width, freq_warp):
    """``(inputs, h)``: both keyword-spotting networks' input, per-band Normalization and
    SpecAugment (training only)."""
    import keras
    from keras import layers

    from ._spec_augment import SpecAugment

    inputs = keras.Input(shape=tuple(input_shape), name="input")
    h = layers.Normalization(axis=-1, name="input_normalization")(inputs)
    h = SpecAugment(time_shift, freq_masks, freq_mask_width, time_masks, time_mask_width,
                    freq_warp, name="spec_augment")(h)
    return inputs, h


def _kws_head(inputs, h, n_classes, dropout, name):
    """Both keyword-spotting networks' end: Dropout and softmax over the pooled features."""
    import keras
    from keras import layers

    if dropout:
        h = layers.Dropout(dropout, name="dropout")(h)
    outputs = layers.Dense(int(n_classes), activation="softmax", name="softmax")(h)
    return keras.Model(inputs, outputs, name=name)


def _residual_tower(h, stem, residual_blocks, main_path, projection, *, pool_shortcut=False):
    """Both keyword-spotting networks' body: the stem, then their residual blocks.

    ``stem`` (a convolution layer) + BN + ReLU, then per ``(n_filters,
    kernel, stride)`` of ``residual_blocks`` the block ``i``:
    ``main_path(h, i, n_filters, kernel, stride)``, a shortcut (the identity;
    when the block strides and keeps the width, average pooling over
    ``stride`` frames with ``pool_shortcut``; otherwise a strided 1x1
    ``projection`` convolution + BN), their sum and ReLU.
    """
    from keras import layers

    h = stem(h)
    h = layers.BatchNormalization(momentum=0.9, name="stem_bn")(h)
    h = layers.ReLU(name="stem_relu")(h)
    width = stem.filters
    for i, (n_filters, kernel, stride) in enumerate(residual_blocks, start=1):
        n_filters, kernel, stride = int(n_filters), int(kernel), int(stride or 1)
        skip = h
        h = main_path(h, i, n_filters, kernel, stride)
        if n_filters == width and stride != 1 and pool_shortcut:
            skip = layers.AveragePooling1D(stride, padding="same",
                                           name=f"block{i}_shortcut_pool")(skip)
        elif stride != 1 or n_filters != width:
            skip = projection(n_filters, 1, strides=stride, padding="same", use_bias=False,
                              name=f"block{i}_shortcut")(skip)
            skip = layers.BatchNormalization(momentum=0.9, name=f"block{i}_shortcut_bn")(skip)
        h = layers.Add(name=f"block{i}_add")([h, skip])
        h = layers.ReLU(name=f"block{i}_relu2")(h)
        width = n_filters
    return h


def build_kws_network(input_shape, n_classes, *, stem_filters=48, filters=(48, 48, 48, 48),
                      kernel_sizes=9, strides=(1, 2, 1, 2), dropout=0.2, time_shift=0.1,
                      freq_masks=2, freq_mask_width=0.15, time_masks=2, time_mask_width=0.1,
                      freq_warp=0.0, shortcut="pool", name="kws_classifier"):
    """A residual network of 1-D time-channel separable convolutions (MatchboxNet/TC-ResNet).

    Frames ``(n_frames, n_bands)`` -> per-band Normalization -> SpecAugment
    (training only) -> stem ``Conv1D(stem_filters, 3)`` + BN + ReLU -> one
    residual block per entry of ``filters``: two ``SeparableConv1D`` (depthwise
    over time, pointwise over channels) with BN, ReLU between, a shortcut
    (the identity; when the block strides, average pooling over ``stride``
    frames with ``shortcut="pool"`` or a strided 1x1 convolution with
    ``shortcut="conv"``; a 1x1 convolution whenever the width changes), ReLU
    -> global average over time -> Dropout -> softmax.

    Returns
    -------
    model : keras.Model
        Not compiled.
    """
    from keras import layers

    if shortcut not in ("pool", "conv"):
        raise ValueError(f"shortcut must be 'pool' or 'conv'; got {shortcut!r}.")
    residual_blocks = blocks(filters, kernel_sizes=kernel_sizes, strides=strides)
    inputs, h = _kws_input(input_shape, time_shift, freq_masks, freq_mask_width, time_masks,
                           time_mask_width, freq_warp)

    def separable(h, i, n_filters, kernel, stride):
        h = layers.SeparableConv1D(n_filters, kernel, strides=stride, padding="same",
                                   use_bias=False, name=f"block{i}_sep1")(h)
        h = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn1")(h)
        h = layers.ReLU(name=f"block{i}_relu1")(h)
        h = layers.SeparableConv1D(n_filters, kernel, padding="same", use_bias=False,
                                   name=f"block{i}_sep2")(h)
        return layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn2")(h)

    stem = layers.Conv1D(int(stem_filters), 3, padding="same", use_bias=False, name="stem")
    h = _residual_tower(h, stem, residual_blocks, separable, layers.Conv1D,
                        pool_shortcut=shortcut == "pool")
    h = layers.GlobalAveragePooling1D(name="global_avg_pool")(h)
    return _kws_head(inputs, h, n_classes, dropout, name)


def build_kws2d_network(input_shape, n_classes, *, stem_filters=16, filters=(24, 32, 48, 48),
                        kernel_sizes=3, strides=(1, 2, 1, 2), dropout=0.2, time_shift=0.1,
                        freq_masks=2, freq_mask_width=0.15, time_masks=2, time_mask_width=0.1,
                        freq_warp=0.0, name="kws2d_classifier"):
    """A residual network of 2-D depthwise-separable convolutions over (frames, bands).

    Frames ``(n_frames, n_bands)`` -> per-band Normalization -> SpecAugment
    (training only) -> one channel -> stem ``Conv2D(stem_filters, 5x5)``,
    stride 2 over the bands (if there are more than two), + BN + ReLU -> one
    residual block per entry of ``filters``: twice a depthwise ``k x k``
    convolution + BN, a pointwise 1x1 convolution + BN (ReLU after the
    first), the first depthwise one strided by ``strides[i]`` over frames
    and bands alike (TensorFlow's depthwise convolution takes no other
    strides); the shortcut is the identity, or a strided 1x1 convolution +
    BN when the block strides or changes the width; ReLU -> global average
    over frames and bands -> Dropout -> softmax.

    Returns
    -------
    model : keras.Model
        Not compiled.
    """
    from keras import layers

    residual_blocks = blocks(filters, kernel_sizes=kernel_sizes, strides=strides)
    inputs, h = _kws_input(input_shape, time_shift, freq_masks, freq_mask_width, time_masks,
                           time_mask_width, freq_warp)
    h = layers.Reshape(tuple(input_shape) + (1,), name="one_channel")(h)
    # TensorFlow's oneDNN Conv2D on one input channel with strides (1, 2) returns wrong
    # values, often garbage from uninitialised memory, when the strided axis is no wider
    # than the stride (TF 2.x on x86, measured); halving one or two bands gains nothing.
    band_stride = 2 if input_shape[1] > 2 else 1

    def depthwise_separable(h, i, n_filters, kernel, stride):
        for j in (1, 2):
            h = layers.DepthwiseConv2D(kernel, strides=stride if j == 1 else 1, padding="same",
                                       use_bias=False, name=f"block{i}_depthwise{j}")(h)
            h = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn{j}a")(h)
            h = layers.Conv2D(n_filters, 1, use_bias=False, name=f"block{i}_pointwise{j}")(h)
            h = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn{j}b")(h)
            if j == 1:
                h = layers.ReLU(name=f"block{i}_relu1")(h)
        return h

    stem = layers.Conv2D(int(stem_filters), 5, strides=(1, band_stride), padding="same",
                         use_bias=False, name="stem")
    h = _residual_tower(h, stem, residual_blocks, depthwise_separable, layers.Conv2D)
    h = layers.GlobalAveragePooling2D(name="global_avg_pool")(h)
    return _kws_head(inputs, h, n_classes, dropout, name)


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
