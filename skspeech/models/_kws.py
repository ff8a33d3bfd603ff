"""KWSClassifier: a small residual keyword-spotting network with SpecAugment built in.

Importing this module imports scikeras, hence Keras and TensorFlow; the
public name ``skspeech.models.KWSClassifier`` is resolved lazily.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._docstrings import fill_doc
from . import _keras_nets as nets
from ._keras_base import KERAS_ATTRIBUTES, _KerasClassifierBase, store_params
from ._spec_augment import AUGMENTATION_CONSTRAINTS, spec_augment_params

__all__ = ["KWSClassifier"]

class _KWSBase(_KerasClassifierBase):
    """What both keyword-spotting networks share: their block parameters' constraints and
    checks, SpecAugment's parameters and the training parameters (the subclasses build)."""

    _parameter_constraints = {
        "stem_filters": [Interval(Integral, 1, None, closed="left")],
        "filters": [list, tuple],
        "kernel_sizes": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "strides": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        **AUGMENTATION_CONSTRAINTS,
        **_KerasClassifierBase._TRAINING_CONSTRAINTS,
    }

    def _check_network_params(self):
        nets.check_blocks(self, ("kernel_sizes", "strides"), block="residual block")

    def _shared_network_params(self):
        """The builder's arguments both networks take: the stem, the blocks and SpecAugment."""
        return dict(stem_filters=self.stem_filters, filters=self.filters,
                    kernel_sizes=self.kernel_sizes, strides=self.strides, dropout=self.dropout,
                    **spec_augment_params(self))


