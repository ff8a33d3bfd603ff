"""KWS2DClassifier: a keyword-spotting network of 2-D separable convolutions over time and bands.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public name ``skspeech.models.KWS2DClassifier`` is resolved lazily.
"""

from . import _keras_nets as nets
from ._keras_base import keras, store_params
from ._kws import _KWSBase
from ._spec_augment import SpecAugment, spec_augment_params

__all__ = ["KWS2DClassifier"]


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

    n_blocks = len(filters)
    kernels = nets.per_block(kernel_sizes, n_blocks, "kernel_sizes")
    strides = nets.per_block(strides, n_blocks, "strides")
    inputs = keras.Input(shape=tuple(input_shape), name="input")
    h = layers.Normalization(axis=-1, name="input_normalization")(inputs)
    h = SpecAugment(time_shift, freq_masks, freq_mask_width, time_masks, time_mask_width,
                    freq_warp, name="spec_augment")(h)
    h = layers.Reshape(tuple(input_shape) + (1,), name="one_channel")(h)
    # TensorFlow's oneDNN Conv2D on one input channel with strides (1, 2) returns wrong
    # values, often garbage from uninitialised memory, when the strided axis is no wider
    # than the stride (TF 2.x on x86, measured); halving one or two bands gains nothing.
    band_stride = 2 if input_shape[1] > 2 else 1
    h = layers.Conv2D(int(stem_filters), 5, strides=(1, band_stride), padding="same",
                      use_bias=False, name="stem")(h)
    h = layers.BatchNormalization(momentum=0.9, name="stem_bn")(h)
    h = layers.ReLU(name="stem_relu")(h)
    width = int(stem_filters)
    for i, (n_filters, kernel, stride) in enumerate(zip(filters, kernels, strides), start=1):
        n_filters, kernel, stride = int(n_filters), int(kernel), int(stride or 1)
        skip = h
        for j in (1, 2):
            h = layers.DepthwiseConv2D(kernel, strides=stride if j == 1 else 1, padding="same",
                                       use_bias=False, name=f"block{i}_depthwise{j}")(h)
            h = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn{j}a")(h)
            h = layers.Conv2D(n_filters, 1, use_bias=False, name=f"block{i}_pointwise{j}")(h)
            h = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn{j}b")(h)
            if j == 1:
                h = layers.ReLU(name=f"block{i}_relu1")(h)
        if stride != 1 or n_filters != width:
            skip = layers.Conv2D(n_filters, 1, strides=stride, padding="same", use_bias=False,
                                 name=f"block{i}_shortcut")(skip)
            skip = layers.BatchNormalization(momentum=0.9, name=f"block{i}_shortcut_bn")(skip)
        h = layers.Add(name=f"block{i}_add")([h, skip])
        h = layers.ReLU(name=f"block{i}_relu2")(h)
        width = n_filters
    h = layers.GlobalAveragePooling2D(name="global_avg_pool")(h)
    if dropout:
        h = layers.Dropout(dropout, name="dropout")(h)
    outputs = layers.Dense(int(n_classes), activation="softmax", name="softmax")(h)
    return keras.Model(inputs, outputs, name=name)


class KWS2DClassifier(_KWSBase):
    """A small keyword-spotting network of 2-D convolutions over time *and* mel bands.

    Where :class:`KWSClassifier` treats the bands as channels (its
    convolutions slide over time only), this network slides its kernels over
    the bands too, as image networks do (the design of DS-CNN and Res15,
    with depthwise-separable residual blocks), and averages over both axes
    at the end. A formant that sits a few bands higher in another voice then
    meets the same weights, one reason it does better on voices it never
    heard (see :doc:`/unseen_voices`). About 23 k weights with the defaults
    on 40 bands and 10 words, but several times the multiply-adds of
    :class:`KWSClassifier`: slower to train, still fast to predict.

    Training-only augmentation (time shift, SpecAugment masks, optional band
    warping) is :class:`KWSClassifier`'s; training, ``predict`` and
    pickling are those of every Keras classifier of skspeech.

    Parameters
    ----------
    stem_filters : int, default=16
        Channels of the first (plain) 5x5 convolution, which halves the bands.
    filters : sequence of int, default=(24, 32, 48, 48)
        Channels of each residual block; its length is the number of blocks.
    kernel_sizes : int or sequence of int, default=3
        Side of each block's square depthwise kernels (frames and bands); a
        sequence has one value per block.
    strides : int or sequence of int, default=(1, 2, 1, 2)
        Stride of each block's first convolution over frames and bands (2
        halves both); a sequence has one value per block.
    dropout : float, default=0.2
        Dropout rate before the softmax.
    time_shift, freq_masks, freq_mask_width, time_masks, time_mask_width, freq_warp
        Training-only augmentation, as in :class:`KWSClassifier`.
    optimizer, learning_rate, lr_schedule, batch_size, epochs, validation_fraction, patience, \
restore_best_weights, class_weight, callbacks, warm_start, random_state, verbose
        Training, as in :class:`KWSClassifier`.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of str to list of float
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` per epoch.
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted.

    See Also
    --------
    skspeech.pipelines.kws_pipeline : ``kws_pipeline(conv="2d")`` puts it after log-mel frames.
    KWSClassifier : The 1-D (time-channel separable) network.

    References
    ----------
    .. [1] Y. Zhang et al., "Hello Edge: keyword spotting on microcontrollers"
       (DS-CNN), arXiv:1711.07128, 2017.
    .. [2] R. Tang and J. Lin, "Deep residual learning for small-footprint
       keyword spotting" (Res15), ICASSP 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.models import KWS2DClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 20, 8)).astype("float32")
    >>> X[:20, :, :4] += 2.0  # "low" words: energy in the low bands
    >>> y = np.array(["low"] * 20 + ["high"] * 20)
    >>> clf = KWS2DClassifier(stem_filters=4, filters=(8,), strides=1, epochs=3, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.model_.get_layer("block1_depthwise1").kernel.shape
    TensorShape([3, 3, 4, 1])
    """

    def __init__(self, *, stem_filters=16, filters=(24, 32, 48, 48), kernel_sizes=3,
                 strides=(1, 2, 1, 2), dropout=0.2, time_shift=0.1, freq_masks=2,
                 freq_mask_width=0.15, time_masks=2, time_mask_width=0.1, freq_warp=0.0,
                 optimizer="adam", learning_rate=3e-3, lr_schedule="cosine", batch_size=64,
                 epochs=60, validation_fraction=0.1, patience=None, restore_best_weights=True,
                 class_weight=None, callbacks=None, warm_start=False, random_state=None,
                 verbose=0):
        store_params(self, locals())

    def _build_network(self, input_shape, n_classes):
        return build_kws2d_network(
            input_shape, n_classes, stem_filters=self.stem_filters, filters=self.filters,
            kernel_sizes=self.kernel_sizes, strides=self.strides, dropout=self.dropout,
            **spec_augment_params(self))
