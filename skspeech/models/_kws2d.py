"""KWS2DClassifier: a keyword-spotting network of 2-D separable convolutions over time and bands.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public name ``skspeech.models.KWS2DClassifier`` is resolved lazily.
"""

from .._docstrings import fill_doc
from . import _keras_nets as nets
from ._keras_base import KERAS_ATTRIBUTES, store_params
from ._kws import _KWSBase

__all__ = ["KWS2DClassifier"]


@fill_doc(keras_attributes=KERAS_ATTRIBUTES)
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

    %(keras_attributes)s

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
    Words told apart by how their energy moves across the bands over time,
    a pattern in frames *and* bands:

    >>> import numpy as np
    >>> from skspeech.models import KWS2DClassifier
    >>> frames, bands = np.arange(20)[:, np.newaxis], np.arange(8)
    >>> rising = np.exp(-(bands - frames * 8 / 20) ** 2)  # from the low bands to the high
    >>> X = np.stack([rising] * 10 + [rising[::-1]] * 10).astype("float32")
    >>> X += 0.1 * np.random.default_rng(0).standard_normal(X.shape).astype("float32")
    >>> y = np.array(["rising"] * 10 + ["falling"] * 10)
    >>> clf = KWS2DClassifier(stem_filters=4, filters=(8,), strides=1, epochs=3, random_state=0)
    >>> clf.fit(X, y).classes_
    array(['falling', 'rising'], dtype='<U7')
    >>> clf.model_.get_layer("block1_depthwise1").kernel.shape  # 3 frames x 3 bands
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
        return nets.build_kws2d_network(input_shape, n_classes, **self._shared_network_params())