@fill_doc(keras_attributes=KERAS_ATTRIBUTES)
class KWSClassifier(_KWSBase):
    """A small keyword-spotting network on log-mel or cepstral frames, with SpecAugment.

    A residual network of 1-D *time-channel separable* convolutions, the
    design of MatchboxNet and TC-ResNet: the mel bands (or their cepstra) are the input
    channels, each convolution runs over time depthwise (one kernel per
    channel) and then mixes channels pointwise, which keeps it small and
    fast on a CPU: about 30 k weights with the defaults on 40 bands and 10
    words, small enough for a 64 KB int8 TFLite file. The shortcuts of
    strided blocks average pairs of frames instead of learning a 1x1
    convolution, so they add no weights. Global average pooling over time
    makes it indifferent to where the word falls.

    Augmentation lives **inside** the network, in a layer that acts only
    while training (Keras's ``training=True``), so every epoch sees fresh
    draws and :meth:`predict` never augments: a random circular time shift
    and SpecAugment masks (whole mel bands and stretches of frames set to the
    mean). Waveform augmentation (noise, speed, gain) is fit-only too: see
    :class:`~skspeech.augment.AugmentedClassifier`.

    Training (stratified validation split, best weights restored,
    ``random_state``, fast predict, pickling) is that of every
    Keras classifier of skspeech, as described for
    :class:`~skspeech.models.Conv1DClassifier`.

    Parameters
    ----------
    stem_filters : int, default=48
        Channels of the first (plain) convolution, kernel 3.
    filters : sequence of int, default=(48, 48, 48, 48)
        Channels of each residual block; its length is the number of blocks.
    kernel_sizes : int or sequence of int, default=9
        Kernel length over time of each block (frames); a sequence has one
        value per block.
    strides : int or sequence of int, default=(1, 2, 1, 2)
        Time stride of each block's first convolution (2 halves the frames);
        a sequence has one value per block (with 3 blocks, e.g. ``(1, 2, 2)``).
    dropout : float, default=0.2
        Dropout rate before the softmax.
    time_shift : float, default=0.1
        Training only: shift each clip in time by up to this fraction of its
        frames (circularly).
    freq_masks : int, default=2
        Training only: mel-band masks per clip (SpecAugment).
    freq_mask_width : float, default=0.15
        Widest band mask, as a fraction of the bands.
    time_masks : int, default=2
        Training only: time masks per clip.
    time_mask_width : float, default=0.1
        Longest time mask, as a fraction of the frames.
    freq_warp : float, default=0.0
        Training only: stretch or squeeze the band axis of each clip by a
        random factor within ``1 +- freq_warp`` (vocal tract length
        perturbation: other voices' formants sit higher or lower).
    shortcut : {"pool", "conv"}, default="pool"
        The shortcut of a block that strides without changing the width:
        average pooling over ``stride`` frames (no weights), or a learned
        strided 1x1 convolution with batch normalisation (``C * C + 4 * C``
        parameters more per such block of ``C`` channels, and two more
        tensors of per-channel int8 scales in a TFLite file).
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A Keras optimizer name, or an instance used as a template.
    learning_rate : float, default=0.003
        Learning rate (the starting one, with ``lr_schedule="cosine"``).
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` lowers the learning rate along half a cosine, from
        ``learning_rate`` at the first epoch to 0 after ``epochs`` (the usual
        recipe for these networks: large steps first, fine ones at the end);
        ``"constant"`` keeps ``learning_rate`` throughout.
    batch_size : int, default=64
        Clips per gradient step.
    epochs : int, default=60
        Number of passes over the training split (the length of the
        learning-rate schedule).
    validation_fraction : float or None, default=0.1
        Stratified validation split to pick the best epoch (and to stop early
        when ``patience`` is set); None trains on every clip.
    patience : int or None, default=None
        Stop after this many epochs without a lower validation loss. None
        runs the whole schedule (the best epoch's weights are still restored):
        stopping early cuts a cosine schedule short while its steps are
        still large (how much that costs: :doc:`/speech_commands`).
    restore_best_weights : bool, default=True
        End with the weights of the best validation epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks.
    warm_start : bool, default=False
        Keep the network and continue training at the next ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the augmentation, shuffling and the validation
        split; with an int, fits on the CPU are repeatable.
    verbose : int, default=0
        0 silent, 1 a progress bar over epochs, 2 one line per epoch.

    %(keras_attributes)s

    See Also
    --------
    skspeech.pipelines.kws_pipeline : Waveforms -> log-mel -> this network.
    skspeech.models.Conv1DClassifier : The tutorial's network.

    References
    ----------
    .. [1] S. Majumdar and B. Ginsburg, "MatchboxNet: 1D time-channel separable
       convolutional neural network architecture for speech commands
       recognition", Interspeech 2020.
    .. [2] S. Choi et al., "Temporal convolution for real-time keyword spotting
       on mobile devices" (TC-ResNet), Interspeech 2019.
    .. [3] D. S. Park et al., "SpecAugment", Interspeech 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skspeech.models import KWSClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 20, 8)).astype("float32")
    >>> X[:20, :, :4] += 2.0  # "low" words: energy in the low bands
    >>> y = np.array(["low"] * 20 + ["high"] * 20)
    >>> clf = KWSClassifier(stem_filters=8, filters=(8,), strides=1, epochs=3, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.model_.get_layer("spec_augment")(X[:2], training=False).shape
    TensorShape([2, 20, 8])
    """

    _parameter_constraints = {
        **_KWSBase._parameter_constraints,
        "shortcut": [StrOptions({"pool", "conv"})],
    }

    def __init__(self, *, stem_filters=48, filters=(48, 48, 48, 48), kernel_sizes=9,
                 strides=(1, 2, 1, 2), dropout=0.2, time_shift=0.1, freq_masks=2,
                 freq_mask_width=0.15, time_masks=2, time_mask_width=0.1, freq_warp=0.0,
                 shortcut="pool", optimizer="adam", learning_rate=3e-3, lr_schedule="cosine",
                 batch_size=64, epochs=60, validation_fraction=0.1, patience=None,
                 restore_best_weights=True, class_weight=None, callbacks=None, warm_start=False,
                 random_state=None, verbose=0):
        store_params(self, locals())

    def _build_network(self, input_shape, n_classes):
        return nets.build_kws_network(input_shape, n_classes, shortcut=self.shortcut,
                                      **self._shared_network_params())
