"""SpecAugment: the keyword-spotting networks' training-only augmentation layer.

The layer, its parameters (shared by :class:`~skspeech.models.KWSClassifier`
and :class:`~skspeech.models.KWS2DClassifier`) and their constraints.
Importing this module imports Keras.
"""

from numbers import Integral, Real

import keras
from sklearn.utils._param_validation import Interval, StrOptions

# The network's training-only augmentation (SpecAugment) and learning-rate schedule:
# parameters of both keyword-spotting networks (KWSClassifier, KWS2DClassifier).
AUGMENTATION_CONSTRAINTS = {
    "time_shift": [Interval(Real, 0, 1, closed="both")],
    "freq_masks": [Interval(Integral, 0, None, closed="left")],
    "freq_mask_width": [Interval(Real, 0, 1, closed="both")],
    "time_masks": [Interval(Integral, 0, None, closed="left")],
    "time_mask_width": [Interval(Real, 0, 1, closed="both")],
    "freq_warp": [Interval(Real, 0, 1, closed="left")],
    "lr_schedule": [StrOptions({"cosine", "constant"})],
}


def spec_augment_params(est):
    """The SpecAugment parameters of a keyword-spotting network, as builder keyword arguments."""
    return {name: getattr(est, name) for name in ("time_shift", "freq_masks", "freq_mask_width",
                                                   "time_masks", "time_mask_width", "freq_warp")}


@keras.saving.register_keras_serializable(package="skspeech")
class SpecAugment(keras.layers.Layer):
    """Training-only augmentation of ``(batch, n_frames, n_bands)`` frames.

    A stretch of the band axis by a random factor within ``1 +- freq_warp``
    (vocal tract length perturbation), a random circular time shift of up to
    ``time_shift`` of the frames, then
    ``freq_masks`` bands of up to ``freq_mask_width`` of the bands and
    ``time_masks`` stretches of up to ``time_mask_width`` of the frames set
    to 0 (the mean, after the normalisation layer). Each clip of each batch
    draws its own; at inference (``training=False``) it is the identity.
    """

    def __init__(self, time_shift=0.1, freq_masks=2, freq_mask_width=0.15, time_masks=2,
                 time_mask_width=0.1, freq_warp=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.freq_warp = freq_warp
        self.time_shift = time_shift
        self.freq_masks = freq_masks
        self.freq_mask_width = freq_mask_width
        self.time_masks = time_masks
        self.time_mask_width = time_mask_width
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _masks(self, x, axis, n_masks, max_width):
        ops = keras.ops
        size = x.shape[axis]
        width_max = int(max_width * size)
        if n_masks == 0 or width_max < 1:
            return x
        batch = ops.shape(x)[0]
        pos = ops.arange(size, dtype="float32")
        keep = ops.ones_like(x)
        for _ in range(n_masks):
            width = ops.floor(keras.random.uniform((batch, 1), 0, width_max + 1,
                                                   seed=self.seed_generator))
            start = ops.floor(keras.random.uniform((batch, 1), 0, 1, seed=self.seed_generator)
                              * (size - width + 1))
            inside = ops.logical_and(pos[None, :] >= start, pos[None, :] < start + width)
            inside = ops.cast(inside, x.dtype)
            inside = inside[:, :, None] if axis == 1 else inside[:, None, :]
            keep = keep * (1.0 - inside)
        return x * keep

    def _warp(self, x):
        """Stretch the band axis by a factor in [1 - freq_warp, 1 + freq_warp] (VTLP-like)."""
        ops = keras.ops
        n_bands = x.shape[2]
        if not self.freq_warp or n_bands < 2:
            return x
        batch = ops.shape(x)[0]
        alpha = keras.random.uniform((batch, 1), 1.0 - self.freq_warp, 1.0 + self.freq_warp,
                                     seed=self.seed_generator)
        src = ops.clip(ops.arange(n_bands, dtype="float32")[None, :] / alpha, 0.0,
                       n_bands - 1.0)
        low = ops.floor(src)
        frac = (src - low)[:, None, :]
        low = ops.cast(low, "int32")
        high = ops.minimum(low + 1, n_bands - 1)
        x_low = ops.take_along_axis(x, ops.broadcast_to(low[:, None, :], ops.shape(x)), axis=2)
        x_high = ops.take_along_axis(x, ops.broadcast_to(high[:, None, :], ops.shape(x)),
                                     axis=2)
        return x_low * (1.0 - frac) + x_high * frac

    def call(self, inputs, training=None):
        if not training:
            return inputs
        ops = keras.ops
        x = self._warp(inputs)
        n_frames = x.shape[1]
        max_shift = int(self.time_shift * n_frames)
        if max_shift >= 1:
            batch = ops.shape(x)[0]
            shift = ops.floor(keras.random.uniform((batch, 1), -max_shift, max_shift + 1,
                                                   seed=self.seed_generator))
            idx = ops.cast(ops.mod(ops.arange(n_frames, dtype="float32")[None, :] - shift,
                                   n_frames), "int32")
            x = ops.take_along_axis(x, idx[:, :, None], axis=1)
        x = self._masks(x, 2, self.freq_masks, self.freq_mask_width)
        x = self._masks(x, 1, self.time_masks, self.time_mask_width)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(time_shift=self.time_shift, freq_masks=self.freq_masks,
                      freq_mask_width=self.freq_mask_width, time_masks=self.time_masks,
                      time_mask_width=self.time_mask_width, freq_warp=self.freq_warp,
                      seed=self.seed)
        return config
